// Lab 6's costs for `make bench`, in TSC ticks (under QEMU's -icount
// shift=0 one tick is one guest instruction): the gap a timer tick leaves
// in a loop that reads the TSC, when the tick only counts, when it ends a
// slice the kernel saves and restores itself, and when it ends the slice
// through the library's epilogue and prologue (each with the env alone in
// the vector, so the next slice is its own); a yield_to round trip between
// two envs; a thread_yield round trip between two user-level threads.
// Not graded.
#include "lib/console.hh"
#include "lib/fork.hh"
#include "lib/slices.hh"
#include "lib/syscall.hh"
#include "lib/threads.hh"
#include "user/tsc.hh"

namespace {

constexpr uintptr_t shared_va = 0x0000200000000000ull;

struct Gaps {
    uint64_t tick_min = ~0ull, slice_min = ~0ull;
    uint64_t tick_total = 0, slice_total = 0, ticks = 0, slices = 0;
};

// Spins for `slices` slice ends, sorting the gaps in the TSC by whether
// the vector turned across them.
Gaps measure_gaps(uint64_t slices) {
    Gaps g;
    uint64_t prev = rdtsc(), turns = slices::table().turns;
    while (g.slices < slices) {
        uint64_t now = rdtsc();
        if (now - prev > 50) {   // the loop itself takes about 10
            uint64_t t = slices::table().turns, gap = now - prev;
            if (t != turns) {
                g.slice_min = gap < g.slice_min ? gap : g.slice_min;
                g.slice_total += gap;
                ++g.slices;
            } else {
                g.tick_min = gap < g.tick_min ? gap : g.tick_min;
                g.tick_total += gap;
                ++g.ticks;
            }
            turns = t;
            now = rdtsc();
        }
        prev = now;
    }
    return g;
}

uint64_t yield_to_round_trip(uint64_t iterations) {
    auto* partner_ready = reinterpret_cast<volatile uint64_t*>(shared_va);
    if (sys_page_alloc(0, shared_va, perm_present | perm_user | perm_writable | perm_no_execute | perm_share) < 0)
        return 0;
    int32_t me = sys_getenvid();
    int32_t partner = fork();
    if (partner == 0) {
        *partner_ready = 1;
        while (sys_yield_to(me) == 0) {}
        sys_exit(0);
    }
    if (partner < 0) return 0;
    slices::release_all(partner);
    while (!*partner_ready) sys_yield_to(partner);
    sys_yield();   // a fresh slice
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < iterations; ++i) sys_yield_to(partner);
    uint64_t cost = (rdtsc() - start) / iterations;
    sys_env_destroy(partner);
    return cost;
}

volatile bool stop_yielding;
void keep_yielding(void*) {
    while (!stop_yielding) thread_yield();
}

uint64_t thread_round_trip(uint64_t iterations) {
    if (threads_init() < 0) return 0;
    int other = thread_create(keep_yielding, nullptr);
    if (other < 0) return 0;
    thread_yield();
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < iterations; ++i) thread_yield();
    uint64_t cost = (rdtsc() - start) / iterations;
    stop_yielding = true;
    thread_join(other);
    return cost;
}

void print_gaps(const char* what, const Gaps& g) {
    printf("bench: a slice end, %s: min %lu ticks, mean %lu (%lu slices)\n", what, g.slice_min,
           g.slices ? g.slice_total / g.slices : 0, g.slices);
}

}  // namespace

uint64_t umain(uint64_t arg) {
    Gaps kernel = measure_gaps(20);
    printf("bench: a timer tick that only counts: min %lu ticks, mean %lu (%lu seen)\n", kernel.tick_min,
           kernel.ticks ? kernel.tick_total / kernel.ticks : 0, kernel.ticks);
    print_gaps("the kernel saving and restoring", kernel);
    if (slices::set_handlers(nullptr, nullptr) < 0) return arg ^ 0xBAD01;
    print_gaps("through the library's epilogue and prologue", measure_gaps(20));
    slices::clear_handlers();
    printf("bench: yield_to round trip %lu ticks\n", yield_to_round_trip(2000));
    printf("bench: thread_yield round trip between two threads %lu ticks\n", thread_round_trip(2000));
    return arg ^ 0x600D;
}
