// Protected control transfer (Lab 5), in the spirit of Aegis and L4: a
// sender hands a waiting receiver a word, its own id and optionally one
// page binding, and the CPU goes straight to the receiver, with no trip
// through the scheduler. lib/abi.hh ("IPC") is the contract.
#pragma once
#include "kern/env.hh"

namespace ipc {

// SYS_ipc_recv. Blocks e until a message arrives and switches away; returns
// only with an error (E_INVAL: dstva is neither ipc_no_page nor a
// page-aligned user address).
int64_t recv(Env& e, uintptr_t dstva);

// SYS_ipc_send. On success delivers to the receiver and runs it at once
// (never returns; e gets 0 when it next runs). Otherwise a negative error,
// and nothing was delivered.
int64_t send(Env& e, uint64_t to, uint64_t value, uintptr_t srcva, uint64_t perm);

}  // namespace ipc
