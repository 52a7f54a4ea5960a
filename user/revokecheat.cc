// revokecheat: a victim that answers its request badly. Its handler tries
// to release a frame its parent owns (refused: E_PERM), a page it shares
// with its parent (refused: E_BUSY, the parent would lose it), one of its
// own pages (fine) and that page again (refused: E_INVAL, it is gone),
// and an address it never mapped (E_INVAL); then returns, having given
// back one frame of the `take` asked. The kernel repossesses the rest at
// the deadline. user/lab7.hh has the scenario.
// Grader expects: both exit ok; five report_values (got, want) equal;
// V's view: 4 refused, 1 released for the request, aborted, take - 1
// frames repossessed, the vector = cold pages 1..take-1.
#include "user/lab7.hh"

namespace {
int64_t results[5];

void cheat(uint32_t, uint64_t) {
    results[0] = sys_frame_release(shared_va);
    results[1] = sys_frame_release(victim_page_va);
    results[2] = sys_frame_release(cold_va(0));
    results[3] = sys_frame_release(cold_va(0));
    results[4] = sys_frame_release(cold_va(64));
}

uint64_t victim(uint64_t arg) {
    // Its own copy of results now: under the squeeze it may not grow.
    results[0] = 1;
    if (victim_setup(arg) < 0 || revocation::set_handlers(cheat, nullptr) < 0) return arg ^ (fail_base + 10);
    wait_squeezed();
    bool aborted = wait_for_abort();
    const int64_t want[5] = {E_PERM, E_BUSY, 0, E_INVAL, E_INVAL};
    for (size_t i = 0; i < 5; ++i) grader_report(report_value, static_cast<uint64_t>(results[i]), static_cast<uint64_t>(want[i]));
    return victim_verdict(arg, "revokecheat", aborted, check_cold_pages(arg, 1, frames_to_take(arg) - 1));
}
}  // namespace

uint64_t umain(uint64_t arg) { return play_scenario(arg, "revokecheat", victim); }
