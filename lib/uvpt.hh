// The env's own page tables, read without a system call through the
// self-map at uvpt_base (lib/abi.hh): PML4 slot uvpt_slot points back at the
// PML4, so each table page of the tree is readable (never writable) at an
// address computed from the va it translates. These helpers do that
// arithmetic, level by level, and never touch an entry whose table is
// absent (that read would fault).
#pragma once
#include "lib/abi.hh"

namespace uvpt {

// The bits of an entry.
constexpr uint64_t present = perm_present, writable = perm_writable, user = perm_user,
                   no_execute = perm_no_execute, accessed = 1ull << 5, dirty = 1ull << 6, large = 1ull << 7;
constexpr uint64_t address_mask = 0x000FFFFFFFFFF000ull;

// Levels as the hardware counts them: 3 = PML4 ... 0 = page table.
// The entry for va at level, through the self-map. Going up a level means
// one more trip through the self-map slot: the va's index bits shift
// down by 9 and the slot takes the place of the top index.
inline const volatile uint64_t* entry_at(uintptr_t va, int level) {
    uintptr_t index_bits = (va & 0x0000FFFFFFFFFFFFull) >> (12 + 9 * level);   // the indices above level
    uintptr_t base = uvpt_base;
    for (int l = 0; l < level; ++l) base |= uintptr_t(uvpt_slot) << (39 - 9 * (l + 1));
    return reinterpret_cast<const volatile uint64_t*>(base | (index_bits << 3));
}

// va's last-level entry (with its accessed and dirty bits), or 0 when a
// level above has no table.
inline uint64_t pte_of(uintptr_t va) {
    for (int level = 3; level > 0; --level) {
        uint64_t e = *entry_at(va, level);
        if (!(e & present) || (e & large)) return 0;
    }
    return *entry_at(va, 0);
}

// Calls fn(va, pte) for each present last-level entry with va in [lo, hi),
// in address order. A missing table skips the whole range it would cover,
// so a sparse address space costs a few reads, not one per page.
template <typename Fn>
void for_each_mapped(uintptr_t lo, uintptr_t hi, Fn fn) {
    uintptr_t va = lo & ~uintptr_t(4095);
    while (va < hi) {
        int level = 3;
        for (; level > 0; --level) {
            uint64_t e = *entry_at(va, level);
            if (!(e & present) || (e & large)) break;
        }
        if (level > 0) {   // nothing mapped below this entry
            uintptr_t span = uintptr_t(1) << (12 + 9 * level);
            va = (va & ~(span - 1)) + span;
            continue;
        }
        if (uint64_t pte = *entry_at(va, 0); pte & present) fn(va, pte);
        va += 4096;
    }
}

inline bool mapped(uintptr_t va) { return pte_of(va) & present; }
// The frame number va is bound to; meaningful only if mapped(va).
inline uint64_t frame_of(uintptr_t va) { return (pte_of(va) & address_mask) / 4096; }

}  // namespace uvpt
