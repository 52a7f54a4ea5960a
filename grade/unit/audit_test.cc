// Unit tests for the frame-table audit (audit::check in kern/audit.cc).
//
// A small machine on the heap: 64 frames of "RAM", a FrameTable over them
// with a free list, and two envs whose page tables live in frames of that
// same table, charged to them the way the kernel charges them (a table page
// has refcount 1; a data frame one per PTE that maps it). The audit passes
// on that world; then each test breaks one thing and checks the audit names
// exactly that problem and that frame.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <set>
#include <vector>

// glibc's <sys/syscall.h>, which <memory> pulls in for futexes, defines
// SYS_exit as a macro; lib/abi.hh has an enumerator of that name.
#undef SYS_exit
#include "kern/audit.hh"
#include "lib/abi.hh"

// gtest prints a scoped enum as raw bytes without this.
static void PrintTo(AuditProblem p, std::ostream* os) { *os << "AuditProblem(" << uint32_t(p) << ")"; }

namespace {

constexpr uint64_t kFrames = 64;
constexpr uint64_t kKernelFrames = 8;   // frames 0-7; frame 0 must never be a table (0 means "none")
constexpr int32_t kA = 0x1001, kB = 0x1002, kDead = 0x1003;
constexpr uint32_t kCanary = 0xC0FFEE;
constexpr uint64_t kR = perm_present | perm_user;
constexpr uint64_t kRW = kR | perm_writable;

struct alignas(4096) Page {
    uint64_t entry[entries_per_table] = {};
};

struct World {
    std::vector<Page> ram = std::vector<Page>(kFrames);
    std::vector<FrameInfo> frames = std::vector<FrameInfo>(kFrames);
    // One counter a frame, plus a canary the audit must never reach.
    std::vector<uint32_t> scratch = std::vector<uint32_t>(kFrames + 1, kCanary);
    FrameTable table{};
    std::set<int32_t> live;
    std::vector<AuditSpace> spaces;
    Page beyond{};             // what table_at hands out for an address past RAM
    size_t beyond_reads = 0;
};

// The PageTableMemory callbacks take no context: they reach the world here.
World* world = nullptr;

uintptr_t take_frame(int32_t owner) {
    FrameTable& t = world->table;
    if (t.free_head == no_frame) return 0;
    uint32_t n = t.free_head;
    t.free_head = t.frames[n].next_free;
    --t.free_count;
    t.frames[n] = FrameInfo{0, owner, no_frame, 0};
    world->ram[n] = Page{};
    return uintptr_t(n) * 4096;
}

uintptr_t alloc_table(int32_t owner) {
    uintptr_t pa = take_frame(owner);
    if (pa) world->frames[pa / 4096].refcount = 1;   // as kern/kernel_vm.cc does
    return pa;
}
void free_table(uintptr_t pa) {
    FrameTable& t = world->table;
    t.frames[pa / 4096] = FrameInfo{0, owner_free, t.free_head, 0};
    t.free_head = uint32_t(pa / 4096);
    ++t.free_count;
}
uint64_t* table_at(uintptr_t pa) {
    if (pa / 4096 < kFrames) return world->ram[pa / 4096].entry;
    ++world->beyond_reads;
    return world->beyond.entry;
}
void invalidate(uintptr_t, uintptr_t) {}
const PageTableMemory memory{alloc_table, free_table, table_at, invalidate};

bool alive(int32_t id) { return world->live.count(id) != 0; }

uint64_t frame_of(uintptr_t pa) { return pa / 4096; }

struct Mapper {
    int32_t id;
    uint64_t va;
};

// What a failing audit must report, every field of it.
struct Expected {
    AuditProblem problem;
    uint64_t frame;
    int32_t owner;
    uint32_t expected;
    uint32_t found;
    std::vector<Mapper> mappers;
};

void expect_finding(const AuditFinding& got, const Expected& want) {
    EXPECT_EQ(got.problem, want.problem);
    EXPECT_EQ(got.frame, want.frame);
    EXPECT_EQ(got.owner, want.owner);
    EXPECT_EQ(got.expected, want.expected);
    EXPECT_EQ(got.found, want.found);
    for (size_t i = 0; i < 4; ++i) {
        Mapper m = i < want.mappers.size() ? want.mappers[i] : Mapper{0, 0};
        EXPECT_EQ(got.mappers[i], m.id) << "mappers[" << i << "]";
        EXPECT_EQ(got.mapper_va[i], m.va) << "mapper_va[" << i << "]";
    }
}

class AuditTest : public ::testing::Test {
protected:
    static constexpr uintptr_t va_a1 = 0x400000, va_a2 = 0x401000, va_shared_a = 0x402000;
    static constexpr uintptr_t va_a2_far = 0x7F0000000000;   // a second PML4 slot: more tables
    static constexpr uintptr_t va_shared_b = 0x800000, va_b1 = 0x801000;
    static constexpr uintptr_t va_spare = 0x403000;         // unmapped, under A's existing tables
    static constexpr uintptr_t va_spare_b = 0x802000;       // likewise under B's

