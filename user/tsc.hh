// The time-stamp counter, for the bench programs. Under QEMU's -icount
// shift=0 one tick is one guest instruction; lfence keeps earlier
// instructions from being counted after the read.
#pragma once
#include "lib/types.hh"

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}
