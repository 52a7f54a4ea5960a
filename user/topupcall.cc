// topupcall: an upcall entry in the last user page, at 0x7FFFFFFFFFFE, where
// a 2-byte `syscall` would return to a non-canonical address. That page can
// never be mapped, so the entry is not user code.
// Grader expects: the env killed as bad_upcall at its page fault. If the
// top page could be mapped, the entry holds a syscall and the env meets the
// non-canonical return; if it survives, it exits arg ^ 0x5AFE.
#include "lib/console.hh"
#include "lib/syscall.hh"

uint64_t umain(uint64_t arg) {
    constexpr uintptr_t top_page = 0x00007FFFFFFFF000;
    constexpr uint64_t prw = perm_present | perm_user | perm_writable;
    if (sys_page_alloc(0, exception_stack_top - exception_stack_size, prw) < 0) {
        printf("topupcall: check 1 failed: no exception stack\n");
        return arg ^ (0xBAD00 + 1);
    }
    if (sys_page_alloc(0, top_page, prw) == 0) {
        auto* code = reinterpret_cast<volatile uint8_t*>(top_page);
        code[4094] = 0x0F;   // syscall
        code[4095] = 0x05;
    }
    sys_set_upcall(0, top_page + 4094, exception_stack_top);
    // The upcall starts with the registers of the fault: rax is a valid
    // system call number, so the entry's syscall would succeed.
    const uintptr_t unmapped = 0x0000100000000000 + ((arg & 0xFF) << 24);
    uint64_t value;
    asm volatile("mov (%2), %0" : "=r"(value) : "a"(SYS_getenvid), "r"(unmapped) : "memory");
    printf("topupcall: survived, read %lx\n", value);
    return arg ^ 0x5AFE;
}
