// revokeignore: a victim that ignores a revocation request (it registers
// no upcall) is repossessed at the deadline: the kernel takes exactly the
// frames asked, the lowest of its pages not touched since the request,
// records each address in its repossession vector, and leaves alone what
// it shares with its parent (a page the parent owns; a page the victim
// owns and the parent maps too). user/lab7.hh has the scenario.
// Grader expects: both exit ok; V's view: one request, aborted at its
// deadline, `take` frames repossessed, the vector = cold pages 0..take-1;
// R's vector empty.
#include "user/lab7.hh"

namespace {
uint64_t victim(uint64_t arg) {
    if (victim_setup(arg) < 0) return arg ^ (fail_base + 10);
    wait_squeezed();
    bool aborted = wait_for_abort();
    return victim_verdict(arg, "revokeignore", aborted, check_cold_pages(arg, 0, frames_to_take(arg)));
}
}  // namespace

uint64_t umain(uint64_t arg) { return play_scenario(arg, "revokeignore", victim); }
