// topsegment: an ELF with a loadable segment in the last user page (at
// 0x7FFFFFFFF000, user/topsegment.ld) that ends in a `syscall`. If the
// loader took it, a jump there would return to 0x800000000000, a
// non-canonical address: an `iretq` to it faults in ring 0 on real
// hardware. Grader expects: env::create refuses the program with E_INVAL
// (checkpoint 0xE1), so this never runs; if it does run, it tries the
// syscall and, should it come back, exits arg ^ 0x5AFE.
#include "lib/syscall.hh"

asm(".section .toppage, \"ax\"\n"
    ".globl top_syscall\n"
    "top_syscall:\n"
    ".skip 4094, 0x90\n"     // nops up to the last two bytes
    "syscall\n"
    ".text\n");
// The start of the top page: nops run down to the syscall in its last two
// bytes, whose return address is the first non-canonical one.
constexpr uintptr_t top_syscall = 0x00007FFFFFFFF000;

uint64_t umain(uint64_t arg) {
    register uint64_t number asm("rax") = SYS_getenvid;
    asm volatile("call *%1" : "+r"(number) : "r"(top_syscall) : "rcx", "r11", "memory");
    return arg ^ 0x5AFE;
}
