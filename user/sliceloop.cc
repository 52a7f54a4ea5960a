// sliceloop: an epilogue that never returns is switched off by force and
// costs nobody else anything. The root forks a looper, whose epilogue
// handler loops forever, and 2-3 workers (from arg) that work without
// yielding and exit. The root yields until the workers are done, reports
// the looper's overrun and epilogue counts from the slice table
// (report_value), destroys it and exits.
// Grader expects: the root and the workers exit ok, the looper destroyed;
// the kernel's counters: the looper overran at least twice, entered its
// epilogue once and is still in it.
#include "user/lab6.hh"

namespace {
const char* program_name = "sliceloop";
int check_number = 0;
struct Shared {
    uint64_t done[3];
};

void never_returns(UTrapFrame*) {
    for (;;) {}
}
}  // namespace

uint64_t umain(uint64_t arg) {
    int workers = 2 + static_cast<int>(arg % 2);
    CHECK(alloc_shared(shared_va), 0);
    auto* shared = reinterpret_cast<volatile Shared*>(shared_va);
    int32_t looper = fork();
    CHECK(looper >= 0, true);
    if (looper == 0) {
        CHECK(slices::set_handlers(never_returns, nullptr), 0);
        for (;;) {}
    }
    int forked = fork_workers(workers, 3, arg, shared->done);
    bool all_done = wait_for_workers(shared->done, forked) && forked == workers;
    uint32_t overruns = slices::of(looper).overruns;
    grader_report(report_value, overruns, slices::of(looper).epilogues);
    CHECK(sys_env_destroy(looper), 0);
    CHECK(all_done, true);
    CHECK(overruns >= 2, true);
    return arg ^ ok_status;
}
