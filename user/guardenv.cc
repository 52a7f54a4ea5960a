// guardenv: guard 1. A syscall may name only the caller or one of its
// direct children: never a parent, a sibling, a grandchild, an env that
// has ended, or an id with bits above 32 (which truncated would name a
// child). A child C1 runs checks against its parent and its sibling C2;
// the parent checks C1's child G; every syscall that takes an env id is
// tried. C1 reports through our shared data page.
// Grader expects: exit arg ^ 0x600D; else arg ^ (0xBAD00 + n) for the
// parent's check n, or arg ^ (0xBAD00 + 100 + n) for C1's check n.
#include "user/lab4.hh"

namespace {
const char* program_name = "guardenv";
int check_number = 0;

constexpr uintptr_t child_stack = 0x10000000;
constexpr uintptr_t scratch = 0x20000000;

volatile uint64_t child_result, child_done, grandchild, may_finish;

// Every call that names an env, naming `other`: all must be refused with
// E_BAD_ENV. Returns 0 or the number of the first that was not.
int refuses_everything(int32_t other) {
    UTrapFrame regs{};
    regs.rip = user_text_base, regs.rsp = user_stack_top;
    uintptr_t text = user_text_base;
    const int64_t results[] = {
        sys_page_alloc(other, scratch, prw),
        sys_page_unmap(other, text),
        sys_page_map(0, text, other, scratch, pr),
        sys_page_map(other, text, 0, scratch, pr),
        sys_set_upcall(other, 0, 0),
        sys_env_set_status(other, env_not_runnable),
        sys_env_set_trapframe(other, &regs),
        sys_env_destroy(other),   // last: if it wrongly works, the rest already ran
    };
    for (int i = 0; i < int(sizeof results / sizeof results[0]); ++i)
        if (results[i] != E_BAD_ENV) return i + 1;
    return 0;
}

[[noreturn]] void child_main(uint64_t arg, uint64_t parent, uint64_t sibling) {
    uint64_t result = arg ^ ok_status;
    auto self_check = [](uint64_t a, int n) { return a ^ (fail_base + 100 + n); };
    if (int n = refuses_everything(static_cast<int32_t>(parent)); n) result = self_check(arg, n);
    else if (int n = refuses_everything(static_cast<int32_t>(sibling)); n) result = self_check(arg, 10 + n);
    int64_t g = sys_exofork();
    if (result == (arg ^ ok_status) && (g <= 0 || sys_page_alloc(static_cast<int32_t>(g), scratch, prw) != 0))
        result = self_check(arg, 30);
    grandchild = static_cast<uint64_t>(g);
    child_result = result;
    child_done = 1;
    // Keep G alive until the parent has tried it, then end it ourselves.
    for (int i = 0; i < 500 && !may_finish; ++i) sys_yield();
    if (g > 0) sys_env_destroy(static_cast<int32_t>(g));
    sys_exit(0);
}

}  // namespace

uint64_t umain(uint64_t arg) {
    int32_t self = sys_getenvid();
    int64_t c1 = sys_exofork(), c2 = sys_exofork();
    CHECK(c1 > 0 && c2 > 0, true);
    // Our own children are ours to bind.
    CHECK(sys_page_alloc(static_cast<int32_t>(c2), scratch, prw), 0);
    CHECK(sys_page_map(0, user_text_base, static_cast<int32_t>(c2), scratch + 4096, pr), 0);
    // ... but their status and registers only: not our own.
    UTrapFrame regs{};
    regs.rip = user_text_base, regs.rsp = user_stack_top;
    CHECK(sys_env_set_status(0, env_not_runnable), E_INVAL);
    CHECK(sys_env_set_trapframe(self, &regs), E_INVAL);
    // An id whose upper 32 bits are set names nothing, even if its low
    // half is a child's.
    CHECK(syscall(SYS_page_alloc, (1ull << 32) | static_cast<uint32_t>(c2), scratch + 8192, prw), E_BAD_ENV);
    CHECK(syscall(SYS_page_map, 0, user_text_base, (1ull << 32) | static_cast<uint32_t>(c2), scratch, pr),
          E_BAD_ENV);

    CHECK(start_child(static_cast<int32_t>(c1), child_main, child_stack, arg, static_cast<uint64_t>(self),
                      static_cast<uint64_t>(c2)),
          0);
    CHECK(wait_for(&child_done), true);
    if (child_result != (arg ^ ok_status)) {
        printf("guardenv: the child's check %lu failed\n", (child_result ^ arg) - fail_base - 100);
        return child_result;
    }
    // A grandchild is not ours.
    CHECK(refuses_everything(static_cast<int32_t>(grandchild)), 0);
    may_finish = 1;
    // C1 ends: its id goes stale and must stay refused.
    for (int i = 0; i < 10; ++i) sys_yield();
    CHECK(refuses_everything(static_cast<int32_t>(c1)), 0);
    CHECK(sys_env_destroy(static_cast<int32_t>(c2)), 0);
    CHECK(refuses_everything(static_cast<int32_t>(c2)), 0);
    return arg ^ ok_status;
}
