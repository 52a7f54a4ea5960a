// The link-time half of the symbol table: the build generates ksyms.S,
// which defines these in the .ksyms section (empty on the first link).
#include "kern/ksyms.hh"

extern "C" {
extern const KernelSymbol ksym_entries[];
extern const uint64_t ksym_count;
extern const char ksym_names[];
}

SymbolTable kernel_symbols() {
    return SymbolTable{ksym_entries, ksym_count, ksym_names};
}
