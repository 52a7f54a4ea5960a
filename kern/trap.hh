// Traps: the saved state of an interrupted context, the IDT, and the one
// function every interrupt, exception and system call enters.
#pragma once
#include "lib/types.hh"

// Laid out by trapentry.S: the general registers it pushes, then the vector
// and error code, then what the CPU pushed. A trap from user mode builds it
// in place in the running env (traps::set_user_frame), so its end must be
// 16-aligned: the CPU aligns rsp down to 16 before it pushes.
struct alignas(16) TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) == 3; }
};
static_assert(sizeof(TrapFrame) % 16 == 0);

namespace trap_vector {
constexpr uint64_t divide = 0, nmi = 2, breakpoint = 3, invalid_opcode = 6, double_fault = 8,
                   general_protection = 13, page_fault = 14, machine_check = 18, timer = 32;
// Not a gate: the tag syscall_entry puts in the frame of a `syscall`.
// Its IDT gate stays kernel-only, so `int $0x30` from user code is a #GP.
constexpr uint64_t syscall = 0x30;
}

namespace traps {
// Loads the GDT, TSS and IDT, enables the `syscall` instruction, and
// starts the timer (interrupts stay off in
// the kernel; user code runs with them on).
void init();
const char* name(uint64_t vector);
// Where the next trap or system call from user mode saves its registers:
// tf, the running env's (env::run calls it when the env changes).
void set_user_frame(TrapFrame& tf);
}  // namespace traps

// Resumes the context in tf (assembly; never returns).
extern "C" [[noreturn]] void trap_return(const TrapFrame* tf);
