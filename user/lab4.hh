// What Lab 4's graded programs share beyond user/checks.hh: a way to start
// a child running one of our functions (built only from Lab 4's system
// calls: a preview of Lab 5's spawn).
#pragma once
#include "user/checks.hh"
#include "lib/frametable.hh"
#include "lib/syscall.hh"
#include "lib/uvpt.hh"

extern "C" char end[];   // user/user.ld: the first address past the program

// The PTE bits a binding may carry, from our own PTE through the self-map.
inline uint64_t rights_of(uintptr_t va) {
    return uvpt::pte_of(va) & (perm_present | perm_user | perm_writable | perm_no_execute);
}

// Binds every page of our program into child, with the rights we hold. Data
// and bss are then shared (writes show on both sides): the channel a child
// reports through. 0 or the first error.
inline int64_t share_program(int32_t child) {
    for (uintptr_t va = user_text_base; va < reinterpret_cast<uintptr_t>(end); va += 4096) {
        if (!uvpt::mapped(va)) continue;
        if (int64_t r = sys_page_map(0, va, child, va, rights_of(va)); r < 0) return r;
    }
    return 0;
}

// Makes child (an exofork child) run fn(a, b, c) on a fresh stack page at
// stack_va, sharing our program. fn must end with sys_exit.
inline int64_t start_child(int32_t child, void (*fn)(uint64_t, uint64_t, uint64_t), uintptr_t stack_va,
                           uint64_t a, uint64_t b, uint64_t c) {
    if (int64_t r = share_program(child); r < 0) return r;
    if (int64_t r = sys_page_alloc(child, stack_va, prw | perm_no_execute); r < 0) return r;
    UTrapFrame regs{};
    regs.rip = reinterpret_cast<uintptr_t>(fn);
    regs.rsp = stack_va + 4096 - 8;   // as if called: rsp + 8 is 16-aligned
    regs.rdi = a, regs.rsi = b, regs.rdx = c;
    if (int64_t r = sys_env_set_trapframe(child, &regs); r < 0) return r;
    return sys_env_set_status(child, env_runnable);
}

// Yields until *flag is nonzero (a child sets it), at most `tries` times.
inline bool wait_for(const volatile uint64_t* flag, int tries = 200) {
    for (int i = 0; i < tries && !*flag; ++i) sys_yield();
    return *flag != 0;
}
