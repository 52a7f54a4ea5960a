// sidt: with UMIP on, user code may not read the IDT's address (it would
// tell an attacker where the kernel is). Grader expects (a kit check): the
// env killed by a general-protection fault at the sidt. If it survives, it
// exits arg ^ 0x5AFE.
#include "lib/console.hh"

uint64_t umain(uint64_t arg) {
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } idt{};
    asm volatile("sidt %0" : "=m"(idt));
    printf("sidt: read the IDT base %lx\n", idt.base);
    return arg ^ 0x5AFE;
}
