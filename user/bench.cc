// Measures the two costs the exokernel is built to keep small, in cycles
// (rdtsc), for `make bench`: a null system call, and a page fault delivered
// to a user handler and back (the handler skips the faulting load, so no
// mapping work is counted). Not graded: the numbers depend on the machine.
// arg's bits 32 and up, when not 0, set the number of iterations, and bits
// 24-31 pick one path (1 the system call, 2 the upcall): tools/iprofile.py
// runs one path a known number of times.
#include "lib/console.hh"
#include "lib/pgfault.hh"
#include "lib/syscall.hh"

namespace {

constexpr uintptr_t unmapped = 0x0000200000000000;

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

// The load in fault_once is `mov (%rax), %rax`, 3 bytes: skip it.
void skip_load(UTrapFrame* utf) { utf->rip += 3; }

void fault_once() {
    uint64_t value = unmapped;
    asm volatile(".byte 0x48, 0x8b, 0x00" : "+a"(value) : : "memory");  // mov (%rax), %rax
}

uint64_t iterations = 20000;

template <typename Body>
uint64_t cycles_per_iteration(Body body) {
    for (int warm = 0; warm < 100; ++warm) body();
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < iterations; ++i) body();
    return (rdtsc() - start) / iterations;
}

}  // namespace

uint64_t umain(uint64_t arg) {
    if (arg >> 32) iterations = arg >> 32;
    unsigned only = (arg >> 24) & 0xff;
    uint64_t syscall_cycles = only == 2 ? 0 : cycles_per_iteration([] { sys_getenvid(); });
    if (set_pgfault_handler(skip_load) < 0) return arg ^ 0xBAD01;
    uint64_t upcall_cycles = only == 1 ? 0 : cycles_per_iteration(fault_once);
    printf("bench: null syscall %lu cycles, page-fault upcall round trip %lu cycles (%lu iterations)\n",
           syscall_cycles, upcall_cycles, iterations);
    return arg ^ 0x600D;
}
