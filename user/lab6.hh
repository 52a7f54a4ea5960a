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
