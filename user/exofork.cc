// exofork: the kernel's half of fork. The child starts not runnable, with
// an empty user half and the parent's registers, and sees 0 where the
// parent sees its id.
// Grader: breaks at grader_report(1, child, 0) to check the child in the
// kernel (status, parent, empty user half, rax 0, rip at exofork_returned,
// r12 as the parent left it); then expects the child to exit with
// arg ^ 0xC41D (from xmm5, which only exofork's copy of the parent's FPU
// state gives it) and the parent with arg ^ 0x600D.
#include "user/lab4.hh"

namespace {
const char* program_name = "exofork";
int check_number = 0;
constexpr uint64_t child_status = 0xC41D;
}  // namespace

// The child resumes after the syscall with the parent's rsp, but its
// stack is not mapped: its path to SYS_exit must not touch memory.
// r12 is a general register the grader reads in the child's saved
// state; xmm5 is SSE state, which the child exits with: both must be the
// parent's.
extern "C" [[gnu::noinline]] int64_t exofork_raw(uint64_t r12_for_child, uint64_t xmm5_for_child) {
    int64_t r;
    register uint64_t r12 asm("r12") = r12_for_child;
    asm volatile(
        "movq %[xmm], %%xmm5\n"
        "syscall\n"
        ".globl exofork_returned\n"
        "exofork_returned:\n"
        "test %%rax, %%rax\n"
        "jnz 1f\n"
        "movq %%xmm5, %%rdi\n"
        "mov %[exit], %%eax\n"
        "syscall\n"
        "ud2\n"
        "1:\n"
        : "=a"(r)
        : "a"(uint64_t(SYS_exofork)), "r"(r12), [xmm] "r"(xmm5_for_child), [exit] "i"(SYS_exit)
        : "rcx", "r11", "rdi", "memory", "cc");   // xmm5 too, but user code is built without SSE
    return r;
}

uint64_t umain(uint64_t arg) {
    int64_t child = exofork_raw(arg ^ child_status, arg ^ child_status);
    CHECK(child > 0, true);
    grader_report(1, static_cast<uint64_t>(child), 0);
    // Not runnable: yielding must not run it (it would die at once, with
    // no code mapped, and the grader would see that ending).
    for (int i = 0; i < 3; ++i) sys_yield();
    // Give it the page its path runs on (and the rest of the program: the
    // same rights we hold), then let it run.
    CHECK(share_program(static_cast<int32_t>(child)), 0);
    CHECK(sys_env_set_status(static_cast<int32_t>(child), env_runnable), 0);
    for (int i = 0; i < 5; ++i) sys_yield();
    // It has exited: its id names nothing now.
    CHECK(sys_env_set_status(static_cast<int32_t>(child), env_runnable), E_BAD_ENV);
    return arg ^ ok_status;
}
