// revokespin: a victim whose revocation handler never gives anything back
// (it spins in the handler, on its exception stack) is repossessed on
// time all the same. The handler waits there for the abort, checks what
// is left, and exits from the handler. user/lab7.hh has the scenario.
// Grader expects: both exit ok; V's view: one request upcall, aborted at
// exactly its deadline, `take` frames repossessed, the vector = cold
// pages 0..take-1.
#include "user/lab7.hh"

namespace {
uint64_t the_arg;

void spin_in_handler(uint32_t, uint64_t) {
    bool aborted = wait_for_abort();
    sys_exit(victim_verdict(the_arg, "revokespin", aborted, check_cold_pages(the_arg, 0, frames_to_take(the_arg))));
}

uint64_t victim(uint64_t arg) {
    the_arg = arg;
    if (victim_setup(arg) < 0 || revocation::set_handlers(spin_in_handler, nullptr) < 0) return arg ^ (fail_base + 10);
    wait_squeezed();
    // The upcall comes at V's next return to user mode: this loop never
    // ends unless the kernel delivers it.
    uint64_t limit = ticks() + 4 * revocation::table().grace_ticks;
    while (ticks() < limit) {}
    return victim_verdict(arg, "revokespin", false, 0);
}
}  // namespace

uint64_t umain(uint64_t arg) { return play_scenario(arg, "revokespin", victim); }
