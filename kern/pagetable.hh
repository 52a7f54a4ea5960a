// Four-level x86-64 page tables behind a small typed interface: walk, map,
// unmap, look up, and a cursor over a virtual range. Callers never shift
// or mask addresses by hand.
#pragma once
#include "kern/pte.hh"

// Where table pages come from and how to reach them. The kernel backs it
// with the frame table and the direct map (kernel_table_memory); the host
// unit tests with ordinary heap memory.
struct PageTableMemory {
    // A zeroed page charged to owner (an env id, or -1 for the kernel), or
    // 0 when out of memory. Table pages are charged to whoever the address
    // space serves, like the frames they map.
    uintptr_t (*alloc_table)(int32_t owner);
    void (*free_table)(uintptr_t pa);
    uint64_t* (*table_at)(uintptr_t pa);      // a table page, addressable
    void (*invalidate)(uintptr_t root, uintptr_t va);  // drop a stale TLB entry
    // When every table page sits at this offset from its physical address
    // (the kernel's direct map), lookups add it instead of calling
    // table_at: a lookup is on every user-pointer check and upcall. 0 =
    // always call table_at.
    uintptr_t direct_offset = 0;
};

struct Mapping {
    bool present;
    uintptr_t pa;      // the physical address va translates to
    uint64_t perm;     // pte:: bits of the last-level entry
};

class PageTable {
public:
    // owner is charged for every table page this object allocates.
    PageTable(uintptr_t root_pa, const PageTableMemory& memory, int32_t owner = -1)
        : root_(root_pa), memory_(&memory), owner_(owner) {}

    uintptr_t root() const { return root_; }

    // The last-level entry for va. With create, missing intermediate tables
    // are allocated (nullptr if memory runs out); without, nullptr if any
    // level is absent. Large pages are not used below the boot tables.
    uint64_t* walk(uintptr_t va, bool create);

    // Maps the page at va to the frame at pa with perm (present is
    // implied), replacing any mapping there. 0, or E_NO_MEM, or E_INVAL for
    // an unaligned or non-canonical address.
    int map(uintptr_t va, uintptr_t pa, uint64_t perm);
    // Removes the mapping of the page at va, if any.
    void unmap(uintptr_t va);
    // What va translates to, if anything. With a direct map (the kernel)
    // an inline walk of its own: a lookup is on every user-pointer check
    // and upcall. Otherwise (the host tests) walk(va, false).
    Mapping lookup(uintptr_t va) {
        uintptr_t offset = memory_->direct_offset;
        return offset ? lookup_direct(root_, va, offset) : lookup_with_walk(va);
    }
    // The same walk for tables at offset from their physical addresses,
    // given the root: with a constant offset (the kernel's direct map) it
    // compiles to four loads and their tests.
    [[gnu::always_inline]] static Mapping lookup_direct(uintptr_t root, uintptr_t va, uintptr_t offset) {
        if (!is_canonical(va)) return Mapping{false, 0, 0};
        // Held in registers for the four levels (GCC would otherwise load
        // each 64-bit constant again at every level).
        uint64_t mask = pte::address_mask;
        asm("" : "+r"(mask), "+r"(offset));
        uint64_t entry = root;
        if (!(entry = next_entry(entry, va, 3, offset, mask)) || !(entry = next_entry(entry, va, 2, offset, mask)) ||
            !(entry = next_entry(entry, va, 1, offset, mask)) || !(entry = next_entry(entry, va, 0, offset, mask)))
            return Mapping{false, 0, 0};
        return Mapping{true, (entry & mask) | (va & 4095), pte::perm(entry)};
    }
    // Frees the table pages on va's path that no longer map anything,
    // bottom up (never the root). Without it, mapping one page per GiB and
    // unmapping it would pin two table pages each time until the address
    // space died.
    void free_empty_tables(uintptr_t va);

    // Calls visit(va, entry) for every present last-level entry in the
    // user half, skipping absent subtrees (a page-by-page scan of 128 TiB
    // would never finish).
    template <typename Visit>
    void for_each_user_mapping(Visit visit) {
        visit_subtree(root_, pagetable_levels - 1, 0, entries_per_table / 2, visit);
    }

    // Calls visit(table_pa) for every table page of the user half, the
    // root included (the audit counts them as the env's own).
    template <typename Visit>
    void for_each_user_table(Visit visit) {
        visit(root_);
        tables_below(root_, pagetable_levels - 1, entries_per_table / 2, visit);
    }

    // Frees the table pages of the user half (not the frames they map),
    // and the root too if free_root. The kernel half is shared; untouched.
    void free_user_tables(bool free_root);

private:
    // The table page at pa, addressable: memory_->table_at, or the same
    // by adding the direct map's offset without a call.
    uint64_t* table_page(uintptr_t pa) const {
        return memory_->direct_offset ? reinterpret_cast<uint64_t*>(pa + memory_->direct_offset)
                                      : memory_->table_at(pa);
    }
    // lookup through walk(va, false), for memory with no direct map.
    Mapping lookup_with_walk(uintptr_t va);
    // The entry at level for va in the table that entry names (reached at
    // offset from its physical address), or 0 if it is not present.
    [[gnu::always_inline]] static uint64_t next_entry(uint64_t entry, uintptr_t va, int level, uintptr_t offset,
                                                      uint64_t address_mask) {
        auto table = reinterpret_cast<const uint64_t*>((entry & address_mask) + offset);
        uint64_t next = table[pagetable_index(va, level)];
        return (next & pte::present) ? next : 0;
    }

    template <typename Visit>
    void visit_subtree(uintptr_t table_pa, int level, uintptr_t base, size_t slots, Visit& visit) {
        uint64_t* table = memory_->table_at(table_pa);
        for (size_t i = 0; i < slots; ++i) {
            if (!(table[i] & pte::present)) continue;
            uintptr_t va = base | (uintptr_t(i) << (12 + 9 * level));
            if (level == 0) visit(va, table[i]);
            else visit_subtree(pte::address(table[i]), level - 1, va, entries_per_table, visit);
        }
    }

    template <typename Visit>
    void tables_below(uintptr_t table_pa, int level, size_t slots, Visit& visit) {
        if (level == 0) return;
        uint64_t* table = memory_->table_at(table_pa);
        for (size_t i = 0; i < slots; ++i) {
            if (!(table[i] & pte::present) || (table[i] & pte::large)) continue;
            visit(pte::address(table[i]));
            tables_below(pte::address(table[i]), level - 1, entries_per_table, visit);
        }
    }

    uintptr_t root_;
    const PageTableMemory* memory_;
    int32_t owner_;
};

// Walks a virtual range one page at a time:
//   for (PageTableCursor c(pt, start); c.va() < end; c.next())
//       if (c.present()) ... c.pa(), c.perm(), c.map(...), c.unmap()
class PageTableCursor {
public:
    PageTableCursor(PageTable& pt, uintptr_t va) : pt_(&pt), va_(page_round_down(va)) {
        load();
    }
    uintptr_t va() const { return va_; }
    bool present() const { return mapping_.present; }
    uintptr_t pa() const { return mapping_.pa; }
    uint64_t perm() const { return mapping_.perm; }
    void next() {
        va_ += 4096;
        load();
    }
    int map(uintptr_t pa, uint64_t perm) {
        int r = pt_->map(va_, pa, perm);
        load();
        return r;
    }
    void unmap() {
        pt_->unmap(va_);
        load();
    }

private:
    void load() { mapping_ = is_canonical(va_) ? pt_->lookup(va_) : Mapping{false, 0, 0}; }
    PageTable* pt_;
    uintptr_t va_;
    Mapping mapping_{};
};
