// Unit tests for PageTable and PageTableCursor (kern/pagetable.cc).
//
// The page-table code reaches table pages only through PageTableMemory, so
// here it is backed by heap pages: page i of a pool has the fake physical
// address (i + 1) * 4096, table_at translates, and the pool counts live
// pages, can refuse allocations (to simulate running out of memory) and logs
// every invalidate(root, va). The callbacks are plain function pointers with
// no context argument, so their state is file-static and reset per test.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <ostream>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "kern/pagetable.hh"
#include "lib/error.hh"

namespace {

constexpr uint64_t kPWU = pte::present | pte::writable | pte::user;
constexpr uintptr_t kPage = 4096;

// ------------------------------------------------------------ fake memory

struct PoolPage {
    uint64_t* mem;
    bool live;
};

struct Pool {
    std::vector<PoolPage> pages;  // index i <-> physical address (i + 1) * 4096
    size_t live = 0;
    long allocs_left = -1;        // -1: unlimited
    size_t alloc_calls = 0;
    std::vector<int32_t> owners;  // the owner passed to each alloc_table call
    size_t bad_accesses = 0;      // table_at/free_table on a page that is not live
    std::vector<std::pair<uintptr_t, uintptr_t>> invalidations;
    alignas(4096) uint64_t scratch[entries_per_table];  // returned for bad table_at
};

Pool* pool = nullptr;

// The pool index of pa, or -1 if pa is not one of ours.
long pool_index(uintptr_t pa) {
    if (pa == 0 || pa % kPage) return -1;
    size_t i = pa / kPage - 1;
    return i < pool->pages.size() ? long(i) : -1;
}

bool pool_live(uintptr_t pa) {
    long i = pool_index(pa);
    return i >= 0 && pool->pages[i].live;
}

uintptr_t fake_alloc_table(int32_t owner) {
    ++pool->alloc_calls;
    pool->owners.push_back(owner);
    if (pool->allocs_left == 0) return 0;
    if (pool->allocs_left > 0) --pool->allocs_left;
    // Freed pages are never handed out again, so a stale reference to one is
    // caught by table_at instead of silently aliasing a new table.
    void* mem = std::aligned_alloc(kPage, kPage);
    if (!mem) std::abort();
    std::memset(mem, 0, kPage);
    pool->pages.push_back(PoolPage{static_cast<uint64_t*>(mem), true});
    ++pool->live;
    return pool->pages.size() * kPage;
}

void fake_free_table(uintptr_t pa) {
    long i = pool_index(pa);
    if (i < 0 || !pool->pages[i].live) {
        ++pool->bad_accesses;
        ADD_FAILURE() << "free_table(" << std::hex << pa << "): not a live table page";
        return;
    }
    // Poison, so a later read of a freed table shows up as garbage.
    std::memset(pool->pages[i].mem, 0xA5, kPage);
    pool->pages[i].live = false;
    --pool->live;
}

uint64_t* fake_table_at(uintptr_t pa) {
    long i = pool_index(pa);
    if (i < 0 || !pool->pages[i].live) {
        ++pool->bad_accesses;
        ADD_FAILURE() << "table_at(" << std::hex << pa << "): not a live table page";
        std::memset(pool->scratch, 0, sizeof pool->scratch);
        return pool->scratch;
    }
    return pool->pages[i].mem;
}

void fake_invalidate(uintptr_t root, uintptr_t va) {
    pool->invalidations.emplace_back(root, va);
}

const PageTableMemory fake_memory = {
    fake_alloc_table,
    fake_free_table,
    fake_table_at,
    fake_invalidate,
};

// Sign-extends bit 47, as the CPU does when forming a virtual address.
uintptr_t canonicalize(uintptr_t va) {
    return (va & (1ull << 47)) ? (va | 0xFFFF000000000000ull) : (va & 0x0000FFFFFFFFFFFFull);
}

// One leaf of the raw tree.
struct Leaf {
    uintptr_t pa;
    uint64_t perm;
    bool operator==(const Leaf&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Leaf& l) {
    return os << std::hex << "{pa 0x" << l.pa << " perm 0x" << l.perm << "}" << std::dec;
}

// ------------------------------------------------------------ fixture

class PageTableTest : public ::testing::Test {
protected:
    void SetUp() override {
        pool = new Pool;
        root_pa = fake_alloc_table(-1);
        ASSERT_NE(root_pa, 0u);
        pt = new PageTable(root_pa, fake_memory);
        pool->alloc_calls = 0;
    }
    void TearDown() override {
        EXPECT_EQ(pool->bad_accesses, 0u);
        delete pt;
        for (PoolPage& p : pool->pages) std::free(p.mem);
        delete pool;
        pool = nullptr;
    }

    uint64_t* table(uintptr_t pa) { return fake_table_at(pa); }
    uint64_t* root() { return table(root_pa); }
    size_t live() const { return pool->live; }
    const std::vector<std::pair<uintptr_t, uintptr_t>>& invalidations() const { return pool->invalidations; }
    void limit_allocs(long n) { pool->allocs_left = n; }

