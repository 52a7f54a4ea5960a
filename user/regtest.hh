// What the register-preservation programs share (faultregs, Lab 3;
// sliceregs, Lab 6): fifteen general registers loaded with test values and
// a flag pattern by an asm block that then does one thing (take a fault,
// spin across slice ends), saves them all again, and restores the
// compiler's. The block as a whole changes only memory and flags, so it
// needs no clobber list (rbp, the frame pointer, could not be listed).
//
// The fragments below are asm text for such a block; its operands must
// include [st] (a pointer to the program's state struct), [in], [out],
// [rfl], [rspa] (offsets in it of the values loaded, the values saved,
// rflags saved, rsp after), [clear] (~test_flags_mask) and [set]
// (test_flags_set).
#pragma once
#include "lib/types.hh"

// Register order: UTrapFrame's, r15 first, rax last.
constexpr int test_reg_count = 15;
inline const char* const test_reg_names[test_reg_count] = {
    "r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "rbp", "rdi", "rsi", "rdx", "rcx", "rbx", "rax"};

constexpr uint64_t flag_cf = 1 << 0, flag_pf = 1 << 2, flag_af = 1 << 4, flag_zf = 1 << 6,
                   flag_sf = 1 << 7, flag_df = 1 << 10, flag_of = 1 << 11;
// The flags the test controls, and the pattern it sets among them: CF,
// ZF, SF and OF together (no arithmetic result has them all), PF, AF and
// DF clear.
constexpr uint64_t test_flags_mask = flag_cf | flag_pf | flag_af | flag_zf | flag_sf | flag_df | flag_of;
constexpr uint64_t test_flags_set = flag_cf | flag_zf | flag_sf | flag_of;

// A distinct value a register for any arg (an odd multiplier).
constexpr uint64_t test_value(uint64_t arg, int reg) { return arg ^ ((reg + 1) * 0x9E3779B97F4A7C15ull); }

// Changes what a C function may: every caller-saved register, and the
// flags (xor leaves ZF and PF set, CF, SF and OF clear: the opposite of
// the test pattern). A handler calls it so that only a return path that
// restores everything passes.
inline void trash_caller_saved() {
    asm volatile(
        "mov $0xBADBADBAD, %%rax\n\t"
        "mov %%rax, %%rcx\n\tmov %%rax, %%rdx\n\tmov %%rax, %%rsi\n\tmov %%rax, %%rdi\n\t"
        "mov %%rax, %%r8\n\tmov %%rax, %%r9\n\tmov %%rax, %%r10\n\tmov %%rax, %%r11\n\t"
        "xor %%eax, %%eax"
        :
        :
        : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "cc");
}

// Saves the compiler's registers, then keeps the state pointer on the
// stack (every register will hold a test value) and in rax.
#define REGTEST_ENTER                                                   \
    "push %%rax\n\tpush %%rbx\n\tpush %%rcx\n\tpush %%rdx\n\t"          \
    "push %%rsi\n\tpush %%rdi\n\tpush %%rbp\n\tpush %%r8\n\t"           \
    "push %%r9\n\tpush %%r10\n\tpush %%r11\n\tpush %%r12\n\t"           \
    "push %%r13\n\tpush %%r14\n\tpush %%r15\n\t"                        \
    "push %[st]\n\t"                                                    \
    "mov %[st], %%rax\n\t"

// Every register from in[] (rax, the base, last), and the flag pattern,
// changing no register; mov leaves the flags alone.
#define REGTEST_LOAD                                                    \
    "mov %c[in]+0*8(%%rax), %%r15\n\t"                                  \
    "mov %c[in]+1*8(%%rax), %%r14\n\t"                                  \
    "mov %c[in]+2*8(%%rax), %%r13\n\t"                                  \
    "mov %c[in]+3*8(%%rax), %%r12\n\t"                                  \
    "mov %c[in]+4*8(%%rax), %%r11\n\t"                                  \
    "mov %c[in]+5*8(%%rax), %%r10\n\t"                                  \
    "mov %c[in]+6*8(%%rax), %%r9\n\t"                                   \
    "mov %c[in]+7*8(%%rax), %%r8\n\t"                                   \
    "mov %c[in]+8*8(%%rax), %%rbp\n\t"                                  \
    "mov %c[in]+9*8(%%rax), %%rdi\n\t"                                  \
    "mov %c[in]+10*8(%%rax), %%rsi\n\t"                                 \
    "mov %c[in]+11*8(%%rax), %%rdx\n\t"                                 \
    "mov %c[in]+12*8(%%rax), %%rcx\n\t"                                 \
    "mov %c[in]+13*8(%%rax), %%rbx\n\t"                                 \
    "pushfq\n\t"                                                        \
    "andq %[clear], (%%rsp)\n\t"                                        \
    "orq %[set], (%%rsp)\n\t"                                           \
    "popfq\n\t"                                                         \
    "mov %c[in]+14*8(%%rax), %%rax\n\t"

// rflags first (nothing here changes flags), then every register into
// out[], rsp (at the level it had while the test values were live) into
// rsp_after; then the compiler's registers back.
#define REGTEST_SAVE_AND_LEAVE                                          \
    "pushfq\n\t"                                                        \
    "push %%r15\n\tpush %%r14\n\tpush %%r13\n\tpush %%r12\n\t"          \
    "push %%r11\n\tpush %%r10\n\tpush %%r9\n\tpush %%r8\n\t"            \
    "push %%rbp\n\tpush %%rdi\n\tpush %%rsi\n\tpush %%rdx\n\t"          \
    "push %%rcx\n\tpush %%rbx\n\tpush %%rax\n\t"                        \
    "mov 16*8(%%rsp), %%rax\n\t" /* the state pointer, under them */    \
    "popq %c[out]+14*8(%%rax)\n\t"                                      \
    "popq %c[out]+13*8(%%rax)\n\t"                                      \
    "popq %c[out]+12*8(%%rax)\n\t"                                      \
    "popq %c[out]+11*8(%%rax)\n\t"                                      \
    "popq %c[out]+10*8(%%rax)\n\t"                                      \
    "popq %c[out]+9*8(%%rax)\n\t"                                       \
    "popq %c[out]+8*8(%%rax)\n\t"                                       \
    "popq %c[out]+7*8(%%rax)\n\t"                                       \
    "popq %c[out]+6*8(%%rax)\n\t"                                       \
    "popq %c[out]+5*8(%%rax)\n\t"                                       \
    "popq %c[out]+4*8(%%rax)\n\t"                                       \
    "popq %c[out]+3*8(%%rax)\n\t"                                       \
    "popq %c[out]+2*8(%%rax)\n\t"                                       \
    "popq %c[out]+1*8(%%rax)\n\t"                                       \
    "popq %c[out]+0*8(%%rax)\n\t"                                       \
    "popq %c[rfl](%%rax)\n\t"                                           \
    "mov %%rsp, %c[rspa](%%rax)\n\t"                                    \
    "lea 8(%%rsp), %%rsp\n\t" /* drop the state pointer */              \
    "pop %%r15\n\tpop %%r14\n\tpop %%r13\n\tpop %%r12\n\t"              \
    "pop %%r11\n\tpop %%r10\n\tpop %%r9\n\tpop %%r8\n\t"                \
    "pop %%rbp\n\tpop %%rdi\n\tpop %%rsi\n\tpop %%rdx\n\t"              \
    "pop %%rcx\n\tpop %%rbx\n\tpop %%rax"
