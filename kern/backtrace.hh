// Stack backtraces by the frame-pointer chain. Every kernel function is
// built with frame pointers, so each frame starts with a record of two
// words: the caller's saved rbp, then the return address into the caller.
#pragma once
#include "lib/types.hh"

struct StackFrame {
    uintptr_t rbp;   // the frame pointer of the function rip is in
    uintptr_t rip;   // the return address into that function
};

// The memory a chain may lie in; a record outside it ends the walk, so a
// corrupt rbp yields a short backtrace instead of a fault.
struct StackBounds {
    uintptr_t low, high;
    bool contains_record(uintptr_t rbp) const {
        return rbp >= low && rbp <= high - 2 * sizeof(uintptr_t) && rbp % 8 == 0;
    }
};

// Follows the chain from the record at rbp, filling out[] with one frame per
// record, innermost first. Stops at a null or out-of-bounds record, a zero
// return address, or after max frames. Returns the number of frames.
size_t walk_stack(uintptr_t rbp, StackBounds bounds, StackFrame* out, size_t max);

// Prints the caller's backtrace, symbolized, to the console.
void print_backtrace();
// Prints the backtrace of the chain starting at the record at rbp.
void print_backtrace_from(uintptr_t rbp);
