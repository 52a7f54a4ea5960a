#include "lib/syscall.hh"

int64_t syscall(uint64_t num, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                uint64_t a5) {
    // r10 and r8 have no constraint letters of their own.
    register uint64_t r10 asm("r10") = a4;
    register uint64_t r8 asm("r8") = a5;
    int64_t ret;
    // The kernel preserves every register but rax, and `syscall` itself
    // overwrites rcx and r11. "memory": the kernel may read buffers we
    // wrote and write memory we will read (new pages, say).
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(num), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
                 : "rcx", "r11", "memory", "cc");
    return ret;
}

namespace {
// The same for a call with no arguments: only rax goes in, so nothing is
// spent loading registers the kernel will not read.
int64_t syscall0(uint64_t num) {
    int64_t ret;
    asm volatile("syscall" : "=a"(ret) : "a"(num) : "rcx", "r11", "memory", "cc");
    return ret;
}
}  // namespace

int64_t sys_cputs(const char* s, size_t len) {
    return syscall(SYS_cputs, reinterpret_cast<uintptr_t>(s), len);
}

int64_t sys_cgetc() { return syscall0(SYS_cgetc); }

int32_t sys_getenvid() { return static_cast<int32_t>(syscall0(SYS_getenvid)); }

void sys_exit(uint64_t status) {
    syscall(SYS_exit, status);
    // Unreachable unless the kernel is broken; trap loudly rather than
    // spin or run off into whatever follows.
    __builtin_trap();
}

// Env ids are sign-extended, so a negative id reaches the kernel as one.
int64_t sys_env_destroy(int32_t envid) { return syscall(SYS_env_destroy, static_cast<int64_t>(envid)); }

int64_t sys_yield() { return syscall0(SYS_yield); }

int64_t sys_page_alloc(int32_t envid, uintptr_t va, uint64_t perm, uint64_t frame) {
    return syscall(SYS_page_alloc, static_cast<int64_t>(envid), va, perm, frame);
}

int64_t sys_page_unmap(int32_t envid, uintptr_t va) {
    return syscall(SYS_page_unmap, static_cast<int64_t>(envid), va);
}

int64_t sys_set_upcall(int32_t envid, uintptr_t entry, uintptr_t stack_top) {
    return syscall(SYS_set_upcall, static_cast<int64_t>(envid), entry, stack_top);
}

int64_t sys_env_set_status(int32_t envid, uint64_t status) {
    return syscall(SYS_env_set_status, static_cast<int64_t>(envid), status);
}

int64_t sys_env_set_trapframe(int32_t envid, const UTrapFrame* regs) {
    return syscall(SYS_env_set_trapframe, static_cast<int64_t>(envid), reinterpret_cast<uintptr_t>(regs));
}

int64_t sys_page_map(int32_t srcenv, uintptr_t srcva, int32_t dstenv, uintptr_t dstva, uint64_t perm) {
    return syscall(SYS_page_map, static_cast<int64_t>(srcenv), srcva, static_cast<int64_t>(dstenv), dstva,
                   perm);
}

int64_t sys_ipc_recv(uintptr_t dstva, IpcMessage* msg) {
    // The message comes back in rsi, rdx and r10 as well as rax.
    register uint64_t perm asm("r10");
    uint64_t from, value;
    int64_t ret;
    asm volatile("syscall"
                 : "=a"(ret), "=S"(from), "=d"(value), "=r"(perm)
                 : "a"(SYS_ipc_recv), "D"(dstva)
                 : "rcx", "r11", "memory", "cc");
    if (ret == 0) *msg = IpcMessage{static_cast<int32_t>(from), value, perm};
    return ret;
}

int64_t sys_ipc_send(int32_t envid, uint64_t value, uintptr_t srcva, uint64_t perm) {
    return syscall(SYS_ipc_send, static_cast<int64_t>(envid), value, srcva, perm);
}

int64_t sys_slice_alloc(int32_t envid, uint64_t slot) {
    return syscall(SYS_slice_alloc, static_cast<int64_t>(envid), slot);
}

int64_t sys_slice_free(int32_t envid, uint64_t slot) {
    return syscall(SYS_slice_free, static_cast<int64_t>(envid), slot);
}

int64_t sys_set_slice_upcalls(int32_t envid, uintptr_t epilogue, uintptr_t prologue, uintptr_t save_area) {
    return syscall(SYS_set_slice_upcalls, static_cast<int64_t>(envid), epilogue, prologue, save_area);
}

int64_t sys_yield_to(int32_t envid) { return syscall(SYS_yield_to, static_cast<int64_t>(envid)); }

int64_t sys_set_revocation_upcall(int32_t envid, uintptr_t entry) {
    return syscall(SYS_set_revocation_upcall, static_cast<int64_t>(envid), entry);
}

int64_t sys_frame_release(uintptr_t va) { return syscall(SYS_frame_release, va); }

int64_t sys_quota_set(int32_t child, uint64_t frames) {
    return syscall(SYS_quota_set, static_cast<int64_t>(child), frames);
}

int64_t sys_test_pressure(uint64_t what, int32_t envid, uint64_t frames) {
    return syscall(SYS_test_pressure, what, static_cast<int64_t>(envid), frames);
}
