// badsyscall: the kernel must reject bad syscall arguments with the right
// error instead of faulting, and still serve good ones afterwards.
// Grader expects: exit arg ^ 0x600D; on the first failed check n, a line
// "badsyscall: check n failed: ..." and exit arg ^ (0xBAD00 + n).
// Relies on 0x10000000 and [user_stack_top, user_stack_top + 64) being
// unmapped at start.
#include "lib/console.hh"
#include "lib/error.hh"
#include "lib/syscall.hh"

namespace {

constexpr uintptr_t kernel_va = 0xFFFFFFFF80100000;
constexpr uintptr_t free_va = 0x10000000;  // nothing is mapped here
constexpr uint64_t prw = perm_present | perm_user | perm_writable;

const char* as_ptr(uintptr_t va) { return reinterpret_cast<const char*>(va); }

}  // namespace

uint64_t umain(uint64_t arg) {
    int n = 0;
    // Each check: the syscall's result must equal want. Stops at the
    // first failure so the exit status names it.
#define CHECK(expr, want)                                                            \
    do {                                                                             \
        ++n;                                                                         \
        int64_t got_ = (expr);                                                       \
        if (got_ != (want)) {                                                        \
            printf("badsyscall: check %d failed: %s = %ld (%s), want %d (%s)\n", n, \
                   #expr, got_, error_name(static_cast<int>(got_)), (want),          \
                   error_name(want));                                                \
            return arg ^ (0xBAD00 + n);                                              \
        }                                                                            \
    } while (0)

    char buf[16] = "0123456789abcde";

    // 1-4: sys_cputs must check the whole buffer is user memory.
    CHECK(sys_cputs(as_ptr(kernel_va), 16), E_FAULT);
    CHECK(sys_cputs(as_ptr(free_va), 16), E_FAULT);
    CHECK(sys_cputs(buf, UINT64_MAX), E_FAULT);  // buf + len wraps around
    // Starts inside the stack, ends past its top.
    CHECK(sys_cputs(as_ptr(user_stack_top - 64), 128), E_FAULT);

    // 5: an unknown syscall number.
    CHECK(syscall(999), E_NO_SYS);

    // 6-9: sys_page_alloc's address and permission checks.
    CHECK(sys_page_alloc(0, 0xFFFFFFFF80000000, prw), E_INVAL);  // kernel half
    CHECK(sys_page_alloc(0, free_va + 1, prw), E_INVAL);         // unaligned
    CHECK(sys_page_alloc(0, free_va, perm_present | perm_user | (1ull << 8)), E_INVAL);  // global
    CHECK(sys_page_alloc(0, free_va, perm_present), E_INVAL);    // not user

    // 10-12: env ids that name no env. The last is our own id with bits
    // above 32 set: truncated, it would destroy us.
    CHECK(sys_env_destroy(0x7FFFFFFF), E_BAD_ENV);
    CHECK(sys_set_upcall(0x7FFFFFFF, 0, 0), E_BAD_ENV);
    CHECK(syscall(SYS_env_destroy, (1ull << 32) | static_cast<uint32_t>(sys_getenvid())), E_BAD_ENV);
    // 13: the same for sys_page_alloc, which must find its target the same way.
    CHECK(syscall(SYS_page_alloc, (1ull << 32) | static_cast<uint32_t>(sys_getenvid()), free_va,
                  prw),
          E_BAD_ENV);

    // 14-18: the good cases still work after all that.
    CHECK(sys_cputs("ok\n", 3), 3);  // the count written
    CHECK(sys_page_alloc(0, free_va, prw), 0);
    // The page must be fresh and zeroed (lib/abi.hh), and ours to write.
    auto* page = reinterpret_cast<volatile uint64_t*>(free_va);
    ++n;
    for (size_t i = 0; i < 4096 / 8; ++i) {
        if (page[i] != 0) {
            printf("badsyscall: check %d failed: new page word %zu = %lx, want 0\n", n, i,
                   static_cast<uint64_t>(page[i]));
            return arg ^ (0xBAD00 + n);
        }
    }
    ++n;
    page[0] = arg;
    page[511] = ~arg;
    if (page[0] != arg || page[511] != ~arg) {
        printf("badsyscall: check %d failed: the new page does not keep what we wrote\n", n);
        return arg ^ (0xBAD00 + n);
    }
    CHECK(sys_page_unmap(0, free_va), 0);
    // 19: unmapped again, so the kernel must refuse to read it.
    CHECK(sys_cputs(as_ptr(free_va), 16), E_FAULT);
    // 20: user without present is no binding either.
    CHECK(sys_page_alloc(0, free_va, perm_user | perm_writable), E_INVAL);
#undef CHECK

    return arg ^ 0x600D;
}
