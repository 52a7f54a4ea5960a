// Lab 5's costs for `make bench`, in TSC ticks (under QEMU's -icount
// shift=0 a tick is one guest instruction; the calibration line shows it):
// an IPC round trip (one word each way), a page-passing IPC round trip, and
// fork of an env with N dirty pages: fork, the child exits, the parent sees
// it gone and writes its N pages again (copy-on-write pays there), for the
// library's COW fork and for its eager-copy fork. With arg's bits 24-31
// set to 1 it times only the two IPC round trips (bits 32 and up, when not
// 0, the number of each) and exits with arg ^ (word | page << 20): Lab 5's
// performance test reads that from the kernel's record.
#include "lib/console.hh"
#include "lib/fork.hh"
#include "lib/ipc.hh"
#include "lib/syscall.hh"
#include "user/tsc.hh"

namespace {

constexpr uintptr_t page_out = 0x40000000, page_in = 0x50000000, dirty_base = 0x60000000;

// A loop of exactly 2 * n instructions (dec, jnz); the least of five
// runs, since a timer tick (about 200 instructions) may fall in one.
uint64_t calibrate(uint64_t n) {
    uint64_t best = ~0ull;
    for (int run = 0; run < 5; ++run) {
        uint64_t left = n, start = rdtsc();
        asm volatile("1: dec %0; jnz 1b" : "+r"(left) : : "cc");
        uint64_t took = rdtsc() - start;
        best = took < best ? took : best;
    }
    return best;
}

// Yields until child no longer exists. env_set_status is the one call
// that names a child without changing it here (it is already runnable).
void wait_gone(int32_t child) {
    while (sys_env_set_status(child, env_runnable) == 0) sys_yield();
}

// Echoes every message back to its sender, the page too if one came.
[[noreturn]] void echo_server() {
    for (;;) {
        IpcMessage m;
        if (ipc_recv(page_in, &m) < 0) sys_exit(1);
        if (m.value == ~0ull) sys_exit(0);
        uintptr_t page = m.perm ? page_in : ipc_no_page;
        if (ipc_send(m.from, m.value, page, m.perm) < 0) sys_exit(2);
    }
}

uint64_t ipc_round_trip(int32_t server, uintptr_t page, uint64_t perm, uint64_t iterations) {
    IpcMessage m;
    uint64_t start = 0;
    for (uint64_t i = 0; i < iterations + 10; ++i) {
        if (i == 10) start = rdtsc();   // after a warm-up
        ipc_send(server, i, page, perm);
        ipc_recv(page_out, &m);
    }
    return (rdtsc() - start) / iterations;
}

uint64_t fork_cost(int32_t (*how)(), volatile uint64_t* pages, size_t count, uint64_t iterations) {
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < iterations; ++i) {
        int32_t child = how();
        if (child == 0) sys_exit(0);
        if (child < 0) return 0;
        wait_gone(child);
        for (size_t p = 0; p < count; ++p) pages[p * 512] = i;
    }
    return (rdtsc() - start) / iterations;
}

}  // namespace

uint64_t umain(uint64_t arg) {
    bool ipc_only = ((arg >> 24) & 0xff) == 1;
    uint64_t ipc_iterations = arg >> 32 ? arg >> 32 : 2000;
    if (!ipc_only)
        printf("bench: calibration: a loop of 200000 instructions took %lu ticks\n", calibrate(100000));
    int32_t server = fork();
    if (server == 0) echo_server();
    if (server < 0) return arg ^ 0xBAD01;
    sys_page_alloc(0, page_out, perm_present | perm_user | perm_writable | perm_no_execute);
    uint64_t word = ipc_round_trip(server, ipc_no_page, 0, ipc_iterations);
    uint64_t page = ipc_round_trip(server, page_out, perm_present | perm_user | perm_writable | perm_no_execute,
                                   ipc_iterations);
    ipc_send(server, ~0ull);
    wait_gone(server);
    printf("bench: ipc round trip %lu ticks, with a page each way %lu ticks\n", word, page);
    if (ipc_only) {
        constexpr uint64_t most = (1 << 20) - 1;   // a slower round trip reads as this
        return arg ^ ((word < most ? word : most) | (page < most ? page : most) << 20);
    }

    // Exactly count dirty pages besides the program's own few.
    auto* pages = reinterpret_cast<volatile uint64_t*>(dirty_base);
    constexpr size_t counts[] = {1, 16, 256};
    for (size_t count : counts) {
        for (size_t p = 0; p < count; ++p) {
            sys_page_alloc(0, dirty_base + p * 4096, perm_present | perm_user | perm_writable | perm_no_execute);
            pages[p * 512] = p;
        }
        uint64_t cow = fork_cost(fork, pages, count, 10);
        uint64_t eager = fork_cost(fork_eager, pages, count, 10);
        printf("bench: fork with %lu dirty pages: copy-on-write %lu ticks, eager copy %lu ticks (eager/cow %lu.%02lu)\n",
               count, cow, eager, cow ? eager / cow : 0, cow ? eager * 100 / cow % 100 : 0);
        for (size_t p = 0; p < count; ++p) sys_page_unmap(0, dirty_base + p * 4096);
    }
    return arg ^ 0x600D;
}
