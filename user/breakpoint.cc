// breakpoint: int3 in ring 3 (vector 3, which user code may raise).
// Grader expects: the kernel kills the env with a breakpoint (trap 3).
// If the env survives (the kernel resumed it after the int3) it exits
// arg ^ 0x5AFE.
#include "lib/console.hh"

uint64_t umain(uint64_t arg) {
    asm volatile("int3");
    printf("breakpoint: survived int3\n");
    return arg ^ 0x5AFE;
}