    // Every leaf reachable from the root, keyed by canonical va. Also checks
    // the shape of the tree: intermediate entries are exactly
    // table | present | writable | user, point at live pool pages, and no
    // table is reachable twice. Counts the tables it reached.
    std::map<uintptr_t, Leaf> raw_leaves(size_t* tables_reached = nullptr) {
        std::map<uintptr_t, Leaf> leaves;
        std::set<uintptr_t> seen;
        collect(root_pa, pagetable_levels - 1, 0, leaves, seen);
        if (tables_reached) *tables_reached = seen.size();
        return leaves;
    }

    uintptr_t root_pa = 0;
    PageTable* pt = nullptr;

private:
    void collect(uintptr_t table_pa, int level, uintptr_t prefix, std::map<uintptr_t, Leaf>& leaves,
                 std::set<uintptr_t>& seen) {
        if (!seen.insert(table_pa).second) {
            ADD_FAILURE() << "table " << std::hex << table_pa << " is reachable twice";
            return;
        }
        uint64_t* t = table(table_pa);
        for (size_t i = 0; i < entries_per_table; ++i) {
            uint64_t e = t[i];
            uintptr_t va = prefix | (uintptr_t(i) << (12 + 9 * level));
            if (!(e & pte::present)) {
                EXPECT_EQ(e, 0u) << "non-present entry with stray bits at level " << level << " va "
                                 << std::hex << canonicalize(va);
                continue;
            }
            if (level == 0) {
                leaves[canonicalize(va)] = Leaf{pte::address(e), pte::perm(e)};
                EXPECT_EQ(e & ~(pte::address_mask | pte::perm_mask), 0u)
                    << "leaf with bits outside address/perm at " << std::hex << canonicalize(va);
                continue;
            }
            EXPECT_EQ(e & ~pte::address_mask, kPWU)
                << "intermediate entry at level " << level << " va " << std::hex << canonicalize(va);
            uintptr_t child = pte::address(e);
            if (!pool_live(child)) {
                ADD_FAILURE() << "intermediate entry points at " << std::hex << child << ", not a live table";
                continue;
            }
            collect(child, level - 1, va, leaves, seen);
        }
    }
};

// ------------------------------------------------------------ walk

TEST_F(PageTableTest, WalkWithoutCreateOnEmptyTableIsNull) {
    EXPECT_EQ(pt->walk(0, false), nullptr);
    EXPECT_EQ(pt->walk(0x400000, false), nullptr);
    EXPECT_EQ(pt->walk(0x00007FFFFFFFF000, false), nullptr);
    EXPECT_EQ(pt->walk(0xFFFF800000000000, false), nullptr);
    EXPECT_EQ(pool->alloc_calls, 0u);
    EXPECT_EQ(live(), 1u);
}

TEST_F(PageTableTest, WalkCreateBuildsThreeTablesAndReusesThem) {
    const uintptr_t va = 0x0000123456789000;
    uint64_t* e = pt->walk(va, true);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(*e, 0u);  // a fresh, empty leaf slot
    EXPECT_EQ(live(), 4u);
    EXPECT_EQ(pool->alloc_calls, 3u);

    // Without create, the same slot is found now.
    EXPECT_EQ(pt->walk(va, false), e);
    // The page offset does not matter.
    EXPECT_EQ(pt->walk(va + 0x123, false), e);

    // Neighbours in the same 2 MiB share the page table: adjacent slots.
    const uintptr_t two_mb_base = va & ~uintptr_t(0x1FFFFF);
    uint64_t* first = pt->walk(two_mb_base, true);
    uint64_t* last = pt->walk(two_mb_base + 0x1FF000, true);
    EXPECT_EQ(pt->walk(va + kPage, true), e + 1);
    EXPECT_EQ(last - first, 511);
    EXPECT_EQ(e - first, long(pagetable_index(va, 0)));
    EXPECT_EQ(live(), 4u);
    EXPECT_EQ(pool->alloc_calls, 3u);

    // Next 2 MiB (same 1 GiB): one more page table.
    ASSERT_NE(pt->walk(two_mb_base + 0x200000, true), nullptr);
    EXPECT_EQ(live(), 5u);
    // Next 1 GiB (same 512 GiB): a page directory and a page table.
    ASSERT_NE(pt->walk((va & ~uintptr_t(0x3FFFFFFF)) + 0x40000000, true), nullptr);
    EXPECT_EQ(live(), 7u);
    // Walking never invalidates anything.
    EXPECT_TRUE(invalidations().empty());
}

TEST_F(PageTableTest, WalkCreateDoesNotSetTheLeaf) {
    ASSERT_NE(pt->walk(0x5000, true), nullptr);
    EXPECT_FALSE(pt->lookup(0x5000).present);
    EXPECT_TRUE(raw_leaves().empty());
}

// ------------------------------------------------------------ map / lookup

TEST_F(PageTableTest, MapThenLookup) {
    const uintptr_t va = 0x400000, pa = 0x1234000;
    ASSERT_EQ(pt->map(va, pa, pte::writable | pte::user), 0);

    Mapping m = pt->lookup(va);
    EXPECT_TRUE(m.present);
    EXPECT_EQ(m.pa, pa);
    EXPECT_EQ(m.perm, pte::present | pte::writable | pte::user);

    // The page offset carries over into pa.
    m = pt->lookup(va + 0xABC);
    EXPECT_TRUE(m.present);
    EXPECT_EQ(m.pa, pa + 0xABC);
    m = pt->lookup(va + 0xFFF);
    EXPECT_EQ(m.pa, pa + 0xFFF);

    // The neighbours are not mapped.
    EXPECT_FALSE(pt->lookup(va - kPage).present);
    EXPECT_FALSE(pt->lookup(va + kPage).present);
    Mapping none = pt->lookup(va + kPage);
    EXPECT_EQ(none.pa, 0u);
    EXPECT_EQ(none.perm, 0u);
}

TEST_F(PageTableTest, MapWithNoPermIsPresentReadOnly) {
    ASSERT_EQ(pt->map(0x7000, 0x9000, 0), 0);
    Mapping m = pt->lookup(0x7000);
    EXPECT_TRUE(m.present);
    EXPECT_EQ(m.perm, pte::present);
}

TEST_F(PageTableTest, LookupKeepsAllPermBits) {
    const uint64_t perm = pte::writable | pte::user | pte::accessed | pte::dirty | pte::global | pte::no_execute;
    ASSERT_EQ(pt->map(0x7000, 0x9000, perm), 0);
    EXPECT_EQ(pt->lookup(0x7000).perm, perm | pte::present);
    EXPECT_EQ(pt->lookup(0x7000).pa, 0x9000u);  // no_execute is not part of pa
}

TEST_F(PageTableTest, PermBitsOutsidePermMaskDoNotReachTheEntry) {
    // A stray address bit in perm must not change the frame, and "large"
    // would turn a last-level entry into something else.
    ASSERT_EQ(pt->map(0x7000, 0x9000, pte::writable | 0x100000 | pte::large), 0);
    Mapping m = pt->lookup(0x7000);
    EXPECT_EQ(m.pa, 0x9000u);
    EXPECT_EQ(m.perm, pte::present | pte::writable);
}

TEST_F(PageTableTest, RawEntries) {
    const uintptr_t va = 0x0000008040201000;  // index 1 at every level
    const uintptr_t pa = 0x000FFFFFFFFFF000;  // the highest frame
    const uint64_t perm = pte::writable | pte::user | pte::no_execute;
    ASSERT_EQ(pt->map(va, pa, perm), 0);
    for (int level = 0; level < pagetable_levels; ++level) ASSERT_EQ(pagetable_index(va, level), 1u);

    uint64_t* t = root();
    for (int level = pagetable_levels - 1; level > 0; --level) {
        uint64_t e = t[1];
        EXPECT_EQ(e & ~pte::address_mask, kPWU) << "level " << level;
        ASSERT_TRUE(pool_live(pte::address(e))) << "level " << level;
        // Every other slot of the table is empty.
        for (size_t i = 0; i < entries_per_table; ++i)
            if (i != 1) {
                EXPECT_EQ(t[i], 0u) << "level " << level << " slot " << i;
            }
        t = table(pte::address(e));
    }
    EXPECT_EQ(t[1], pa | perm | pte::present);
    EXPECT_EQ(pt->walk(va, false), &t[1]);
}

TEST_F(PageTableTest, MapReplacingInvalidatesOnce) {
    const uintptr_t va = 0x600000;
    ASSERT_EQ(pt->map(va, 0x1000, pte::writable), 0);
    EXPECT_TRUE(invalidations().empty()) << "a first map has nothing stale to drop";

    ASSERT_EQ(pt->map(va, 0x2000, pte::user), 0);
    ASSERT_EQ(invalidations().size(), 1u);
    EXPECT_EQ(invalidations()[0], std::make_pair(root_pa, va));

    Mapping m = pt->lookup(va);
    EXPECT_EQ(m.pa, 0x2000u);
    EXPECT_EQ(m.perm, pte::present | pte::user);  // writable is gone, not merged
    EXPECT_EQ(live(), 4u);                        // no new tables

    // Mapping the same frame again still replaces (and invalidates).
    ASSERT_EQ(pt->map(va, 0x2000, pte::user), 0);
    EXPECT_EQ(invalidations().size(), 2u);

    // A first map of a neighbour does not.
    ASSERT_EQ(pt->map(va + kPage, 0x3000, 0), 0);
    EXPECT_EQ(invalidations().size(), 2u);
}

// ------------------------------------------------------------ unmap

TEST_F(PageTableTest, UnmapClearsAndInvalidates) {
    const uintptr_t va = 0x800000;
    ASSERT_EQ(pt->map(va, 0x5000, pte::writable), 0);
    ASSERT_EQ(pt->map(va + kPage, 0x6000, pte::writable), 0);
    uint64_t* e = pt->walk(va, false);
    ASSERT_NE(e, nullptr);

    pt->unmap(va);
    EXPECT_EQ(*e, 0u);
    EXPECT_FALSE(pt->lookup(va).present);
    ASSERT_EQ(invalidations().size(), 1u);
    EXPECT_EQ(invalidations()[0], std::make_pair(root_pa, va));
    // The neighbour is untouched.
    EXPECT_EQ(pt->lookup(va + kPage).pa, 0x6000u);

    // Unmapping again: nothing to do, nothing to invalidate.
    pt->unmap(va);
    EXPECT_EQ(invalidations().size(), 1u);
}

TEST_F(PageTableTest, UnmapUnalignedInvalidatesThePage) {
    const uintptr_t va = 0x800000;
    ASSERT_EQ(pt->map(va, 0x5000, 0), 0);
    pt->unmap(va + 0x234);
    EXPECT_FALSE(pt->lookup(va).present);
    ASSERT_EQ(invalidations().size(), 1u);
    EXPECT_EQ(invalidations()[0].second, va);
}

TEST_F(PageTableTest, UnmapOfUnmappedIsHarmlessAndCreatesNothing) {
    pt->unmap(0x400000);
    pt->unmap(0xFFFF800000000000);
    pt->unmap(0x0000800000000000);  // non-canonical
    EXPECT_EQ(live(), 1u);
    EXPECT_EQ(pool->alloc_calls, 0u);
    EXPECT_TRUE(invalidations().empty());

    // With tables present but the leaf empty: still nothing.
    ASSERT_EQ(pt->map(0x400000, 0x1000, 0), 0);
    size_t before = live();
    pt->unmap(0x401000);
    pt->unmap(0x400000 + 0x200000);  // other 2 MiB: no page table there
    EXPECT_EQ(live(), before);
    EXPECT_TRUE(invalidations().empty());
    EXPECT_TRUE(pt->lookup(0x400000).present);
}

// ------------------------------------------------------------ errors

TEST_F(PageTableTest, InvalidArguments) {
    EXPECT_EQ(pt->map(0x1001, 0x2000, 0), E_INVAL) << "unaligned va";
    EXPECT_EQ(pt->map(0x1800, 0x2000, 0), E_INVAL) << "unaligned va";
    EXPECT_EQ(pt->map(0x1000, 0x2008, 0), E_INVAL) << "unaligned pa";
    EXPECT_EQ(pt->map(0x0000800000000000, 0x2000, 0), E_INVAL) << "non-canonical va";
    EXPECT_EQ(pt->map(0xFFFF7FFFFFFFF000, 0x2000, 0), E_INVAL) << "non-canonical va";
    EXPECT_EQ(pt->map(0x8000000000000000, 0x2000, 0), E_INVAL) << "non-canonical va";
    EXPECT_EQ(pt->map(0x1000, 0x0010000000000000, 0), E_INVAL) << "pa bit 52";
    EXPECT_EQ(pt->map(0x1000, 0x8000000000002000, 0), E_INVAL) << "pa bit 63";
    // Nothing was built, mapped or invalidated.
    EXPECT_EQ(pool->alloc_calls, 0u);
    EXPECT_EQ(live(), 1u);
    EXPECT_TRUE(invalidations().empty());
    EXPECT_TRUE(raw_leaves().empty());

    // The limits themselves are fine.
    EXPECT_EQ(pt->map(0x00007FFFFFFFF000, 0x000FFFFFFFFFF000, 0), 0);
    EXPECT_EQ(pt->map(0xFFFFFFFFFFFFF000, 0, 0), 0);
}

TEST_F(PageTableTest, LookupOfNonCanonicalIsNotPresent) {
    EXPECT_FALSE(pt->lookup(0x0000800000000000).present);
    EXPECT_FALSE(pt->lookup(0x8000000000000000).present);
    EXPECT_EQ(pool->alloc_calls, 0u);
}

TEST_F(PageTableTest, OutOfMemoryAtEveryLevel) {
    // With n allocations left on an empty PML4 slot, the walk fails after
    // building n of the 3 tables it needs. Each n gets its own slot.
    auto va_for = [](long n) { return (uintptr_t(n + 1) << 39) | 0x40201000; };
    size_t expected_live = 1;
    for (long n = 0; n < 3; ++n) {
        SCOPED_TRACE(n);
        uintptr_t va = va_for(n);
        limit_allocs(n);
        EXPECT_EQ(pt->map(va, 0x7000, pte::writable), E_NO_MEM);
        EXPECT_EQ(pool->allocs_left, 0);
        EXPECT_FALSE(pt->lookup(va).present);
        EXPECT_EQ(pt->walk(va, false), nullptr);
        // Tables allocated before the failure stay linked in: nothing leaks,
        // nothing dangles.
        expected_live += n;
        EXPECT_EQ(live(), expected_live);
        size_t reached = 0;
        EXPECT_TRUE(raw_leaves(&reached).empty());
        EXPECT_EQ(reached, live());
    }
    EXPECT_TRUE(invalidations().empty());

    // With memory again, each map completes, reusing what is there: the
    // slot that got n tables needs 3 - n more.
    limit_allocs(-1);
    for (long n = 0; n < 3; ++n) {
        SCOPED_TRACE(n);
        uintptr_t va = va_for(n);
        size_t before = live();
        ASSERT_EQ(pt->map(va, 0x7000 + n * kPage, pte::writable), 0);
        EXPECT_EQ(live(), before + 3 - n);
        Mapping m = pt->lookup(va);
        EXPECT_TRUE(m.present);
        EXPECT_EQ(m.pa, 0x7000 + n * kPage);
    }
    EXPECT_TRUE(invalidations().empty());
    size_t reached = 0;
    EXPECT_EQ(raw_leaves(&reached).size(), 3u);
    EXPECT_EQ(reached, live());
}

TEST_F(PageTableTest, OutOfMemoryMidWalkKeepsOtherMappings) {
    ASSERT_EQ(pt->map(0x1000, 0xA000, 0), 0);
    limit_allocs(1);  // enough for a page directory, not its page table
    EXPECT_EQ(pt->map(0x40000000, 0xB000, 0), E_NO_MEM);
    EXPECT_EQ(pt->lookup(0x1000).pa, 0xA000u);
    // An existing leaf needs no tables: it can still be replaced.
    limit_allocs(0);
    EXPECT_EQ(pt->map(0x2000, 0xC000, 0), 0);
    EXPECT_EQ(pt->map(0x1000, 0xD000, 0), 0);
    EXPECT_EQ(pt->lookup(0x1000).pa, 0xD000u);
    limit_allocs(-1);
    ASSERT_EQ(pt->map(0x40000000, 0xB000, 0), 0);
    std::map<uintptr_t, Leaf> expected = {
        {0x1000, {0xD000, pte::present}},
        {0x2000, {0xC000, pte::present}},
        {0x40000000, {0xB000, pte::present}},
    };
    size_t reached = 0;
    EXPECT_EQ(raw_leaves(&reached), expected);
    EXPECT_EQ(reached, live());
}

// ------------------------------------------------------------ upper half

TEST_F(PageTableTest, UpperHalfAddresses) {
    const uintptr_t base = 0xFFFF800000000000;
    ASSERT_EQ(pt->map(base, 0x100000, pte::writable | pte::global), 0);
    ASSERT_EQ(pt->map(0xFFFFFFFFFFFFF000, 0x200000, 0), 0);

    Mapping m = pt->lookup(base + 0x10);
    EXPECT_TRUE(m.present);
    EXPECT_EQ(m.pa, 0x100010u);
    EXPECT_EQ(m.perm, pte::present | pte::writable | pte::global);
    EXPECT_EQ(pt->lookup(0xFFFFFFFFFFFFFFFF).pa, 0x200FFFu);

    // PML4 slots 256 and 511, and no user-half slot.
    EXPECT_TRUE(root()[256] & pte::present);
    EXPECT_TRUE(root()[511] & pte::present);
    for (size_t i = 0; i < 256; ++i) EXPECT_EQ(root()[i], 0u) << i;

    // The truncated (non-sign-extended) alias is a different, invalid address.
    EXPECT_FALSE(pt->lookup(0x0000800000000000).present);

    pt->unmap(base);
    EXPECT_FALSE(pt->lookup(base).present);
    ASSERT_EQ(invalidations().size(), 1u);
    EXPECT_EQ(invalidations()[0].second, base);

    std::map<uintptr_t, Leaf> expected = {{0xFFFFFFFFFFFFF000, {0x200000, pte::present}}};
    EXPECT_EQ(raw_leaves(), expected);
}

// ------------------------------------------------------------ free_user_tables

TEST_F(PageTableTest, TablesAreChargedToTheOwner) {
    PageTable owned(root_pa, fake_memory, 0x1234);
    pool->owners.clear();
    ASSERT_EQ(owned.map(0x400000, 0x5000, pte::user), 0);
    EXPECT_EQ(pool->owners, (std::vector<int32_t>{0x1234, 0x1234, 0x1234}));
    pool->owners.clear();
    ASSERT_EQ(pt->map(0x0000700000000000, 0x6000, 0), 0);
    EXPECT_EQ(pool->owners, (std::vector<int32_t>{-1, -1, -1})) << "default owner is the kernel";
}

TEST_F(PageTableTest, FreeEmptyTablesAfterLastUnmap) {
    ASSERT_EQ(pt->map(0x40000000, 0x5000, pte::user), 0);
    ASSERT_EQ(pool->live, 4u);
    pt->unmap(0x40000000);
    pt->free_empty_tables(0x40000000);
    EXPECT_EQ(pool->live, 1u) << "only the root should be left";
    EXPECT_EQ(table(root_pa)[0], 0u);
    EXPECT_EQ(pt->walk(0x40000000, false), nullptr);
    // The dropped upper-level entries may be cached by the CPU.
    EXPECT_FALSE(pool->invalidations.empty());
}

TEST_F(PageTableTest, FreeEmptyTablesKeepsTablesStillInUse) {
    // Same page table, same PD, other PDPT slot: only what empties goes.
    ASSERT_EQ(pt->map(0x40000000, 0x5000, 0), 0);
    ASSERT_EQ(pt->map(0x40001000, 0x6000, 0), 0);    // same page table
    ASSERT_EQ(pt->map(0x80000000, 0x7000, 0), 0);    // same PDPT, other PD
    ASSERT_EQ(pool->live, 6u);
    pt->unmap(0x40000000);
    pt->free_empty_tables(0x40000000);
    EXPECT_EQ(pool->live, 6u) << "the page table still maps 0x40001000";
    EXPECT_EQ(pt->lookup(0x40001000).pa, 0x6000u);
    pt->unmap(0x40001000);
    pt->free_empty_tables(0x40001000);
    EXPECT_EQ(pool->live, 4u) << "its page table and PD go; the PDPT still serves 0x80000000";
    EXPECT_EQ(pt->lookup(0x80000000).pa, 0x7000u);
    // Nothing to free on a path that does not exist, or is still in use.
    pt->free_empty_tables(0x0000600000000000);
    pt->free_empty_tables(0x80000000);
    pt->free_empty_tables(0x0000800000000000);  // non-canonical
    EXPECT_EQ(pool->live, 4u);
}

TEST_F(PageTableTest, FreeUserTablesFreesTheUserHalfOnly) {
    // The kernel half: a shared page directory pointer table of its own,
    // installed by hand as the kernel does for every address space.
    uintptr_t kernel_pdpt = fake_alloc_table(-1);
    ASSERT_NE(kernel_pdpt, 0u);
    root()[256] = kernel_pdpt | pte::present | pte::writable;
    ASSERT_EQ(pt->map(0xFFFF800000200000, 0x300000, pte::writable | pte::global), 0);
    ASSERT_EQ(pt->map(0xFFFFFFFF80000000, 0x400000, pte::global), 0);
    const uint64_t slot256 = root()[256], slot511 = root()[511];
    const size_t kernel_pages = live();  // root + kernel tables

    // A frame that a user mapping points at, from the same pool: it must
    // survive, only tables are freed.
    uintptr_t frame = fake_alloc_table(-1);
    ASSERT_NE(frame, 0u);

    // The user half, spread over several PML4 slots and levels.
    const uintptr_t user_vas[] = {0x1000,           0x2000,           0x201000,         0x40000000,
                                  0x8000000000,     0x00007FFFFFFFF000, 0x0000123400000000};
    for (uintptr_t va : user_vas) ASSERT_EQ(pt->map(va, frame, pte::user | pte::writable), 0);
    ASSERT_GT(live(), kernel_pages + 1);

    pt->free_user_tables(false);
    EXPECT_EQ(live(), kernel_pages + 1);  // + the frame
    EXPECT_TRUE(pool_live(frame));
    EXPECT_TRUE(pool_live(root_pa));
    EXPECT_TRUE(pool_live(kernel_pdpt));
    for (size_t i = 0; i < 256; ++i) EXPECT_EQ(root()[i], 0u) << i;
    EXPECT_EQ(root()[256], slot256);
    EXPECT_EQ(root()[511], slot511);
    for (uintptr_t va : user_vas) EXPECT_FALSE(pt->lookup(va).present);
    EXPECT_EQ(pt->lookup(0xFFFF800000200000).pa, 0x300000u);
    EXPECT_EQ(pt->lookup(0xFFFFFFFF80000000).pa, 0x400000u);

    // The address space is still usable afterwards.
    ASSERT_EQ(pt->map(0x1000, frame, pte::user), 0);
    EXPECT_EQ(live(), kernel_pages + 1 + 3);
    pt->free_user_tables(false);
    EXPECT_EQ(live(), kernel_pages + 1);
}

TEST_F(PageTableTest, FreeUserTablesWithRoot) {
    ASSERT_EQ(pt->map(0xFFFF800000000000, 0x100000, 0), 0);
    const size_t kernel_pages = live();  // root + 3 kernel-half tables
    ASSERT_EQ(pt->map(0x1000, 0x5000, 0), 0);
    ASSERT_EQ(pt->map(0x7FFFFFFFF000, 0x6000, 0), 0);

    pt->free_user_tables(true);
    EXPECT_FALSE(pool_live(root_pa));
    EXPECT_EQ(live(), kernel_pages - 1);  // kernel-half tables remain, root gone
    EXPECT_TRUE(invalidations().empty());
}

TEST_F(PageTableTest, FreeUserTablesOnEmptyTable) {
    pt->free_user_tables(false);
    EXPECT_EQ(live(), 1u);
    pt->free_user_tables(true);
    EXPECT_EQ(live(), 0u);
}

TEST_F(PageTableTest, FreeUserTablesSkipsLargePages) {
    // A 2 MiB page in a user page directory (as boot tables might hold) maps
    // a frame, not a table: it must not be freed as one.
    ASSERT_EQ(pt->map(0x1000, 0x5000, 0), 0);
    uint64_t* pdpt = table(pte::address(root()[0]));
    uint64_t* pd = table(pte::address(pdpt[0]));
    uintptr_t big = fake_alloc_table(-1);
    ASSERT_NE(big, 0u);
    pd[1] = big | pte::present | pte::large;
    size_t before = live();
    pt->free_user_tables(false);
    EXPECT_EQ(live(), before - 3);
    EXPECT_TRUE(pool_live(big));
}

// ------------------------------------------------------------ cursor

TEST_F(PageTableTest, CursorReportsRange) {
    const uintptr_t start = 0x1FE000;  // crosses a 2 MiB boundary
    ASSERT_EQ(pt->map(start + 1 * kPage, 0x11000, pte::writable), 0);
    ASSERT_EQ(pt->map(start + 2 * kPage, 0x22000, pte::user), 0);
    ASSERT_EQ(pt->map(start + 5 * kPage, 0x55000, 0), 0);

    std::vector<uintptr_t> seen;
    std::map<uintptr_t, Leaf> present;
    for (PageTableCursor c(*pt, start + 0x123); c.va() < start + 8 * kPage; c.next()) {
        seen.push_back(c.va());
        if (c.present()) present[c.va()] = Leaf{c.pa(), c.perm()};
        else {
            EXPECT_EQ(c.pa(), 0u);
            EXPECT_EQ(c.perm(), 0u);
        }
    }
    ASSERT_EQ(seen.size(), 8u);
    for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], start + i * kPage);
    std::map<uintptr_t, Leaf> expected = {
        {start + 1 * kPage, {0x11000, pte::present | pte::writable}},
        {start + 2 * kPage, {0x22000, pte::present | pte::user}},
        {start + 5 * kPage, {0x55000, pte::present}},
    };
    EXPECT_EQ(present, expected);
    // Reading never creates tables: just the PDPT, PD and two page tables
    // the maps needed.
    EXPECT_EQ(pool->alloc_calls, 4u);
}

