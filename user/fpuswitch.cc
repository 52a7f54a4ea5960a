// fpuswitch: x87 and SSE registers are per env. Two or more copies run at
// once (boot argument copies=N), each keeping values derived from its own
// argument in xmm0-xmm15 and the x87 stack, while yielding and being
// preempted; then each checks that nothing changed. A kernel that does not
// save them per env shows each copy the other's values.
// Grader expects: every copy exits its arg ^ 0x600D; on the first failed
// check n, a line "fpuswitch: check n failed: ..." and arg ^ (0xBAD00 + n).
#include "lib/console.hh"
#include "lib/syscall.hh"

namespace {

// The registers live only inside these asm blocks: user code is built
// without SSE (-mgeneral-regs-only), so the compiler never touches them.
void load(uint64_t v) {
    asm volatile(
        "movq %0, %%xmm0\n movq %0, %%xmm1\n movq %0, %%xmm2\n movq %0, %%xmm3\n"
        "movq %0, %%xmm4\n movq %0, %%xmm5\n movq %0, %%xmm6\n movq %0, %%xmm7\n"
        "movq %0, %%xmm8\n movq %0, %%xmm9\n movq %0, %%xmm10\n movq %0, %%xmm11\n"
        "movq %0, %%xmm12\n movq %0, %%xmm13\n movq %0, %%xmm14\n movq %0, %%xmm15\n"
        "fninit\n fildll %1\n"
        : : "r"(v), "m"(v));
}

// The sum of every xmm register's low half, and the x87 top.
void read(uint64_t* xmm_sum, uint64_t* x87) {
    uint64_t sum = 0, t;
#define XMM(n) asm volatile("movq %%xmm" #n ", %0" : "=r"(t)); sum += t;
    XMM(0) XMM(1) XMM(2) XMM(3) XMM(4) XMM(5) XMM(6) XMM(7)
    XMM(8) XMM(9) XMM(10) XMM(11) XMM(12) XMM(13) XMM(14) XMM(15)
#undef XMM
    *xmm_sum = sum;
    asm volatile("fistpll %0\n fildll %0" : "=m"(*x87));   // read, and put it back
}

}  // namespace

uint64_t umain(uint64_t arg) {
    uint64_t sum, x87;
    read(&sum, &x87);
    if (sum != 0) {
        printf("fpuswitch: check 1 failed: a new env's xmm registers are not zero\n");
        return arg ^ (0xBAD00 + 1);
    }
    const uint64_t mine = (arg & 0x0000FFFFFFFFFFFF) | 1;   // exact in the x87's 64-bit mantissa
    load(mine);
    for (int round = 0; round < 200; ++round) {
        if (round % 2) sys_yield();
        else for (int spin = 0; spin < 20000; ++spin) asm volatile("");   // let the timer preempt
        read(&sum, &x87);
        if (sum != mine * 16) {
            printf("fpuswitch: check 2 failed: round %d: xmm sum %lx, want %lx\n", round, sum, mine * 16);
            return arg ^ (0xBAD00 + 2);
        }
        if (x87 != mine) {
            printf("fpuswitch: check 3 failed: round %d: x87 %lx, want %lx\n", round, x87, mine);
            return arg ^ (0xBAD00 + 3);
        }
    }
    return arg ^ 0x600D;
}
