// fork, built in the library OS from exofork, page_map and the page-fault
// upcall. The kernel knows nothing of copy-on-write: it is a software bit
// in our own PTEs (perm_cow) and a policy in lib/fork.cc.
#pragma once
#include "lib/types.hh"

// Copy-on-write fork: every page is shared with the child; a writable one
// (or one already copy-on-write) becomes read-only and perm_cow in both,
// and the first write on either side copies it. Pages marked perm_share
// stay shared and writable. The child gets its own exception stack and
// our page-fault handler. The child's id in the parent, 0 in the child,
// or a negative Error (no child is left behind).
int32_t fork();

// Shared-memory fork: the same primitives, another policy. Every page is
// shared, writable where ours is, except the user stack, which is
// copy-on-write; a page that is already copy-on-write stays so.
int32_t sfork();

// For comparison (make bench): a fork that copies every page at once.
int32_t fork_eager();
