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
// The child's id, or 0 in the child, or a negative Error. Always inlined,
// never called: the child resumes right after the `syscall` instruction
// with the parent's rsp, and returns through the frames above it. A called
// stub's frame would lie below the caller's rsp, where the parent's next
// calls write before the child gets its copy of the stack.
[[gnu::always_inline]] inline int64_t sys_exofork() {
    int64_t ret;
    asm volatile("syscall" : "=a"(ret) : "a"(uint64_t(SYS_exofork)) : "rcx", "r11", "memory", "cc");
    return ret;
}
int64_t sys_env_set_status(int32_t envid, uint64_t status);
int64_t sys_env_set_trapframe(int32_t envid, const UTrapFrame* regs);
int64_t sys_page_map(int32_t srcenv, uintptr_t srcva, int32_t dstenv, uintptr_t dstva, uint64_t perm);

// Lab 5: protected control transfer (lib/abi.hh, "IPC"). lib/ipc.hh has
// the wrappers programs use.
struct IpcMessage {
    int32_t from;       // the sender's id
    uint64_t value;
    uint64_t perm;      // the rights of the page bound at dstva, 0 if none
};
// Blocks until a message arrives: 0 and *msg, or a negative Error (dstva
// refused; nothing was waited for).
int64_t sys_ipc_recv(uintptr_t dstva, IpcMessage* msg);
int64_t sys_ipc_send(int32_t envid, uint64_t value, uintptr_t srcva, uint64_t perm);

// Lab 6: time slices (lib/abi.hh, "Time slices"; lib/slices.hh reads the
// vector and registers the library's own upcalls).
int64_t sys_slice_alloc(int32_t envid, uint64_t slot = slot_any);
int64_t sys_slice_free(int32_t envid, uint64_t slot);
int64_t sys_set_slice_upcalls(int32_t envid, uintptr_t epilogue, uintptr_t prologue, uintptr_t save_area);
int64_t sys_yield_to(int32_t envid);

// Lab 7: memory (lib/abi.hh, "Memory"; lib/revocation.hh reads the table).
int64_t sys_set_revocation_upcall(int32_t envid, uintptr_t entry);
int64_t sys_frame_release(uintptr_t va);
int64_t sys_quota_set(int32_t child, uint64_t frames);
// For graded tests only: pressure on demand (pressure_quota, pressure_pool).
int64_t sys_test_pressure(uint64_t what, int32_t envid, uint64_t frames);
