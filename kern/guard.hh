// The guards of secure bindings. Every binding a library OS asks for
// (SYS_page_alloc, SYS_page_map, SYS_page_unmap) passes these checks
// before the kernel touches a page table: one function a guard, pure
// functions of their arguments, so the host unit tests can try every case
// without a kernel. kern/bind.cc applies them; the env-id guard (yourself
// or a direct child) is lookup_target in kern/syscall.cc.
#pragma once
#include "kern/frames.hh"
#include "kern/pagetable.hh"
#include "lib/abi.hh"
#include "lib/error.hh"

namespace guard {

// Guard 2, addresses: page-aligned, in the user half, not the null page.
// 0 or E_INVAL.
inline int user_page(uintptr_t va) {
    return va >= user_bottom && va < user_top && va % 4096 == 0 ? 0 : E_INVAL;
}

// Guard 3, permissions: present and user, and no bit outside
// perm_allowed (lib/abi.hh). 0 or E_INVAL.
int perm(uint64_t perm);

// Guard 4, no amplification: want (a request's perm) grants nothing that
// have (the source mapping's PTE bits) does not: writable only from a
// writable mapping, executable only from an executable one. Software bits
// are marks, not rights. 0 or E_PERM.
int no_amplification(uint64_t have, uint64_t want);

// Guard 5 for SYS_page_alloc, entitlement: frame_any, or the number of a
// frame that is free in table right now. 0, E_INVAL (no such frame) or
// E_BUSY (owned by someone, the kernel included).
int frame_request(const FrameTable& table, uint64_t frame);

// Everything SYS_page_map checks once the envs are found, in order:
// user_page(srcva), user_page(dstva), perm, srcva mapped in src (else
// E_INVAL: you reach a frame only through a binding you hold), then
// no_amplification. On success *source is src's mapping at srcva.
int map(PageTable& src, uintptr_t srcva, uintptr_t dstva, uint64_t perm, Mapping* source);

}  // namespace guard
