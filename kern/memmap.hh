// A picture of memory, for the monitor's `memmap` (and GDB's, in
// tools/gdb/exokit.py, which draws the same): physical memory as a grid of
// frames by owner, with a legend, and an env's address space as its mapped
// ranges. For an exokernel, whose core data is who owns which frame, this
// is the picture to look at.
#pragma once
#include "kern/env.hh"

namespace memmap {

// The grid and legend; then, if env is not null, its mapped ranges. Text
// on the console, and on the VGA screen each owner in its own colour.
void show(const Env* env);

}  // namespace memmap
