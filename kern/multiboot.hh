// The parts of the Multiboot 1 information block the kernel reads.
#pragma once
#include "lib/types.hh"

namespace multiboot {

constexpr uint32_t boot_magic = 0x2BADB002;  // in eax at entry

enum InfoFlags : uint32_t {
    has_memory_bounds = 1u << 0,
    has_cmdline = 1u << 2,
    has_memory_map = 1u << 6,
};

struct Info {
    uint32_t flags;
    uint32_t mem_lower_kb, mem_upper_kb;
    uint32_t boot_device;
    uint32_t cmdline;               // physical address of a C string
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

// One memory-map record; `size` excludes the size field itself.
struct MemoryRegion {
    uint32_t size;
    uint64_t base;
    uint64_t length;
    uint32_t type;                  // 1 = usable RAM
} __attribute__((packed));

constexpr uint32_t region_usable = 1;

}  // namespace multiboot
