#include "lib/pgfault.hh"
#include "lib/syscall.hh"
#include <stddef.h>

// lib/pfentry.S finds the frame's fields by these offsets (its UTF_*
// constants) and pops r15 .. rax, rip, rflags, rsp in this order. If
// lib/abi.hh changes the layout, fix pfentry.S and these lines together.
static_assert(offsetof(UTrapFrame, r15) == 3 * 8);   // UTF_R15
static_assert(offsetof(UTrapFrame, r14) == 4 * 8);
static_assert(offsetof(UTrapFrame, r13) == 5 * 8);
static_assert(offsetof(UTrapFrame, r12) == 6 * 8);
static_assert(offsetof(UTrapFrame, r11) == 7 * 8);
static_assert(offsetof(UTrapFrame, r10) == 8 * 8);
static_assert(offsetof(UTrapFrame, r9) == 9 * 8);
static_assert(offsetof(UTrapFrame, r8) == 10 * 8);
static_assert(offsetof(UTrapFrame, rbp) == 11 * 8);
static_assert(offsetof(UTrapFrame, rdi) == 12 * 8);
static_assert(offsetof(UTrapFrame, rsi) == 13 * 8);
static_assert(offsetof(UTrapFrame, rdx) == 14 * 8);
static_assert(offsetof(UTrapFrame, rcx) == 15 * 8);
static_assert(offsetof(UTrapFrame, rbx) == 16 * 8);
static_assert(offsetof(UTrapFrame, rax) == 17 * 8);
static_assert(offsetof(UTrapFrame, rip) == 18 * 8);  // UTF_RIP
static_assert(offsetof(UTrapFrame, rflags) == 19 * 8);
static_assert(offsetof(UTrapFrame, rsp) == 20 * 8);  // UTF_RSP

// C linkage comes from the declaration in lib/pgfault.hh.
PageFaultHandler pgfault_handler = nullptr;

namespace {
bool stack_mapped = false, upcall_registered = false;
}

int exception_stack_ready() {
    if (stack_mapped) return 0;
    // No execute: nothing should ever run from the exception stack.
    int64_t r = sys_page_alloc(0, exception_stack_top - exception_stack_size,
                               perm_present | perm_user | perm_writable | perm_no_execute);
    if (r < 0) return static_cast<int>(r);
    // Lab 6's slice upcalls need the stack with no fault handler yet.
    if (!upcall_registered && (r = sys_set_upcall(0, 0, exception_stack_top)) < 0) return static_cast<int>(r);
    stack_mapped = true;
    return 0;
}

int set_pgfault_handler(PageFaultHandler h) {
    // Store first: once the upcall is registered, a fault may arrive at
    // any time and the trampoline calls whatever is here.
    pgfault_handler = h;
    if (upcall_registered) return 0;
    if (int r = exception_stack_ready(); r < 0) return r;
    int64_t r = sys_set_upcall(0, reinterpret_cast<uintptr_t>(&pgfault_upcall), exception_stack_top);
    if (r < 0) return static_cast<int>(r);
    upcall_registered = true;
    return 0;
}
