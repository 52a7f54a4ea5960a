// Measures the costs the exokernel is built to keep small, in TSC ticks
// (rdtsc; under QEMU's -icount shift=0 one tick is one instruction), for
// `make bench` and Lab 3's performance test: a null system call; a page
// fault delivered to a user handler and back (the handler skips the
// faulting load, so no mapping work is counted); and a write to a
// read-only page whose handler fixes the binding (one page_map from a
// writable alias of the frame) so the write runs again. arg's bits 32 and
// up, when not 0, set the number of iterations, and bits 24-31 pick paths
// (a mask: 1, 2 and 4 in that order; 0 = all): tools/iprofile.py runs one
// path a known number of times. The exit status is arg ^ the three
// figures packed 20 bits each (syscall | upcall << 20 | remap << 40; 0 for
// a path not run), which the grader reads from the kernel's record.
#include "lib/console.hh"
#include "lib/pgfault.hh"
#include "lib/syscall.hh"
#include "user/tsc.hh"

namespace {

constexpr uintptr_t unmapped = 0x0000200000000000;
// The protected page and a writable alias of its frame.
constexpr uintptr_t protected_page = 0x0000210000000000;
constexpr uintptr_t writable_alias = 0x0000210000001000;
constexpr uint64_t read_only = perm_present | perm_user | perm_no_execute;
constexpr uint64_t read_write = read_only | perm_writable;

// The load in fault_once is `mov (%rax), %rax`, 3 bytes: skip it.
void skip_load(UTrapFrame* utf) { utf->rip += 3; }

// Lets the faulting write run again: the binding fixed, nothing skipped.
void unprotect(UTrapFrame*) { sys_page_map(0, writable_alias, 0, protected_page, read_write); }

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

// Each write timed alone, so that putting the protection back is not
// counted; less the same window around a write that does not fault.
uint64_t trap_and_remap_cycles() {
    auto* page = reinterpret_cast<volatile uint64_t*>(protected_page);
    uint64_t total = 0, empty = 0;
    for (uint64_t i = 0; i < iterations + 100; ++i) {
        if (sys_page_map(0, writable_alias, 0, protected_page, read_only) < 0) return 0;
        uint64_t start = rdtsc();
        *page = i;
        uint64_t faulted = rdtsc();
        *page = i;
        uint64_t end = rdtsc();
        if (i >= 100) total += faulted - start, empty += end - faulted;
    }
    return (total - empty) / iterations;
}

}  // namespace

uint64_t packed(uint64_t syscall, uint64_t upcall, uint64_t remap) {
    constexpr uint64_t most = (1 << 20) - 1;   // a slower path reads as this
    auto field = [](uint64_t v) { return v < most ? v : most; };
    return field(syscall) | field(upcall) << 20 | field(remap) << 40;
}

uint64_t umain(uint64_t arg) {
    if (arg >> 32) iterations = arg >> 32;
    unsigned paths = (arg >> 24) & 0xff;
    if (paths == 0) paths = 7;
    uint64_t syscall_cycles = paths & 1 ? cycles_per_iteration([] { sys_getenvid(); }) : 0;
    if (set_pgfault_handler(skip_load) < 0) return arg ^ 0xBAD01;
    uint64_t upcall_cycles = paths & 2 ? cycles_per_iteration(fault_once) : 0;
    uint64_t remap_cycles = 0;
    if (paths & 4) {
        if (sys_page_alloc(0, writable_alias, read_write) < 0 || set_pgfault_handler(unprotect) < 0)
            return arg ^ 0xBAD02;
        remap_cycles = trap_and_remap_cycles();
    }
    printf("bench: null syscall %lu ticks, page-fault upcall round trip %lu ticks, "
           "trap with the binding fixed %lu ticks (%lu iterations)\n",
           syscall_cycles, upcall_cycles, remap_cycles, iterations);
    return arg ^ packed(syscall_cycles, upcall_cycles, remap_cycles);
}
