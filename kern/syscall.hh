// System call dispatch: every argument is checked here, before any work.
#pragma once
#include "kern/env.hh"

// Runs the system call in e.tf (number in rax) and stores its result in
// e.tf.rax. May destroy or switch away from e.
void dispatch_syscall(Env& e);
