// System call stubs: the library OS's only way into the kernel. Numbers
// and registers are fixed by lib/abi.hh; every stub returns the kernel's
// result, a negative Error on failure.
#pragma once
#include "lib/abi.hh"

// The raw `syscall`: number in rax, arguments in rdi, rsi, rdx, r10, r8.
int64_t syscall(uint64_t num, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                uint64_t a4 = 0, uint64_t a5 = 0);

int64_t sys_cputs(const char* s, size_t len);
int64_t sys_cgetc();
int32_t sys_getenvid();
[[noreturn]] void sys_exit(uint64_t status);
int64_t sys_env_destroy(int32_t envid);
int64_t sys_yield();
// envid 0 means the caller, here and below.
// frame: frame_any, or the number of a free frame (see lib/frametable.hh).
int64_t sys_page_alloc(int32_t envid, uintptr_t va, uint64_t perm, uint64_t frame = frame_any);
int64_t sys_page_unmap(int32_t envid, uintptr_t va);
int64_t sys_set_upcall(int32_t envid, uintptr_t entry, uintptr_t stack_top);

// Lab 4: secure bindings.
// The child's id, or 0 in the child, or a negative Error.
int64_t sys_exofork();
int64_t sys_env_set_status(int32_t envid, uint64_t status);
int64_t sys_env_set_trapframe(int32_t envid, const UTrapFrame* regs);
int64_t sys_page_map(int32_t srcenv, uintptr_t srcva, int32_t dstenv, uintptr_t dstva, uint64_t perm);