    World w;
    uintptr_t a_root = 0, b_root = 0;
    uintptr_t a1 = 0, a2 = 0, shared = 0, b1 = 0;

    void SetUp() override {
        world = &w;
        FrameTable& t = w.table;
        t.frames = w.frames.data();
        t.count = kFrames;
        t.audit_counts = w.scratch.data();
        for (uint64_t n = 0; n < kKernelFrames; ++n) w.frames[n] = FrameInfo{0, owner_kernel, no_frame, 0};
        w.frames[2].refcount = 1;   // the kernel's own use; the audit does not count those
        // The free list in ascending order, as frames::init leaves it.
        t.free_head = no_frame;
        t.free_count = 0;
        for (uint64_t n = kFrames; n-- > kKernelFrames;) free_table(n * 4096);

        a_root = alloc_table(kA);
        b_root = alloc_table(kB);
        w.live = {kA, kB};
        w.spaces = {{kA, a_root}, {kB, b_root}};
        a1 = take_frame(kA);
        bind(kA, va_a1, a1, kRW);
        a2 = take_frame(kA);                    // mapped twice in A
        bind(kA, va_a2, a2, kR);
        bind(kA, va_a2_far, a2, kR | perm_no_execute);
        shared = take_frame(kA);                // A's, mapped by A and B
        bind(kA, va_shared_a, shared, kRW);
        bind(kB, va_shared_b, shared, kR);
        b1 = take_frame(kB);
        bind(kB, va_b1, b1, kRW);
    }
    void TearDown() override {
        EXPECT_EQ(w.scratch[kFrames], kCanary) << "the audit wrote past its scratch";
        world = nullptr;
    }

    PageTable space(int32_t id) { return PageTable(id == kA ? a_root : b_root, memory, id); }

    // A mapping with its reference counted, as the kernel makes one.
    void bind(int32_t id, uintptr_t va, uintptr_t pa, uint64_t perm) {
        ASSERT_EQ(space(id).map(va, pa, perm), 0);
        ++w.frames[frame_of(pa)].refcount;
    }
    // A mapping the frame table does not know about (no refcount change).
    void sneak_map(int32_t id, uintptr_t va, uintptr_t pa) { ASSERT_EQ(space(id).map(va, pa, kR), 0); }

    // The frame of the last-level table that holds va's entry in id's space.
    uint64_t leaf_table(int32_t id, uintptr_t va) {
        uint64_t* entry = space(id).walk(va, false);
        EXPECT_NE(entry, nullptr);
        return (reinterpret_cast<uintptr_t>(entry) - reinterpret_cast<uintptr_t>(w.ram.data())) / 4096;
    }

    std::vector<uint32_t> free_list() const {
        std::vector<uint32_t> list;
        for (uint32_t n = w.table.free_head; n != no_frame && list.size() <= kFrames; n = w.frames[n].next_free)
            list.push_back(n);
        return list;
    }

