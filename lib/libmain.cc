// The library OS's start-up: lib/entry.S calls libmain with the argument
// the kernel passed in rdi, and the program's result becomes its exit
// status (the grader reads it).
#include "lib/syscall.hh"

// Every user program defines this.
uint64_t umain(uint64_t arg);

extern "C" [[noreturn]] void libmain(uint64_t arg) { sys_exit(umain(arg)); }
