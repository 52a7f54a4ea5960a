// The kernel's own address space: the image at KERNBASE with per-section
// permissions, all of RAM at PHYS_MAP_BASE, an unmapped guard page under
// the kernel stack, the frame table exposed read-only to user code at
// frame_table_view (lib/abi.hh), and an empty user half. Every
// environment's page table shares its upper half.
#pragma once
#include "kern/pagetable.hh"

// Page-table pages come from the frame table and are reached through the
// direct map.
extern const PageTableMemory kernel_table_memory;

// Physical address of the kernel's PML4 (0 until kernel_vm::init succeeds).
extern uintptr_t kernel_pml4;

namespace kernel_vm {

// Builds the kernel address space and switches to it. On failure the
// kernel stays on the boot page tables and the error is returned.
int init();

// Fills pt (a fresh table) with the kernel's mappings.
int map_kernel(PageTable& pt);

}  // namespace kernel_vm
