#include "kern/backtrace.hh"
#include "kern/console.hh"
#include "kern/ksyms.hh"
#include "kern/x86.hh"

extern "C" char kernel_stack_bottom[], kernel_stack_top[];

namespace {
constexpr size_t max_frames = 64;

StackBounds kernel_stack_bounds() {
    return StackBounds{reinterpret_cast<uintptr_t>(kernel_stack_bottom),
                       reinterpret_cast<uintptr_t>(kernel_stack_top)};
}
}  // namespace

void print_backtrace_from(uintptr_t rbp) {
    StackFrame frames[max_frames];
    size_t n = walk_stack(rbp, kernel_stack_bounds(), frames, max_frames);
    SymbolTable symbols = kernel_symbols();
    cprintf("Stack backtrace:\n");
    for (size_t i = 0; i < n; ++i) {
        cprintf("  #%-2zu rbp %016lx  rip %016lx  ", i, frames[i].rbp, frames[i].rip);
        // The return address may be the first byte after the call's function
        // (a call as its last instruction), so look up rip - 1.
        if (const KernelSymbol* s = symbols.find(frames[i].rip - 1)) {
            cprintf("%s+0x%lx\n", symbols.name_of(*s), frames[i].rip - s->address);
        } else {
            cprintf("?\n");
        }
    }
}

__attribute__((noinline)) void print_backtrace() {
    print_backtrace_from(x86::read_rbp());
}