    bool audit(AuditFinding* out) {
        return audit::check(w.table, memory, w.spaces.data(), w.spaces.size(), alive, out);
    }
    // Runs the audit in a child process under a deadline: a walk that never
    // ends then fails this test instead of hanging the whole binary.
    void expect_audit_terminates() {
        EXPECT_EXIT(
            {
                alarm(5);
                AuditFinding f{};
                audit(&f);
                std::_Exit(0);
            },
            ::testing::ExitedWithCode(0), "");
    }
    // Runs the audit and expects it to fail with want.
    void expect_fails(const Expected& want) {
        AuditFinding got{};
        EXPECT_FALSE(audit(&got));
        expect_finding(got, want);
    }
};

TEST_F(AuditTest, ConsistentWorldPasses) {
    // The world is what it claims to be.
    ASSERT_EQ(w.frames[frame_of(a2)].refcount, 2u);
    ASSERT_EQ(w.frames[frame_of(shared)].refcount, 2u);
    ASSERT_EQ(w.frames[frame_of(a_root)].refcount, 1u);
    ASSERT_EQ(free_list().size(), w.table.free_count);
    ASSERT_GT(w.table.free_count, 30u);

    std::vector<FrameInfo> before = w.frames;
    AuditFinding out{};
    out.problem = AuditProblem::bad_owner;   // stale contents must be cleared
    EXPECT_TRUE(audit(&out));
    EXPECT_EQ(out.problem, AuditProblem::none);
    EXPECT_EQ(out.frame, 0u);
    // The audit only reads the table, and gives the same answer twice.
    for (uint64_t n = 0; n < kFrames; ++n) {
        EXPECT_EQ(w.frames[n].refcount, before[n].refcount) << "frame " << n;
        EXPECT_EQ(w.frames[n].owner, before[n].owner) << "frame " << n;
        EXPECT_EQ(w.frames[n].next_free, before[n].next_free) << "frame " << n;
    }
    EXPECT_TRUE(audit(&out));
    EXPECT_EQ(w.beyond_reads, 0u);
}

TEST_F(AuditTest, NoSpacesOnlyKernelAndFreeFramesPasses) {
    // Every env gone and its frames back on the list.
    for (uint64_t n = kKernelFrames; n < kFrames; ++n)
        if (w.frames[n].owner != owner_free) free_table(n * 4096);
    w.spaces.clear();
    w.live.clear();
    AuditFinding out{};
    EXPECT_TRUE(audit(&out));
}

TEST_F(AuditTest, RefcountOneTooHigh) {
    ++w.frames[frame_of(a1)].refcount;
    expect_fails({AuditProblem::refcount_wrong, frame_of(a1), kA, 1, 2, {{kA, va_a1}}});
}

TEST_F(AuditTest, RefcountOneTooLowOnASharedFrame) {
    --w.frames[frame_of(shared)].refcount;
    // Both envs that map it are named, each with its address.
    expect_fails({AuditProblem::refcount_wrong, frame_of(shared), kA, 2, 1, {{kA, va_shared_a}, {kB, va_shared_b}}});
}

TEST_F(AuditTest, RefcountCountsEveryMappingInOneSpace) {
    --w.frames[frame_of(a2)].refcount;
    expect_fails({AuditProblem::refcount_wrong, frame_of(a2), kA, 2, 1, {{kA, va_a2}, {kA, va_a2_far}}});
}

TEST_F(AuditTest, RefcountOfATablePage) {
    uint64_t pt = leaf_table(kB, va_b1);
    ++w.frames[pt].refcount;
    expect_fails({AuditProblem::refcount_wrong, pt, kB, 1, 2, {}});
}

TEST_F(AuditTest, FirstProblemIsTheLowestFrame) {
    ++w.frames[frame_of(b1)].refcount;
    ++w.frames[frame_of(a1)].refcount;
    ASSERT_LT(frame_of(a1), frame_of(b1));
    expect_fails({AuditProblem::refcount_wrong, frame_of(a1), kA, 1, 2, {{kA, va_a1}}});
}

TEST_F(AuditTest, FreeFrameMapped) {
    uint32_t f = w.table.free_head;
    sneak_map(kA, va_spare, uintptr_t(f) * 4096);
    expect_fails({AuditProblem::free_frame_in_use, f, owner_free, 1, 0, {{kA, va_spare}}});
}

TEST_F(AuditTest, FreeFrameWithARefcount) {
    uint32_t f = w.table.free_head;
    w.frames[f].refcount = 1;
    expect_fails({AuditProblem::free_frame_in_use, f, owner_free, 0, 1, {}});
}

TEST_F(AuditTest, KernelFrameMapped) {
    sneak_map(kB, va_spare_b, 3 * 4096);
    expect_fails({AuditProblem::kernel_frame_in_use, 3, owner_kernel, 1, 0, {{kB, va_spare_b}}});
}

TEST_F(AuditTest, OwnerIsADeadId) {
    w.frames[frame_of(b1)].owner = kDead;
    expect_fails({AuditProblem::owner_dead, frame_of(b1), kDead, 1, 1, {{kB, va_b1}}});
}

TEST_F(AuditTest, DeadEnvLeftItsFramesCharged) {
    // B is gone (not live, no space to count) but nothing was freed: its
    // root, the lowest of its frames, is the first charged to a dead id.
    w.live.erase(kB);
    w.spaces.pop_back();
    expect_fails({AuditProblem::owner_dead, frame_of(b_root), kB, 0, 1, {}});
}

TEST_F(AuditTest, OwnedFrameReferencedByNothing) {
    uintptr_t leak = take_frame(kA);
    expect_fails({AuditProblem::owned_unreferenced, frame_of(leak), kA, 0, 0, {}});
}

TEST_F(AuditTest, TablePageAlsoMappedAsUserPage) {
    // A maps its own last-level table, and the refcount even agrees.
    uint64_t pt = leaf_table(kA, va_a1);
    bind(kA, va_spare, pt * 4096, kR);
    expect_fails({AuditProblem::table_page_mapped, pt, kA, 2, 2, {{kA, va_spare}}});
}

TEST_F(AuditTest, RootMappedByAnotherEnv) {
    bind(kB, va_spare_b, a_root, kR);
    expect_fails({AuditProblem::table_page_mapped, frame_of(a_root), kA, 2, 2, {{kB, va_spare_b}}});
}

TEST_F(AuditTest, PteBeyondTheTable) {
    sneak_map(kA, va_spare, 100 * 4096);
    // Past the table there is no owner or refcount to report, nor mappers.
    expect_fails({AuditProblem::mapped_beyond_ram, 100, 0, 0, 0, {}});
}

TEST_F(AuditTest, PteAtExactlyCount) {
    sneak_map(kB, va_spare_b, kFrames * 4096);
    expect_fails({AuditProblem::mapped_beyond_ram, kFrames, 0, 0, 0, {}});
}

TEST_F(AuditTest, TableEntryBeyondTheTable) {
    // A's PML4 slot for va_a2_far names a PDPT past RAM. Here table_at hands
    // out a zero page for it; in the kernel the direct map ends at RAM, so
    // the walk reads an unmapped address before the audit can report this.
    w.ram[frame_of(a_root)].entry[pagetable_index(va_a2_far, 3)] = 100 * 4096 | kRW;
    expect_fails({AuditProblem::mapped_beyond_ram, 100, 0, 0, 0, {}});
    EXPECT_GT(w.beyond_reads, 0u);
}

TEST_F(AuditTest, PteAtFrameNoFrame) {
    // The free list's end marker as a frame number: what a PTE holds if
    // someone turns an empty list's head into an address. Still past RAM.
    sneak_map(kA, va_spare, uintptr_t(no_frame) * 4096);
    expect_fails({AuditProblem::mapped_beyond_ram, no_frame, 0, 0, 0, {}});
}

TEST_F(AuditTest, BadOwner) {
    uintptr_t x = take_frame(kA);
    w.frames[frame_of(x)].owner = -5;
    expect_fails({AuditProblem::bad_owner, frame_of(x), -5, 0, 0, {}});
}

TEST_F(AuditTest, FreeListMissesAFreeFrame) {
    // Unlink the second frame of the list and count it out: the list and
    // free_count agree, but a free frame is on neither.
    uint32_t first = w.table.free_head;
    uint32_t second = w.frames[first].next_free;
    w.frames[first].next_free = w.frames[second].next_free;
    --w.table.free_count;
    expect_fails({AuditProblem::free_list_wrong, no_frame, 0, 0, 0, {}});
}

TEST_F(AuditTest, FreeCountOneTooHigh) {
    ++w.table.free_count;
    expect_fails({AuditProblem::free_list_wrong, no_frame, 0, 0, 0, {}});
}

TEST_F(AuditTest, FreeCountOneTooLow) {
    --w.table.free_count;
    expect_fails({AuditProblem::free_list_wrong, no_frame, 0, 0, 0, {}});
}

TEST_F(AuditTest, FreeListHoldsAUsedFrame) {
    uint32_t n = uint32_t(frame_of(a1));
    w.frames[n].next_free = w.table.free_head;
    w.table.free_head = n;
    ++w.table.free_count;
    expect_fails({AuditProblem::free_list_wrong, n, kA, 0, 1, {{kA, va_a1}}});
}

TEST_F(AuditTest, FreeListRunsOffTheTable) {
    uint32_t last = free_list().back();
    w.frames[last].next_free = 1000;
    expect_fails({AuditProblem::free_list_wrong, no_frame, 0, 0, 0, {}});
}

TEST_F(AuditTest, FreeListLoopsOnItsLastFrame) {
    uint32_t last = free_list().back();
    w.frames[last].next_free = last;
    expect_audit_terminates();
    if (HasFailure()) return;
    expect_fails({AuditProblem::free_list_wrong, last, owner_free, 0, 0, {}});
}

TEST_F(AuditTest, FreeListCyclesBackToItsHead) {
    std::vector<uint32_t> list = free_list();
    w.frames[list.back()].next_free = list.front();
    expect_audit_terminates();
    if (HasFailure()) return;
    AuditFinding got{};
    EXPECT_FALSE(audit(&got));
    EXPECT_EQ(got.problem, AuditProblem::free_list_wrong);
    // Where a walk notices a cycle is its own business; it must be on it.
    EXPECT_NE(std::find(list.begin(), list.end(), got.frame), list.end()) << "frame " << got.frame;
    EXPECT_EQ(got.owner, owner_free);
}

}  // namespace
