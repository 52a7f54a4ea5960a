// The kernel's own symbol table, embedded at build time so that panics and
// the monitor can name the functions in a backtrace.
#pragma once
#include "lib/types.hh"

struct KernelSymbol {
    uint64_t address;
    uint64_t size;          // 0 when the symbol has no recorded size
    uint64_t name_offset;   // into SymbolTable::names
};

struct SymbolTable {
    const KernelSymbol* symbols;  // sorted by address, ascending
    size_t count;
    const char* names;

    // The symbol whose range holds addr: the one with the greatest address
    // <= addr, provided addr is inside its size (or it has none). nullptr
    // if there is no such symbol.
    const KernelSymbol* find(uint64_t addr) const;
    const char* name_of(const KernelSymbol& s) const { return names + s.name_offset; }
};

// The table the build linked into this kernel.
SymbolTable kernel_symbols();
