// The frame-table audit: recomputes every frame's reference count from the
// page tables of every live env and compares it with the frame table. The
// grader's oracle for Labs 4-7 (it reads audit_report over GDB) and a
// debugging aid (the monitor's `audit`). Outside every lab's exercises, so
// it judges them.
#pragma once
#include "kern/frames.hh"
#include "kern/pagetable.hh"

enum class AuditProblem : uint32_t {
    none = 0,
    free_frame_in_use = 1,       // a free frame is mapped, holds a table, or has a refcount
    kernel_frame_in_use = 2,     // an env maps a kernel frame or uses it as a table
    owner_dead = 3,              // charged to an id no live env has
    refcount_wrong = 4,          // refcount != the references found (expected) 
    owned_unreferenced = 5,      // charged to a live env, referenced by nothing: a leak
    table_page_mapped = 6,       // a page-table page is also mapped as a user page
    mapped_beyond_ram = 7,       // a PTE names a frame the table does not have
    bad_owner = 8,               // an owner value that means nothing
    free_list_wrong = 9,         // the list and free_count disagree, or it holds a used frame
};

struct AuditFinding {
    AuditProblem problem;
    int32_t owner;               // the frame's recorded owner
    uint64_t frame;
    uint32_t expected;           // references found in the page tables (+1 per table page)
    uint32_t found;              // the frame table's refcount
    int32_t mappers[4];          // envs that map it (0: none), and where
    uint64_t mapper_va[4];
};

// What the audit has seen since boot; the grader reads it by name.
struct AuditReport {
    uint64_t runs;
    uint64_t failures;           // runs that found a problem
    AuditFinding first;          // the first problem of the first failing run
};
extern AuditReport audit_report;

// One address space to count: an env's id and its PML4.
struct AuditSpace {
    int32_t id;
    uintptr_t root;
};

namespace audit {

// The pure check: every space's tables and mappings against table, using
// table.audit_counts as scratch. alive(id) says whether an owner id is a
// live env. True if all is well; else false and the first problem in *out.
bool check(FrameTable& table, const PageTableMemory& memory, const AuditSpace* spaces, size_t count,
           bool (*alive)(int32_t id), AuditFinding* out);

// The kernel's frame table and live envs; updates audit_report. True if
// all is well. Prints the first problem of a failing run.
bool run();

// Whether the kernel runs the audit after every env ends (boot arg audit=1;
// the grader sets it for Lab 4 on).
bool enabled();

// Prints a finding in words.
void print(const AuditFinding& finding);

}  // namespace audit
