// faultkernelhandler: an upcall entry in the kernel. If the kernel jumped
// there in ring 3 it would just fault again; what matters is that it
// never trusts a user-supplied kernel address.
// Grader expects: the kernel kills the env at the page fault (trap 14)
// because the upcall entry 0xFFFFFFFF80100000 is not a user page. The
// kernel may instead refuse the entry in sys_set_upcall; the fault then
// kills the env all the same. If the env survives it exits arg ^ 0x5AFE;
// if its own setup fails, arg ^ 0xBAD01.
#include "lib/console.hh"
#include "lib/faultprobe.hh"
#include "lib/syscall.hh"

uint64_t umain(uint64_t arg) {
    int64_t r = sys_page_alloc(0, exception_stack_top - exception_stack_size,
                               perm_present | perm_user | perm_writable);
    if (r < 0) {
        printf("faultkernelhandler: check 1 failed: sys_page_alloc(exception stack) = %ld\n", r);
        return arg ^ (0xBAD00 + 1);
    }
    r = sys_set_upcall(0, 0xFFFFFFFF80100000, exception_stack_top);
    if (r < 0) printf("faultkernelhandler: sys_set_upcall refused the entry: %ld\n", r);

    const uintptr_t unmapped = 0x0000100000000000 + ((arg & 0xFF) << 24);
    uint64_t v = load_probe(unmapped);   // the grader checks the recorded rip
    printf("faultkernelhandler: survived, read %lx\n", v);
    return arg ^ 0x5AFE;
}
