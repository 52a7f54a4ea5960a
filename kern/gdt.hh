// Segments and the task-state segment. Long mode barely uses segments, but
// the CPU still needs ring 0 and ring 3 code/data selectors and a TSS that
// says which stack a trap from user mode lands on.
#pragma once
#include "lib/types.hh"

namespace gdt {

constexpr uint16_t kernel_code = 0x08;
constexpr uint16_t kernel_data = 0x10;
constexpr uint16_t user_data = 0x18 | 3;
constexpr uint16_t user_code = 0x20 | 3;
constexpr uint16_t tss_selector = 0x28;

// The IST slot the double-fault gate uses: its own stack, so a kernel
// stack overflow still gets reported.
constexpr uint8_t double_fault_ist = 1;
// NMI and machine check may arrive on the first instruction of
// syscall_entry, while rsp is still the user's: they need a stack of
// their own too.
constexpr uint8_t nmi_ist = 2;

void init();
// The stack a trap from user mode pushes its frame onto (TSS.rsp0).
void set_user_trap_stack(uintptr_t top);

}  // namespace gdt
