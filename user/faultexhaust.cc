// faultexhaust: a page-fault handler that faults again every time, so each
// nested frame goes below the last until the exception stack is used up.
// The page just below the exception stack is mapped and writable, so a
// kernel that does not stop at the bottom of the exception stack writes its
// frames there, and the handler notices it is running below the stack.
// Grader expects: the env killed as no_exception_stack, and its frames
// returned. If the handler ever runs below the exception stack, the env
// exits arg ^ 0x5AFE.
#include "lib/console.hh"
#include "lib/pgfault.hh"
#include "lib/syscall.hh"

namespace {
volatile uint64_t the_arg;
volatile uintptr_t next_fault;
volatile int depth;
constexpr uintptr_t stack_bottom = exception_stack_top - exception_stack_size;

void handler(UTrapFrame*) {
    uintptr_t sp;
    asm volatile("mov %%rsp, %0" : "=r"(sp));
    if (sp < stack_bottom) {
        printf("faultexhaust: the handler runs below the exception stack (rsp %lx, depth %d)\n",
               sp, depth);
        sys_exit(the_arg ^ 0x5AFE);
    }
    depth = depth + 1;
    uintptr_t va = next_fault;
    next_fault = va + 4096;
    *reinterpret_cast<volatile uint64_t*>(va);   // never mapped: fault again
}
}  // namespace

uint64_t umain(uint64_t arg) {
    the_arg = arg;
    next_fault = 0x0000100000000000 + ((arg & 0xFF) << 24);
    if (sys_page_alloc(0, stack_bottom - 4096, perm_present | perm_user | perm_writable) < 0 ||
        set_pgfault_handler(handler) < 0) {
        printf("faultexhaust: check 1 failed: setting up\n");
        return arg ^ (0xBAD00 + 1);
    }
    *reinterpret_cast<volatile uint64_t*>(next_fault);
    printf("faultexhaust: survived %d nested faults\n", depth);
    return arg ^ 0x5AFE;
}
