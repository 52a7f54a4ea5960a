// The audit run on the kernel's own state: kern/audit.cc's check over the
// frame table and every live env.
#include "kern/audit.hh"
#include "kern/bootargs.hh"
#include "kern/console.hh"
#include "kern/env.hh"
#include "kern/kernel_vm.hh"

namespace {

bool env_alive(int32_t id) {
    Env* e;
    return env::lookup(id, &e, false) == 0;
}

const char* problem_name(AuditProblem p) {
    switch (p) {
    case AuditProblem::none: return "none";
    case AuditProblem::free_frame_in_use: return "a free frame is in use";
    case AuditProblem::kernel_frame_in_use: return "an env uses a kernel frame";
    case AuditProblem::owner_dead: return "charged to a dead env";
    case AuditProblem::refcount_wrong: return "refcount is not the references found";
    case AuditProblem::owned_unreferenced: return "owned but referenced by nothing (a leak)";
    case AuditProblem::table_page_mapped: return "a page-table page is mapped as a user page";
    case AuditProblem::mapped_beyond_ram: return "a PTE names a frame beyond RAM";
    case AuditProblem::bad_owner: return "a meaningless owner";
    case AuditProblem::free_list_wrong: return "the free list is wrong";
    }
    return "?";
}

AuditSpace spaces[max_envs];

}  // namespace

namespace audit {

bool enabled() {
    const char* a = boot_args.get("audit");
    return a && a[0] == '1';
}

void print(const AuditFinding& f) {
    cprintf("audit: frame %lx: %s (owner %d, refcount %u, references found %u)\n", f.frame,
            problem_name(f.problem), f.owner, f.found, f.expected);
    for (size_t i = 0; i < 4 && f.mappers[i]; ++i)
        cprintf("audit:   mapped by env %08x at %lx\n", f.mappers[i], f.mapper_va[i]);
}

bool run() {
    size_t count = 0;
    for (Env& e : envs) {
        if (e.alive()) spaces[count++] = AuditSpace{e.id, e.pml4};
    }
    AuditFinding finding;
    bool ok = check(frame_table, kernel_table_memory, spaces, count, env_alive, &finding);
    ++audit_report.runs;
    if (!ok) {
        if (audit_report.failures++ == 0) audit_report.first = finding;
        print(finding);
    }
    return ok;
}

}  // namespace audit
