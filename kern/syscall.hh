// System call dispatch: every argument is checked here, before any work.
#pragma once
#include "kern/env.hh"

// Runs the system call in e.tf (number in rax) and stores its result in
// e.tf.rax. May destroy or switch away from e.
void dispatch_syscall(Env& e);

// The env-id guard, for every syscall that names an env: the caller itself
// (0 or its own id) or one of its direct children, and a register value
// that is a sign-extended 32-bit id. 0 and *target, or E_BAD_ENV.
int lookup_target(uint64_t raw_id, Env** target);
// The same register check for a syscall that may name any live env
// (SYS_ipc_send). 0 and *target, or E_BAD_ENV.
int lookup_any(uint64_t raw_id, Env** target);
