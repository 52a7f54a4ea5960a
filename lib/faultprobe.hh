// A load at a known rip, for tests of how the kernel records a fault.
#pragma once
#include "lib/types.hh"

extern "C" uint64_t load_probe(uintptr_t va);
