// faultbadhandler: an upcall entry that is not mapped. The exception
// stack is fine, so the only thing wrong is the entry point.
// Grader expects: the kernel kills the env at the page fault (trap 14)
// because the upcall entry 0xDEADBEEF000 is not a mapped user-executable
// page. The kernel may instead refuse the entry in sys_set_upcall; the
// fault then kills the env all the same. If the env survives it exits
// arg ^ 0x5AFE; if its own setup fails, arg ^ 0xBAD01.
#include "lib/console.hh"
#include "lib/faultprobe.hh"
#include "lib/syscall.hh"

uint64_t umain(uint64_t arg) {
    int64_t r = sys_page_alloc(0, exception_stack_top - exception_stack_size,
                               perm_present | perm_user | perm_writable);
    if (r < 0) {
        printf("faultbadhandler: check 1 failed: sys_page_alloc(exception stack) = %ld\n", r);
        return arg ^ (0xBAD00 + 1);
    }
    r = sys_set_upcall(0, 0x00000DEADBEEF000, exception_stack_top);
    if (r < 0) printf("faultbadhandler: sys_set_upcall refused the entry: %ld\n", r);

    const uintptr_t unmapped = 0x0000100000000000 + ((arg & 0xFF) << 24);
    uint64_t v = load_probe(unmapped);   // the grader checks the recorded rip
    printf("faultbadhandler: survived, read %lx\n", v);
    return arg ^ 0x5AFE;
}
