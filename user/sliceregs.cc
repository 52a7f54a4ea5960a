// sliceregs: the epilogue and prologue together preserve every register
// (Lab 3's faultregs technique, at slice boundaries). One asm block loads
// every general register with a distinct value derived from arg (rcx: a
// loop count) and sets CF, ZF, SF and OF, then spins on `loop`, which
// changes only rcx. The epilogue handler checks each interrupted state
// against what was loaded; at the n-th epilogue (3-5, from arg) it points
// the saved rip past the loop, and the prologue resumes there. The block
// then saves every register and rflags, which must match: rcx the value
// the last epilogue saw. Handlers clobber what a C function may.
// Grader expects: exit arg ^ 0x600D (on a failed check n, a line naming it
// and exit arg ^ (0xBAD00 + n)), and the kernel's counters show at least
// n epilogues and n prologues.
#include <stddef.h>
#include "user/lab6.hh"
#include "user/regtest.hh"

namespace {

constexpr int nregs = test_reg_count;
const char* const* const reg_names = test_reg_names;
constexpr int rcx_index = 12;
constexpr uint64_t flags_mask = test_flags_mask, flags_set = test_flags_set;

struct RegState {
    uint64_t in[nregs];
    uint64_t out[nregs];
    uint64_t rflags_out;
    uint64_t rsp_before;   // rsp in the loop
    uint64_t rsp_after;
    uint64_t loop_rip;     // the `loop` instruction
    uint64_t exit_rip;     // just past it
};

RegState state;
uint64_t the_arg;
int wanted;                // epilogues before the loop is left
volatile int epilogues_seen, prologues_seen;
uint64_t rcx_at_exit;

[[noreturn]] void fail(int n, const char* what) {
    printf("sliceregs: check %d failed: %s\n", n, what);
    sys_exit(the_arg ^ (fail_base + n));
}

// Checks 1-5: the state the kernel saved at each slice's end.
void epilogue(UTrapFrame* s) {
    if (s->vector != timer_vector) fail(1, "the saved state's vector is not the timer's");
    const uint64_t got[nregs] = {s->r15, s->r14, s->r13, s->r12, s->r11, s->r10, s->r9, s->r8,
                                 s->rbp, s->rdi, s->rsi, s->rdx, s->rcx, s->rbx, s->rax};
    for (int i = 0; i < nregs; ++i) {
        bool ok = i == rcx_index ? got[i] <= state.in[i] : got[i] == state.in[i];
        if (!ok) {
            printf("sliceregs: saved %s = %lx, loaded %lx\n", reg_names[i], got[i], state.in[i]);
            fail(2, "a register in the saved state is wrong");
        }
    }
    if ((s->rflags & flags_mask) != flags_set) fail(3, "rflags in the saved state is wrong");
    if (s->rsp != state.rsp_before) fail(4, "rsp in the saved state is wrong");
    if (s->rip != state.loop_rip) fail(5, "rip in the saved state is not the loop");
    epilogues_seen = epilogues_seen + 1;
    if (epilogues_seen == wanted) {
        rcx_at_exit = s->rcx;
        s->rip = state.exit_rip;
    }
    trash_caller_saved();
}

void prologue(UTrapFrame*) {
    prologues_seen = prologues_seen + 1;
    trash_caller_saved();
}

}  // namespace

uint64_t umain(uint64_t arg) {
    the_arg = arg;
    wanted = 3 + static_cast<int>(arg % 3);
    for (int i = 0; i < nregs; ++i) state.in[i] = test_value(arg, i);
    // Far more trips than `wanted` slices take: without epilogues the loop
    // simply runs out and check 6 says so.
    state.in[rcx_index] = 48000000 + (arg & 0xFFFF);
    if (slices::set_handlers(epilogue, prologue) < 0) fail(9, "slices::set_handlers failed");

    asm volatile(
        REGTEST_ENTER
        "lea 1f(%%rip), %%rbx\n\t"
        "mov %%rbx, %c[lrip](%%rax)\n\t"
        "lea 2f(%%rip), %%rbx\n\t"
        "mov %%rbx, %c[xrip](%%rax)\n\t"
        "mov %%rsp, %c[rspb](%%rax)\n\t"
        REGTEST_LOAD
        // The spin: `loop` changes rcx and nothing else, flags included.
        "1: loop 1b\n\t"
        "2:\n\t"
        REGTEST_SAVE_AND_LEAVE
        :
        : [st] "r"(&state), [in] "i"(offsetof(RegState, in)), [out] "i"(offsetof(RegState, out)),
          [rfl] "i"(offsetof(RegState, rflags_out)), [rspb] "i"(offsetof(RegState, rsp_before)),
          [rspa] "i"(offsetof(RegState, rsp_after)), [lrip] "i"(offsetof(RegState, loop_rip)),
          [xrip] "i"(offsetof(RegState, exit_rip)), [clear] "i"(~flags_mask), [set] "i"(flags_set)
        : "memory", "cc");

    // Checks 6-10: the state after the prologue resumed it.
    if (epilogues_seen < wanted) fail(6, "the loop ran out before the epilogues came");
    if (prologues_seen < wanted) fail(7, "the state was not resumed through the prologue");
    for (int i = 0; i < nregs; ++i) {
        uint64_t want = i == rcx_index ? rcx_at_exit : state.in[i];
        if (state.out[i] != want) {
            printf("sliceregs: after the prologue %s = %lx, want %lx\n", reg_names[i], state.out[i], want);
            fail(8, "a register changed across the slice boundary");
        }
    }
    if ((state.rflags_out & flags_mask) != flags_set) fail(10, "rflags changed across the slice boundary");
    if (state.rsp_after != state.rsp_before) fail(11, "rsp changed across the slice boundary");
    return arg ^ ok_status;
}
