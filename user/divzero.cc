// divzero: an integer divide by zero in ring 3.
// Grader expects: the kernel kills the env with a divide error (trap 0).
// If the env survives it exits arg ^ 0x5AFE.
#include "lib/console.hh"

uint64_t umain(uint64_t arg) {
    // volatile, so the compiler cannot see the zero and must emit the div.
    volatile uint64_t zero = 0;
    uint64_t q = arg / zero;
    printf("divzero: survived the divide, got %lx\n", q);
    return arg ^ 0x5AFE;
}
