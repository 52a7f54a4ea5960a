#include "kern/ksyms.hh"

const KernelSymbol* SymbolTable::find(uint64_t addr) const {
    // BEGIN LAB 1
    // Binary search for the last symbol at or below addr.
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (symbols[mid].address <= addr) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return nullptr;
    const KernelSymbol& s = symbols[lo - 1];
    if (s.size != 0 && addr - s.address >= s.size) return nullptr;
    return &s;
    // STUB LAB 1
    //~ // LAB 1: your code here. symbols[] is sorted by address: find the
    //~ // last symbol whose address is <= addr (a binary search keeps
    //~ // backtraces fast), and return nullptr if addr lies past its size.
    //~ (void) addr;
    //~ return nullptr;
    // END LAB 1
}
