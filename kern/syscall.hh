// System call dispatch: every argument is checked here, before any work.
#pragma once
#include "kern/env.hh"

// Where syscall_entry (trapentry.S) goes once the running env's registers
// are in its tf: runs the system call (number in rax), stores its result
// in tf.rax and resumes the env, unless the call destroyed it or switched
// away.
extern "C" [[noreturn]] void syscall_trap();

// The env-id guard, for every syscall that names an env: the caller itself
// (0 or its own id) or one of its direct children, and a register value
// that is a sign-extended 32-bit id. 0 and *target, or E_BAD_ENV.
int lookup_target_by_id(uint64_t raw_id, Env** target);
// Every binding names an env, nearly always the caller (0): inline.
inline int lookup_target(uint64_t raw_id, Env** target) {
    if (raw_id == 0 && current_env) {
        *target = current_env;
        return 0;
    }
    return lookup_target_by_id(raw_id, target);
}
// The same register check for a syscall that may name any live env
// (SYS_ipc_send). 0 and *target, or E_BAD_ENV.
int lookup_any(uint64_t raw_id, Env** target);
