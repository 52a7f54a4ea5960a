// The pure part of backtraces: no console, no kernel symbols, so the host
// unit tests can build fake stacks for it.
#include "kern/backtrace.hh"

size_t walk_stack(uintptr_t rbp, StackBounds bounds, StackFrame* out, size_t max) {
    // BEGIN LAB 1
    size_t n = 0;
    while (n < max && rbp != 0 && bounds.contains_record(rbp)) {
        auto* record = reinterpret_cast<const uintptr_t*>(rbp);
        uintptr_t saved_rbp = record[0], return_address = record[1];
        if (return_address == 0) break;
        out[n++] = StackFrame{saved_rbp, return_address};
        rbp = saved_rbp;
    }
    return n;
    // STUB LAB 1
    //~ // LAB 1: your code here. The record at rbp holds the caller's saved
    //~ // rbp, then the return address. Emit one StackFrame{saved rbp,
    //~ // return address} per record and move on to the saved rbp. Check
    //~ // bounds.contains_record() before every read.
    //~ (void) rbp, (void) bounds, (void) out, (void) max;
    //~ return 0;
    // END LAB 1
}
