// Upcalls: the kernel entering a library OS at an entry it registered.
// Exceptions (Aegis): a page fault in an env that registered an upcall goes
// straight back to that env, with the fault frame on its own exception
// stack. Time slices (Lab 6): the epilogue at a slice's end and the
// prologue at the next one's start. The kernel only checks the binding and
// copies state.
#pragma once
#include "kern/env.hh"
#include "lib/abi.hh"

// Redirects e (whose saved state is e.tf) to its page-fault upcall. 0 on
// success; otherwise the reason the env must be destroyed.
int deliver_page_fault(Env& e, uint64_t fault_va, EnvEndHow* failure);

// Whether va is code e could run itself: mapped, user, executable. One
// lookup (user_mem_check's range test reduces to va < user_top for one
// byte); inline, since every upcall asks.
inline bool is_user_code(Env& e, uintptr_t va) {
    if (!va || va >= user_top) return false;
    Mapping m = e.lookup(va);
    return m.present && (m.perm & perm_user) && !(m.perm & perm_no_execute);
}

// Writes the UTrapFrame of e.tf (with fault_va and vector) at va in e's
// memory, which must be user-writable: 0 or E_FAULT, and nothing written
// on failure. Built in place when it lies in one page (one lookup, one
// copy of the registers).
int write_user_frame(Env& e, uintptr_t va, uint64_t fault_va, uint64_t vector);
// Whether e is running on its exception stack (in an upcall).
bool on_exception_stack(const Env& e);

// Lab 6. At the end of e's slice: 1 if e.tf now enters its epilogue, 0 if
// the kernel keeps e's state itself (no epilogue registered, or e is in an
// upcall on its exception stack), or < 0 with *failure if e must go.
int deliver_epilogue(Env& e, EnvEndHow* failure);
// At the start of e's next slice: if its epilogue yielded last time
// (e.cpu.enter_prologue), points e.tf at its prologue. 0, or < 0 with
// *failure if e must go.
int enter_prologue(Env& e, EnvEndHow* failure);

// Lab 7. As e returns to user mode: if a revocation request or a
// repossession notice is due and e is not on its exception stack, points
// e.tf at its revocation entry with a UTrapFrame at the top of that stack
// and returns 1. 0 if nothing is delivered now, or < 0 with *failure if e
// must go.
int deliver_revocation(Env& e, EnvEndHow* failure);
