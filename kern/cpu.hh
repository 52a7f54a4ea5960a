// The CPU's protection features and the user FPU, set up once at boot.
#pragma once
#include "lib/types.hh"

namespace cpu {

// What the kernel turned on; the grader reads this (and CR4) over GDB.
struct Protections {
    bool smep;   // the kernel never executes a user page
    bool smap;   // the kernel never reads or writes a user page by its user address
    bool umip;   // user code cannot read the GDT/IDT/TSS addresses (sgdt, sidt, str...)
};
extern Protections protections;

// Turns on global kernel pages, SMEP, SMAP and UMIP where the CPU has them,
// and x87/SSE for user code (whose registers the kernel saves per env).
void init();

}  // namespace cpu
