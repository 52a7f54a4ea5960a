// The little C++ runtime support a freestanding kernel needs.
#include "kern/assert.hh"

extern "C" void __cxa_pure_virtual() { panic("pure virtual function called"); }

// Function-local statics need guards only with threads; we build with
// -fno-threadsafe-statics, so none are emitted.
