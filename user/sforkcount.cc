// sforkcount: shared-memory fork. Parent and child each add 1 to a global
// counter `rounds` times, yielding between additions; with sfork the data
// is shared, so the total is 2 * rounds. Each side's stack stays its own:
// the child writes through a pointer to the parent's local variable and the
// parent's copy must not change. The parent reports the total
// (report_value) and checks it.
#include "user/lab5.hh"

namespace {
const char* program_name = "sforkcount";
int check_number = 0;
}  // namespace

volatile uint64_t counter = 0;
volatile uint64_t child_done = 0;
volatile uint64_t* volatile parent_local = nullptr;

uint64_t umain(uint64_t arg) {
    uint64_t rounds = 50 + arg % 50;
    volatile uint64_t local = 1;
    parent_local = &local;
    int32_t child = sfork();
    CHECK(child >= 0, true);
    if (child == 0) {
        *parent_local = 2;   // our own copy of the stack
        for (uint64_t i = 0; i < rounds; ++i) {
            counter = counter + 1;
            sys_yield();
        }
        child_done = 1;
        return arg ^ ok_status;
    }
    for (uint64_t i = 0; i < rounds; ++i) {
        counter = counter + 1;
        sys_yield();
    }
    CHECK(wait_until(&child_done), true);
    grader_report(report_value, counter, 2 * rounds);
    CHECK(counter, 2 * rounds);
    CHECK(local, 1);
    return arg ^ ok_status;
}
