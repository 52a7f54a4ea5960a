// sliceshare: CPU share follows slot ownership. The root forks A and B,
// which count, each in its own word of a shared page, without yielding; A
// takes two more slots (three in all), B keeps the one every env starts
// with, and the root gives its slot up and waits in ipc_recv (taking a
// slot back once A's message wakes it). When A's
// count reaches a target (from arg), A sends B's count to the root, which
// reports both (report_value: A's, B's), destroys A and B and exits.
// Grader expects: the root exits ok; A's count / B's count is 3 within the
// test's tolerance, and so is the ratio of the slices the kernel started
// for each; the vector shows A with 3 slots and B with 1.
#include "user/lab6.hh"

namespace {
const char* program_name = "sliceshare";
int check_number = 0;
struct Shared {
    uint64_t count[2];
};

// The same loop for both, so that counts compare.
[[noreturn]] void count(volatile Shared* shared, int me, uint64_t target, int32_t root) {
    while (shared->count[me] < target) shared->count[me] = shared->count[me] + 1;
    ipc_send(root, shared->count[1], ipc_no_page, 0);
    for (;;) {}
}
}  // namespace

uint64_t umain(uint64_t arg) {
    CHECK(alloc_shared(shared_va), 0);
    auto* shared = reinterpret_cast<volatile Shared*>(shared_va);
    int32_t root = sys_getenvid();
    uint64_t target = (12 << 20) + (arg & 0x3FFFFF);
    int32_t a = fork();
    CHECK(a >= 0, true);
    if (a == 0) {
        CHECK(sys_slice_alloc(0) >= 0, true);
        CHECK(sys_slice_alloc(0) >= 0, true);
        count(shared, 0, target, root);
    }
    int32_t b = fork();
    CHECK(b >= 0, true);
    if (b == 0) count(shared, 1, ~0ull, root);
    int64_t release = slices::release_all(0);
    IpcMessage msg{};
    int64_t received = release == 0 ? sys_ipc_recv(ipc_no_page, &msg) : release;
    // We run in the rest of A's slice: without a slot of our own we would
    // never run again once it ends.
    int64_t slot = sys_slice_alloc(0);
    grader_report(report_value, shared->count[0], msg.value);
    sys_env_destroy(a);
    sys_env_destroy(b);
    CHECK(release, 0);
    CHECK(received, 0);
    CHECK(slot >= 0, true);
    CHECK(msg.from, a);
    return arg ^ ok_status;
}
