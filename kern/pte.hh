// x86-64 page-table entries: the bits, and the address arithmetic of the
// four-level walk, in one place so no caller shifts by hand.
#pragma once
#include "lib/types.hh"

namespace pte {
constexpr uint64_t present = 1ull << 0;
constexpr uint64_t writable = 1ull << 1;
constexpr uint64_t user = 1ull << 2;
constexpr uint64_t accessed = 1ull << 5;
constexpr uint64_t dirty = 1ull << 6;
constexpr uint64_t large = 1ull << 7;     // a 2 MiB or 1 GiB page at PD/PDPT level
constexpr uint64_t global = 1ull << 8;
constexpr uint64_t software = 7ull << 9;   // ignored by the CPU; the library OS's marks
constexpr uint64_t no_execute = 1ull << 63;
constexpr uint64_t address_mask = 0x000FFFFFFFFFF000ull;
// The bits a mapping may carry (the rest are the address or reserved).
constexpr uint64_t perm_mask = present | writable | user | accessed | dirty | global | software | no_execute;

inline uintptr_t address(uint64_t entry) { return entry & address_mask; }
inline uint64_t perm(uint64_t entry) { return entry & perm_mask; }
}  // namespace pte

// Levels, counted as the hardware does: 3 = PML4 ... 0 = page table.
constexpr int pagetable_levels = 4;
constexpr size_t entries_per_table = 512;

inline unsigned pagetable_index(uintptr_t va, int level) {
    return (va >> (12 + 9 * level)) & (entries_per_table - 1);
}

// Canonical: bits 63..47 all equal. The CPU faults on anything else.
inline bool is_canonical(uintptr_t va) {
    uintptr_t top = va >> 47;
    return top == 0 || top == 0x1FFFF;
}

inline uintptr_t page_round_down(uintptr_t a) { return a & ~uintptr_t(4095); }
inline uintptr_t page_round_up(uintptr_t a) { return (a + 4095) & ~uintptr_t(4095); }
