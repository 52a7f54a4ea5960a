// faultnxhandler: the upcall entry is mapped and user, but no-execute (a
// data page holding a copy of the code). The kernel must refuse the entry:
// the CPU would fault on fetching it, and again on the fault's upcall.
// Grader expects: the env killed as bad_upcall at its page fault, with the
// faulting rip recorded. If it survives, it exits arg ^ 0x5AFE.
#include "lib/console.hh"
#include "lib/faultprobe.hh"
#include "lib/syscall.hh"

uint64_t umain(uint64_t arg) {
    constexpr uint64_t prw = perm_present | perm_user | perm_writable;
    constexpr uintptr_t data_page = 0x0000100000000000;
    if (sys_page_alloc(0, exception_stack_top - exception_stack_size, prw) < 0 ||
        sys_page_alloc(0, data_page, prw | perm_no_execute) < 0) {
        printf("faultnxhandler: check 1 failed: sys_page_alloc\n");
        return arg ^ (0xBAD00 + 1);
    }
    auto* code = reinterpret_cast<volatile uint8_t*>(data_page);
    code[0] = 0x0F;   // ud2: had the entry run, the env dies of an invalid opcode
    code[1] = 0x0B;
    sys_set_upcall(0, data_page, exception_stack_top);
    const uintptr_t unmapped = 0x0000200000000000 + ((arg & 0xFF) << 24);
    uint64_t v = load_probe(unmapped);   // the grader checks the recorded rip
    printf("faultnxhandler: survived, read %lx\n", v);
    return arg ^ 0x5AFE;
}
