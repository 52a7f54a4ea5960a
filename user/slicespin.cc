// slicespin: a spinning env is preempted, and the others finish. The root
// registers the library's plain slice upcalls (the epilogue keeps the
// interrupted state, the prologue resumes it), which fork passes on; it
// forks a spinner that never yields or ends, and 2-4 workers (from arg)
// that each do their own amount of work (from arg) without yielding and
// exit. The root yields until every worker is done, destroys the spinner
// and exits.
// Grader expects: the root and every worker exit ok, the spinner destroyed
// by the root, and the kernel's counters show the spinner and every worker
// entered at epilogues and prologues.
#include "user/lab6.hh"

namespace {
const char* program_name = "slicespin";
int check_number = 0;
struct Shared {
    uint64_t done[4];
};
}  // namespace

uint64_t umain(uint64_t arg) {
    int workers = 2 + static_cast<int>(arg % 3);
    CHECK(alloc_shared(shared_va), 0);
    auto* shared = reinterpret_cast<volatile Shared*>(shared_va);
    CHECK(slices::set_handlers(nullptr, nullptr), 0);
    int32_t spinner = fork();
    CHECK(spinner >= 0, true);
    if (spinner == 0)
        for (;;) {}
    int forked = fork_workers(workers, 2, arg, shared->done);
    bool all_done = wait_for_workers(shared->done, forked) && forked == workers;
    CHECK(sys_env_destroy(spinner), 0);
    CHECK(all_done, true);
    return arg ^ ok_status;
}