TEST_F(PageTableTest, CursorMapAndUnmap) {
    const uintptr_t start = 0x10000;
    for (PageTableCursor c(*pt, start); c.va() < start + 4 * kPage; c.next()) {
        ASSERT_FALSE(c.present());
        ASSERT_EQ(c.map(0x100000 + (c.va() - start), pte::writable), 0);
        // The cursor's view reloads after map.
        EXPECT_TRUE(c.present());
        EXPECT_EQ(c.pa(), 0x100000 + (c.va() - start));
        EXPECT_EQ(c.perm(), pte::present | pte::writable);
    }
    for (uintptr_t va = start; va < start + 4 * kPage; va += kPage)
        EXPECT_EQ(pt->lookup(va).pa, 0x100000 + (va - start));

    // Unmap every other page through a cursor.
    for (PageTableCursor c(*pt, start); c.va() < start + 4 * kPage; c.next()) {
        if ((c.va() - start) / kPage % 2 == 0) {
            c.unmap();
            EXPECT_FALSE(c.present());
        }
    }
    EXPECT_FALSE(pt->lookup(start).present);
    EXPECT_TRUE(pt->lookup(start + kPage).present);
    EXPECT_FALSE(pt->lookup(start + 2 * kPage).present);
    EXPECT_TRUE(pt->lookup(start + 3 * kPage).present);
    ASSERT_EQ(invalidations().size(), 2u);
    EXPECT_EQ(invalidations()[0].second, start);
    EXPECT_EQ(invalidations()[1].second, start + 2 * kPage);

    // Errors come back through the cursor too.
    limit_allocs(0);
    PageTableCursor far(*pt, 0x40000000);
    EXPECT_EQ(far.map(0x1000, 0), E_NO_MEM);
    EXPECT_FALSE(far.present());
    PageTableCursor bad(*pt, 0x3000);
    EXPECT_EQ(bad.map(0x1001, 0), E_INVAL);
    EXPECT_FALSE(bad.present());
}

