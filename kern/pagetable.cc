#include "kern/pagetable.hh"
#include "lib/error.hh"

uint64_t* PageTable::walk(uintptr_t va, bool create) {
    // BEGIN LAB 2
    uint64_t* table = table_page(root_);
    for (int level = pagetable_levels - 1; level > 0; --level) {
        uint64_t& entry = table[pagetable_index(va, level)];
        if (!(entry & pte::present)) {
            if (!create) return nullptr;
            uintptr_t page = memory_->alloc_table(owner_);
            if (!page) return nullptr;
            // Intermediate levels grant everything; the last level decides.
            entry = page | pte::present | pte::writable | pte::user;
        }
        table = table_page(pte::address(entry));
    }
    return &table[pagetable_index(va, 0)];
    // STUB LAB 2
    //~ // LAB 2: your code here. Start at the root (table_page(root_), which is
    //~ // memory_->table_at(root_) made cheap when tables are direct-mapped)
    //~ // and go down levels 3, 2 and 1 with pagetable_index(va, level). A
    //~ // missing table is allocated with memory_->alloc_table(owner_) if create
    //~ // (entry: its address | present | writable | user), else return
    //~ // nullptr. Return the address of the level-0 entry.
    //~ (void) va, (void) create;
    //~ return nullptr;
    // END LAB 2
}

int PageTable::map(uintptr_t va, uintptr_t pa, uint64_t perm) {
    if (va % 4096 || pa % 4096 || !is_canonical(va) || (pa & ~pte::address_mask))
        return E_INVAL;
    // BEGIN LAB 2
    uint64_t* entry = walk(va, true);
    if (!entry) return E_NO_MEM;
    bool was_present = *entry & pte::present;
    *entry = pa | (perm & pte::perm_mask) | pte::present;
    if (was_present) memory_->invalidate(root_, va);
    return 0;
    // STUB LAB 2
    //~ // LAB 2: your code here. walk() with create (nullptr: E_NO_MEM),
    //~ // write pa | (perm & pte::perm_mask) | pte::present into the entry
    //~ // (bits outside perm_mask must not reach it), and if it replaced a
    //~ // present entry the TLB may still hold the old one:
    //~ // memory_->invalidate(root_, va).
    //~ (void) perm;
    //~ return E_NO_MEM;
    // END LAB 2
}

void PageTable::unmap(uintptr_t va) {
    if (!is_canonical(va)) return;
    // BEGIN LAB 2
    uint64_t* entry = walk(page_round_down(va), false);
    if (!entry || !(*entry & pte::present)) return;
    *entry = 0;
    memory_->invalidate(root_, page_round_down(va));
    // STUB LAB 2
    //~ // LAB 2: your code here. va may be unaligned: work on
    //~ // page_round_down(va). Find the entry without creating tables; if
    //~ // present, clear it and invalidate the TLB entry for the page.
    // END LAB 2
}

Mapping PageTable::lookup_with_walk(uintptr_t va) {
    uint64_t* entry = is_canonical(va) ? walk(va, false) : nullptr;
    if (!entry || !(*entry & pte::present)) return Mapping{false, 0, 0};
    return Mapping{true, pte::address(*entry) | (va & 4095), pte::perm(*entry)};
}

void PageTable::free_empty_tables(uintptr_t va) {
    if (!is_canonical(va)) return;
    // The tables on va's path, root first: path[3 - level] is the table at level.
    uint64_t* path[pagetable_levels];
    path[0] = memory_->table_at(root_);
    for (int level = pagetable_levels - 1; level > 0; --level) {
        uint64_t entry = path[pagetable_levels - 1 - level][pagetable_index(va, level)];
        if (!(entry & pte::present) || (entry & pte::large)) return;
        path[pagetable_levels - level] = memory_->table_at(pte::address(entry));
    }
    for (int level = 0; level < pagetable_levels - 1; ++level) {
        uint64_t* table = path[pagetable_levels - 1 - level];
        for (size_t i = 0; i < entries_per_table; ++i) {
            if (table[i] & pte::present) return;   // still in use, and so is every table above
        }
        uint64_t& parent = path[pagetable_levels - 2 - level][pagetable_index(va, level + 1)];
        uintptr_t table_pa = pte::address(parent);
        parent = 0;
        // The CPU may cache upper-level entries too; invlpg drops those.
        memory_->invalidate(root_, va);
        memory_->free_table(table_pa);
    }
}

namespace {
void free_subtree(const PageTableMemory& memory, uintptr_t table_pa, int level) {
    if (level > 0) {
        uint64_t* table = memory.table_at(table_pa);
        for (size_t i = 0; i < entries_per_table; ++i) {
            if ((table[i] & pte::present) && !(table[i] & pte::large))
                free_subtree(memory, pte::address(table[i]), level - 1);
        }
    }
    memory.free_table(table_pa);
}
}  // namespace

void PageTable::free_user_tables(bool free_root) {
    uint64_t* root = memory_->table_at(root_);
    constexpr int top = pagetable_levels - 1;
    // The lower half of the PML4 is the user half; the upper half is shared
    // with the kernel and never freed here.
    for (size_t i = 0; i < entries_per_table / 2; ++i) {
        if (root[i] & pte::present) {
            free_subtree(*memory_, pte::address(root[i]), top - 1);
            root[i] = 0;
        }
    }
    if (free_root) memory_->free_table(root_);
}
