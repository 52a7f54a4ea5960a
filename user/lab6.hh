// What Lab 6's graded programs share beyond user/lab5.hh.
#pragma once
#include "user/lab5.hh"
#include "lib/slices.hh"
#include "lib/threads.hh"

// A page fork's children share with their parent (alloc_shared).
constexpr uintptr_t shared_va = 0x0000200000000000ull;

inline uint64_t ticks() { return slices::table().ticks; }
inline uint64_t turns() { return slices::table().turns; }

// CPU-bound work the compiler cannot drop: n trips round a loop.
inline void work(uint64_t n) {
    for (volatile uint64_t i = 0; i < n;) i = i + 1;
}

// Every program here destroys the children it made before it checks
// anything: a failed check must end the run, not leave a spinner behind
// that keeps it going until the grader's timeout.

// Yields until *flag is nonzero or the vector has turned `limit` times.
inline bool wait_turns_for(const volatile uint64_t* flag, uint64_t limit = 20000) {
    uint64_t end = turns() + limit;
    while (!*flag && turns() < end) sys_yield();
    return *flag != 0;
}

// Forks n workers (n <= 7): worker i does (base + two bits of arg) << 20
// trips of work without yielding, sets done[i] and exits ok. Returns how
// many it forked.
inline int fork_workers(int n, uint64_t base, uint64_t arg, volatile uint64_t* done) {
    for (int i = 0; i < n; ++i) {
        int32_t child = fork();
        if (child < 0) return i;
        if (child == 0) {
            work((base + ((arg >> (8 * i + 4)) & 3)) << 20);
            done[i] = 1;
            sys_exit(arg ^ ok_status);
        }
    }
    return n;
}

// Whether all n workers said they were done (yielding while they work).
inline bool wait_for_workers(const volatile uint64_t* done, int n) {
    bool all = true;
    for (int i = 0; i < n; ++i) all = wait_turns_for(&done[i]) && all;
    return all;
}
