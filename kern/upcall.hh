// Exceptions as upcalls (Aegis): a page fault in an env that registered an
// upcall goes straight back to that env, with the fault frame on its own
// exception stack. The kernel only checks the binding and copies state.
#pragma once
#include "kern/env.hh"

// Redirects e (whose saved state is e.tf) to its page-fault upcall. 0 on
// success; otherwise the reason the env must be destroyed.
int deliver_page_fault(Env& e, uint64_t fault_va, EnvEndHow* failure);
