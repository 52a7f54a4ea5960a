// IPC for programs: the library's side of protected control transfer. The
// kernel moves one word, the sender's id and at most one page binding, and
// only to an env already waiting; retrying until the peer waits is the
// library's policy, here.
#pragma once
#include "lib/syscall.hh"

// Waits for a message. dstva: where a sender may bind a page (page-aligned,
// in the user half), or ipc_no_page. 0 and *msg, or a negative Error.
int64_t ipc_recv(uintptr_t dstva, IpcMessage* msg);

// Sends value (and the page at srcva with perm, unless srcva is
// ipc_no_page) to envid, yielding while envid is not yet waiting. 0 once
// delivered, or the first error other than E_IPC_NOT_RECV.
int64_t ipc_send(int32_t envid, uint64_t value, uintptr_t srcva = ipc_no_page, uint64_t perm = 0);
