// faultnostack: a valid upcall entry but no exception stack: the kernel
// must not write the UTrapFrame to memory the env has not mapped.
// Grader expects: the kernel kills the env at the page fault (trap 14)
// because the frame would land on an unmapped page. If the env survives
// (with the handler run or not) it exits arg ^ 0x5AFE. The kernel may
// instead refuse the upcall in sys_set_upcall; the fault then kills the
// env all the same.
#include "lib/console.hh"
#include "lib/faultprobe.hh"
#include "lib/pgfault.hh"
#include "lib/syscall.hh"

namespace {

volatile uint64_t the_arg;

void handler(UTrapFrame*) {
    printf("faultnostack: the handler ran without an exception stack\n");
    sys_exit(the_arg ^ 0x5AFE);
}

}  // namespace

uint64_t umain(uint64_t arg) {
    the_arg = arg;
    // What set_pgfault_handler does, minus allocating the stack.
    pgfault_handler = handler;
    int64_t r = sys_set_upcall(0, reinterpret_cast<uintptr_t>(&pgfault_upcall),
                               exception_stack_top);
    if (r < 0) printf("faultnostack: sys_set_upcall refused the upcall: %ld\n", r);

    const uintptr_t unmapped = 0x0000100000000000 + ((arg & 0xFF) << 24);
    uint64_t v = load_probe(unmapped);   // the grader checks the recorded rip
    printf("faultnostack: survived, read %lx\n", v);
    return arg ^ 0x5AFE;
}
