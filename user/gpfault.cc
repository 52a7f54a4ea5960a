// gpfault: a privileged instruction (hlt) in ring 3.
// Grader expects: the kernel kills the env with a general protection
// fault (trap 13). If the env survives it exits arg ^ 0x5AFE.
#include "lib/console.hh"

uint64_t umain(uint64_t arg) {
    asm volatile("hlt");
    printf("gpfault: survived hlt in ring 3\n");
    return arg ^ 0x5AFE;
}
