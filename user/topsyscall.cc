// topsyscall: the edges of the user half. The last page below the
// canonical hole (0x7FFFFFFFF000) must never be mappable: a 2-byte
// `syscall` in its last bytes would return to 0x800000000000, and an
// `iretq` to that non-canonical rip faults in ring 0 on real hardware. The
// null page must not be mappable either; the page below the top one must.
// Grader expects: exit arg ^ 0x600D; on the first failed check n, a line
// "topsyscall: check n failed: ..." and exit arg ^ (0xBAD00 + n). If the top
// page was mapped, the program tries the syscall there first.
#include "lib/console.hh"
#include "lib/error.hh"
#include "lib/syscall.hh"

namespace {
constexpr uintptr_t top_page = 0x00007FFFFFFFF000;
constexpr uint64_t prw = perm_present | perm_user | perm_writable;

[[noreturn]] void syscall_at_the_top() {
    auto* code = reinterpret_cast<volatile uint8_t*>(top_page);
    code[4094] = 0x0F;   // syscall
    code[4095] = 0x05;
    register uint64_t number asm("rax") = SYS_getenvid;
    asm volatile("jmp *%1" : "+r"(number) : "r"(top_page + 4094) : "memory");
    __builtin_unreachable();
}
}  // namespace

uint64_t umain(uint64_t arg) {
    int n = 0;
#define CHECK(expr, want)                                                                  \
    do {                                                                                   \
        ++n;                                                                               \
        int64_t got_ = (expr);                                                             \
        if (got_ != (want)) {                                                              \
            printf("topsyscall: check %d failed: %s = %ld, want %ld\n", n, #expr, got_,    \
                   static_cast<int64_t>(want));                                            \
            return arg ^ (0xBAD00 + n);                                                    \
        }                                                                                  \
    } while (0)

    int64_t r = sys_page_alloc(0, top_page, prw | perm_no_execute);
    if (r == 0) {
        sys_page_unmap(0, top_page);
        // Executable this time, to show what the mapping allows.
        if (sys_page_alloc(0, top_page, prw) == 0) {
            printf("topsyscall: check 1 failed: mapped the top page; trying a syscall there\n");
            syscall_at_the_top();
        }
    }
    CHECK(r, E_INVAL);                                        // 1
    CHECK(sys_page_alloc(0, 0, prw), E_INVAL);                // 2: the null page
    CHECK(sys_page_alloc(0, top_page - 4096, prw), 0);        // 3: the highest user page
    auto* last = reinterpret_cast<volatile char*>(top_page - 8);
    for (int i = 0; i < 8; ++i) last[i] = "top ok\n"[i];
    CHECK(sys_cputs(reinterpret_cast<const char*>(top_page - 8), 8), 8);   // 4
    CHECK(sys_cputs(reinterpret_cast<const char*>(top_page - 8), 16), E_FAULT);  // 5: runs into it
    CHECK(sys_page_unmap(0, top_page - 4096), 0);             // 6
#undef CHECK
    return arg ^ 0x600D;
}