TEST_F(PageTableTest, CursorPastTheUserHalfIsNotPresent) {
    ASSERT_EQ(pt->map(0x00007FFFFFFFF000, 0x9000, 0), 0);
    PageTableCursor c(*pt, 0x00007FFFFFFFF000);
    EXPECT_TRUE(c.present());
    c.next();
    EXPECT_EQ(c.va(), 0x0000800000000000u);
    EXPECT_FALSE(c.present());
    c.unmap();  // harmless on a non-canonical address
    EXPECT_EQ(c.map(0x9000, 0), E_INVAL);
    EXPECT_TRUE(invalidations().empty());
}

// ------------------------------------------------------------ randomized

TEST_F(PageTableTest, RandomizedAgainstModel) {
    // Regions chosen to straddle table boundaries at every level, plus both
    // ends of both halves of the address space.
    struct Region {
        uintptr_t base;
        size_t pages;
    };
    const Region regions[] = {
        {0x0, 48},                         // the bottom
        {0x200000 - 24 * kPage, 48},       // across a page-table boundary
        {0x40000000 - 24 * kPage, 48},     // across a page-directory boundary
        {0x8000000000 - 24 * kPage, 48},   // across a PML4 slot
        {0x00007FFFFFFFF000 - 47 * kPage, 48},  // top of the user half
        {0xFFFF800000000000, 48},          // bottom of the upper half
        {0xFFFFFFFFFFFFF000 - 47 * kPage, 48},  // the very top
    };
    const uint64_t perms[] = {0,
                              pte::writable,
                              pte::user,
                              pte::writable | pte::user,
                              pte::writable | pte::no_execute,
                              pte::user | pte::accessed | pte::dirty,
                              pte::global | pte::writable};

    std::mt19937_64 rng(0x5EED'0F'E70C17ull);
    std::map<uintptr_t, Leaf> model;

    auto check_lookups = [&] {
        for (const Region& r : regions)
            for (size_t i = 0; i < r.pages; ++i) {
                uintptr_t va = r.base + i * kPage;
                Mapping m = pt->lookup(va + 0x7F);
                auto it = model.find(va);
                ASSERT_EQ(m.present, it != model.end()) << std::hex << va;
                if (m.present) {
                    ASSERT_EQ(m.pa, it->second.pa + 0x7F) << std::hex << va;
                    ASSERT_EQ(m.perm, it->second.perm) << std::hex << va;
                }
            }
    };
    auto check_raw = [&] {
        size_t reached = 0;
        ASSERT_EQ(raw_leaves(&reached), model);
        ASSERT_EQ(reached, live()) << "every live page is a table of this tree";
    };

    size_t maps = 0, replaces = 0, unmaps = 0, oom = 0;
    for (int op = 0; op < 4000; ++op) {
        const Region& r = regions[rng() % std::size(regions)];
        uintptr_t va = r.base + (rng() % r.pages) * kPage;
        size_t inv_before = invalidations().size();
        bool was = model.count(va);

        if (rng() % 3) {
            uintptr_t pa = (rng() & pte::address_mask);
            uint64_t perm = perms[rng() % std::size(perms)];
            // Now and then, run out of memory for this one map.
            bool starve = rng() % 16 == 0;
            if (starve) limit_allocs(0);
            size_t live_before = live();
            int rc = pt->map(va, pa, perm);
            limit_allocs(-1);
            if (rc == E_NO_MEM) {
                ASSERT_TRUE(starve) << "E_NO_MEM with memory available";
                ASSERT_FALSE(was) << "an existing leaf needs no new tables";
                ASSERT_EQ(live(), live_before);
                ASSERT_EQ(invalidations().size(), inv_before);
                ++oom;
                continue;
            }
            ASSERT_EQ(rc, 0) << std::hex << va;
            model[va] = Leaf{pa, perm | pte::present};
            ASSERT_EQ(invalidations().size(), inv_before + (was ? 1 : 0));
            if (was) {
                ASSERT_EQ(invalidations().back(), std::make_pair(root_pa, va));
                ++replaces;
            }
            ++maps;
        } else {
            size_t live_before = live();
            pt->unmap(va + rng() % kPage);
            model.erase(va);
            ASSERT_EQ(live(), live_before) << "unmap never allocates";
            ASSERT_EQ(invalidations().size(), inv_before + (was ? 1 : 0));
            if (was) {
                ASSERT_EQ(invalidations().back(), std::make_pair(root_pa, va));
            }
            ++unmaps;
        }

        if (op % 250 == 249) {
            check_lookups();
            if (HasFatalFailure()) return;
            check_raw();
            if (HasFatalFailure()) return;
        }
    }
    check_lookups();
    if (HasFatalFailure()) return;
    check_raw();
    if (HasFatalFailure()) return;

    // The seed exercises every kind of operation.
    EXPECT_GT(maps, 1000u);
    EXPECT_GT(replaces, 100u);
    EXPECT_GT(unmaps, 500u);
    EXPECT_GT(oom, 0u);
    EXPECT_FALSE(model.empty());

    // Tearing down the user half leaves exactly the upper-half mappings.
    pt->free_user_tables(false);
    for (auto it = model.begin(); it != model.end();)
        it = (it->first >> 47) ? std::next(it) : model.erase(it);
    check_raw();
}

}  // namespace
