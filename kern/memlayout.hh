// The kernel's virtual memory layout. Shared by assembly and C++.
#pragma once

// The kernel image is linked at KERNBASE + its physical address
// (-mcmodel=kernel needs it in the top 2 GiB).
#define KERNBASE 0xFFFFFFFF80000000

// All physical memory is mapped here (the boot tables map the first 1 GiB).
#define PHYS_MAP_BASE 0xFFFF800000000000

// User programs live in the lower half, from this address up.
#define USER_TEXT_BASE 0x0000000000800000
#define USER_TOP 0x00007FFFFFFFF000   // lib/abi.hh says why the last page is left out

#define PAGE_SIZE 4096
#define KERNEL_STACK_SIZE (4 * PAGE_SIZE)

#ifndef __ASSEMBLER__
#include "lib/types.hh"

constexpr uintptr_t kernbase = KERNBASE;
constexpr uintptr_t phys_map_base = PHYS_MAP_BASE;
constexpr size_t page_size = PAGE_SIZE;

// Typed conversions between the three kinds of address the kernel holds.
inline uintptr_t kernel_image_to_phys(const void* p) {
    return reinterpret_cast<uintptr_t>(p) - kernbase;
}
template <typename T = void>
inline T* phys_to_kva(uintptr_t pa) {
    return reinterpret_cast<T*>(pa + phys_map_base);
}
// The inverse, for pointers into the direct map (not the image).
inline uintptr_t kva_to_phys(const void* p) {
    return reinterpret_cast<uintptr_t>(p) - phys_map_base;
}
#endif
