// User-level page-fault handling. The kernel reflects a page fault to the
// upcall registered with SYS_set_upcall: it pushes a UTrapFrame on the
// exception stack and jumps to pgfault_upcall (lib/pfentry.S), which calls
// the C++ handler and then resumes the faulting code where it left off.
#pragma once
#include "lib/abi.hh"

using PageFaultHandler = void (*)(UTrapFrame*);

// Installs h as this env's page-fault handler. The first call allocates
// the exception stack and registers the upcall with the kernel. Returns 0
// or a negative Error. When h returns, the faulting instruction is retried
// with every register as it was at the fault, so h must fix the cause
// (map the page, say) or never return (exit).
int set_pgfault_handler(PageFaultHandler h);

// Maps the exception stack (exception_stack_top, lib/abi.hh) and tells the
// kernel where it is, once; every upcall runs on it. 0 or an Error.
int exception_stack_ready();

extern "C" {
// The assembly entry the kernel jumps to; never call it directly.
void pgfault_upcall();
// What pgfault_upcall calls. Set by set_pgfault_handler; exposed only so
// tests can set up a broken configuration on purpose.
extern PageFaultHandler pgfault_handler;
}
