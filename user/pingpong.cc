// pingpong: IPC between a parent and its forked child. The parent sends a
// value from the argument; each side checks that the message came from the
// other and carries the value it expects, and sends it back plus one, for
// `rounds` round trips. The parent reports the final value (report_value).
#include "user/lab5.hh"

namespace {
const char* program_name = "pingpong";
int check_number = 0;
}  // namespace

uint64_t umain(uint64_t arg) {
    uint64_t rounds = 10 + arg % 20, value = arg & 0xFFFFFF;
    int32_t parent = sys_getenvid();
    int32_t child = fork();
    CHECK(child >= 0, true);
    int32_t peer = child == 0 ? parent : child;
    if (child != 0) CHECK(ipc_send(peer, value), 0);
    IpcMessage m;
    for (uint64_t i = 0; i < rounds; ++i) {
        CHECK(ipc_recv(ipc_no_page, &m), 0);
        CHECK(m.from, peer);
        CHECK(m.perm, 0);
        uint64_t want = value + 2 * i + (child == 0 ? 0 : 1);
        CHECK(m.value, want);
        if (child == 0 || i + 1 < rounds) CHECK(ipc_send(peer, m.value + 1), 0);
    }
    if (child != 0) grader_report(report_value, m.value, value + 2 * rounds - 1);
    return arg ^ ok_status;
}
