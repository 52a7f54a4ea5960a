// revoketouch: after the abort, the victim hears of it (a notice upcall)
// and touches every one of its cold pages and one address it never
// mapped. Each touch of a page the kernel took faults into its handler,
// which asks the repossession vector: repossessed, or never mapped? It
// counts both and maps a zeroed page. user/lab7.hh has the scenario.
// Grader expects: both exit ok; report_values: (repossessed faults, take),
// (never-mapped faults, 1), (notices the library saw, the kernel's count),
// (zeroed pages read back, take); V's view: one notice.
#include "user/lab7.hh"
#include "lib/pgfault.hh"

namespace {
uint64_t repossessed_faults, never_faults, notices_seen, stray_faults;
uintptr_t never_va;
PageFaultHandler copy_on_write;   // fork's, for every other fault

void on_fault(UTrapFrame* utf) {
    uintptr_t va = utf->fault_va & ~uintptr_t(4095);
    if (va > never_va) return copy_on_write(utf);
    if (revocation::repossessed(va)) ++repossessed_faults;
    else if (va == never_va) ++never_faults;
    else ++stray_faults;
    if (sys_page_alloc(0, va, prw | perm_no_execute) < 0) sys_exit(0xBAD);
}

void ignore_request(uint32_t, uint64_t) {}
void on_notice() { ++notices_seen; }

uint64_t victim(uint64_t arg) {
    never_va = cold_va(cold_pages(arg) + 3);
    copy_on_write = pgfault_handler;
    if (victim_setup(arg) < 0 || revocation::set_handlers(ignore_request, on_notice) < 0 ||
        set_pgfault_handler(on_fault) < 0)
        return arg ^ (fail_base + 10);
    wait_squeezed();
    bool aborted = wait_for_abort();
    uint64_t limit = ticks() + 4 * revocation::table().grace_ticks;
    while (!scenario().restored && ticks() < limit) {}
    uint64_t zeroed = 0;
    for (size_t i = 0; i < cold_pages(arg); ++i)
        zeroed += *reinterpret_cast<volatile uint64_t*>(cold_va(i)) == 0;
    (void) *reinterpret_cast<volatile uint64_t*>(never_va);
    grader_report(report_value, repossessed_faults, frames_to_take(arg));
    grader_report(report_value, never_faults + stray_faults * 100, 1);
    grader_report(report_value, notices_seen, revocation::of().notices);
    grader_report(report_value, zeroed, frames_to_take(arg));
    return victim_verdict(arg, "revoketouch", aborted, 0);
}
}  // namespace

uint64_t umain(uint64_t arg) { return play_scenario(arg, "revoketouch", victim); }
