// ipcswitch: a successful ipc_send runs the receiver at once. We fork a
// spinner first and a receiver second, so the scheduler's round robin
// would run the spinner next; the spinner counts its turns in a shared
// page. We record the count just before each send attempt; the receiver
// compares it with the count when it wakes and reports both
// (report_value): equal only if nobody ran in between.
#include "user/lab5.hh"

namespace {
const char* program_name = "ipcswitch";
int check_number = 0;
constexpr uintptr_t shared_page = 0x30000000;
struct Shared {
    uint64_t turns, before_send, stop;
};
}  // namespace

uint64_t umain(uint64_t arg) {
    CHECK(alloc_shared(shared_page), 0);
    auto* shared = reinterpret_cast<volatile Shared*>(shared_page);
    int32_t me = sys_getenvid();
    int32_t spinner = fork();
    CHECK(spinner >= 0, true);
    if (spinner == 0) {
        for (int i = 0; i < 10000 && !shared->stop; ++i) {
            shared->turns = shared->turns + 1;
            sys_yield();
        }
        return arg ^ ok_status;
    }
    int32_t receiver = fork();
    CHECK(receiver >= 0, true);
    if (receiver == 0) {
        IpcMessage m;
        CHECK(ipc_recv(ipc_no_page, &m), 0);
        uint64_t now = shared->turns;
        grader_report(report_value, now, shared->before_send);
        CHECK(m.from, me);
        CHECK(m.value, arg);
        CHECK(now, shared->before_send);
        return arg ^ ok_status;
    }
    int64_t r;
    for (;;) {
        // Each attempt starts a fresh time slice, so that no slice can end
        // between the count and the receiver's look at it (a few hundred
        // instructions, against a slice's millions): only the switch is
        // tested, not the timer's luck.
        sys_yield();
        shared->before_send = shared->turns;
        r = sys_ipc_send(receiver, arg, ipc_no_page, 0);
        if (r != E_IPC_NOT_RECV) break;
    }
    CHECK(r, 0);
    // Give the spinner its turns (the receiver must have run before them).
    for (int i = 0; i < 3; ++i) sys_yield();
    shared->stop = 1;
    return arg ^ ok_status;
}
