// Checked access to an environment's memory. The kernel never follows a
// user pointer directly: it translates each page through the env's own
// page table, demands the permissions, and copies through the direct map.
#pragma once
#include "kern/env.hh"

// 0 if every byte of [va, va + len) is mapped in e with user access and all
// of perm; otherwise E_FAULT (a wrapping or kernel range included), with
// the first bad address in *bad_va if given.
int user_mem_check(Env& e, uintptr_t va, size_t len, uint64_t perm, uintptr_t* bad_va = nullptr);

// Copies into e's memory. With require_writable (the normal case) the
// destination must be user-writable; the ELF loader passes false to fill
// read-only pages. 0 or E_FAULT.
int copy_to_user(Env& e, uintptr_t va, const void* src, size_t len, bool require_writable = true);
int copy_from_user(Env& e, void* dst, uintptr_t va, size_t len);
