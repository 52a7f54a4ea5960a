// Secure bindings: the system calls that bind a page of an env's address
// space to a physical frame. Each request passes the guards of
// kern/guard.hh first; the frame table's counts and owners stay true
// whatever the sequence of calls (kern/audit.cc checks).
#pragma once
#include "kern/env.hh"

namespace bind {

// SYS_page_alloc once target and (va, perm) are checked: a zeroed frame,
// any free one or the one named, at va. The frame is charged to target.
int64_t page_alloc(Env& target, uintptr_t va, uint64_t perm, uint64_t frame);

// SYS_page_map: binds dstva in dstenv to the frame srcenv maps at srcva,
// with perm, which may drop rights but never add them. The frame stays
// charged to its owner.
int64_t page_map(uint64_t srcenv, uintptr_t srcva, uint64_t dstenv, uintptr_t dstva, uint64_t perm);

}  // namespace bind
