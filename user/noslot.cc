// noslot: an env with no slots never runs unless handed a slice. The root
// forks C, which counts in a shared page once told to go, and takes C's
// slot away. While the vector turns (k = 4-7 times, from arg) C's count
// must not move; one sys_yield_to(C) lets it count for the rest of that
// slice; then it must stay still again for k turns. The root reports the
// three counts (report_value: before, after the hand-off, at the end),
// destroys C and exits.
// Grader expects: exit ok; counts 0, more than 0, unchanged; C started no
// slice from the vector and was handed exactly one.
#include "user/lab6.hh"

namespace {
const char* program_name = "noslot";
int check_number = 0;
struct Shared {
    uint64_t go, count;
};

void wait_turns(uint64_t n) {
    uint64_t end = turns() + n;
    while (turns() < end) {}
}
}  // namespace

uint64_t umain(uint64_t arg) {
    uint64_t k = 4 + arg % 4;
    CHECK(alloc_shared(shared_va), 0);
    auto* shared = reinterpret_cast<volatile Shared*>(shared_va);
    int32_t c = fork();
    CHECK(c >= 0, true);
    if (c == 0) {
        while (!shared->go) sys_yield();
        for (;;) shared->count = shared->count + 1;
    }
    int64_t release = slices::release_all(c);
    uint32_t slots = slices::of(c).slots;
    shared->go = 1;
    wait_turns(k);
    uint64_t before = shared->count;
    int64_t handed_off = sys_yield_to(c);
    uint64_t handed = shared->count;
    wait_turns(k);
    uint64_t after = shared->count;
    grader_report(report_value, before, handed);
    grader_report(report_value, after, handed);
    CHECK(sys_env_destroy(c), 0);
    CHECK(release, 0);
    CHECK(slots, 0);
    CHECK(handed_off, 0);
    CHECK(before, 0);
    CHECK(handed > 0, true);
    CHECK(after, handed);
    return arg ^ ok_status;
}
