// Unit tests for the secure-binding guards (kern/guard.cc).
//
// Every guard is a pure function, so each test is a table: one row per
// request, what it tries and the answer the guard must give. The row's
// description goes into the failure message, so a failing row names itself.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

// glibc's <sys/syscall.h>, which <memory> pulls in for futexes, defines
// SYS_exit as a macro; lib/abi.hh has an enumerator of that name.
#undef SYS_exit
#include "kern/guard.hh"
#include "lib/abi.hh"
#include "lib/error.hh"

namespace {

constexpr uint64_t P = perm_present;
constexpr uint64_t U = perm_user;
constexpr uint64_t W = perm_writable;
constexpr uint64_t NX = perm_no_execute;
constexpr uint64_t bit(unsigned n) { return 1ull << n; }

// The four shapes a mapping's rights can take.
constexpr uint64_t r = P | U;
constexpr uint64_t rw = P | U | W;
constexpr uint64_t rnx = P | U | NX;
constexpr uint64_t rwnx = P | U | W | NX;

// ------------------------------------------------------------ user_page

TEST(GuardTest, UserPage) {
    struct Row {
        std::string what;
        uintptr_t va;
        int expected;
    };
    const std::vector<Row> rows = {
        {"the null page", 0, E_INVAL},
        {"the first user page", 0x1000, 0},
        {"inside the null page", 0x800, E_INVAL},
        {"unaligned user address", 0x1001, E_INVAL},
        {"unaligned, one byte short of a page", 0x401fff, E_INVAL},
        {"the text base", user_text_base, 0},
        {"the last page below user_top", user_top - 4096, 0},
        {"user_top itself", user_top, E_INVAL},
        {"first non-canonical address", 0x0000800000000000, E_INVAL},
        {"non-canonical, mid hole", 0x1000000000000000, E_INVAL},
        {"non-canonical, just below the kernel half", 0xFFFF7FFFFFFFF000, E_INVAL},
        {"kernel half, first page", 0xFFFF800000000000, E_INVAL},
        {"kernel half, the self-map", uvpt_base, E_INVAL},
        {"kernel half, the frame-table view", frame_table_view, E_INVAL},
        {"kernel half, last page", 0xFFFFFFFFFFFFF000, E_INVAL},
    };
    for (const Row& row : rows)
        EXPECT_EQ(guard::user_page(row.va), row.expected) << row.what << " (va " << std::hex << row.va << ")";
}

// ------------------------------------------------------------ perm

TEST(GuardTest, Perm) {
    struct Row {
        std::string what;
        uint64_t perm;
        int expected;
    };
    std::vector<Row> rows = {
        {"present|user", P | U, 0},
        {"+writable", P | U | W, 0},
        {"+no_execute", P | U | NX, 0},
        {"+writable +no_execute", P | U | W | NX, 0},
        {"+software bit 9 (cow)", P | U | bit(9), 0},
        {"+software bit 10 (share)", P | U | bit(10), 0},
        {"+software bit 11", P | U | bit(11), 0},
        {"+every allowed bit", perm_allowed, 0},
        {"nothing at all", 0, E_INVAL},
        {"missing present", U | W, E_INVAL},
        {"missing user", P | W, E_INVAL},
        {"missing both, software bits only", perm_software, E_INVAL},
        {"+PWT (bit 3)", P | U | bit(3), E_INVAL},
        {"+PCD (bit 4)", P | U | bit(4), E_INVAL},
        {"+accessed (bit 5)", P | U | bit(5), E_INVAL},
        {"+dirty (bit 6)", P | U | bit(6), E_INVAL},
        {"+huge/PS (bit 7)", P | U | bit(7), E_INVAL},
        {"+global (bit 8)", P | U | bit(8), E_INVAL},
        {"+address bit 12", P | U | bit(12), E_INVAL},
        {"+address bit 40", P | U | bit(40), E_INVAL},
        {"+a whole frame address", P | U | 0x123456000, E_INVAL},
    };
    // Bits 52..62: available to software or protection keys, never a request's.
    for (unsigned b = 52; b <= 62; ++b) rows.push_back({"+bit " + std::to_string(b), P | U | bit(b), E_INVAL});
    for (const Row& row : rows)
        EXPECT_EQ(guard::perm(row.perm), row.expected) << row.what << " (perm " << std::hex << row.perm << ")";
}

// ------------------------------------------------------------ no_amplification

TEST(GuardTest, NoAmplification) {
    struct Row {
        std::string what;
        uint64_t have, want;
        int expected;
    };
    // Written out by hand rather than computed, so the table is a second
    // opinion and not the guard's own formula again.
    const std::vector<Row> rows = {
        {"r -> r", r, r, 0},
        {"r -> rw (adds write)", r, rw, E_PERM},
        {"r -> r+nx (drops exec)", r, rnx, 0},
        {"r -> rw+nx (adds write)", r, rwnx, E_PERM},
        {"rw -> r (drops write)", rw, r, 0},
        {"rw -> rw", rw, rw, 0},
        {"rw -> r+nx", rw, rnx, 0},
        {"rw -> rw+nx", rw, rwnx, 0},
        {"r+nx -> r (adds exec)", rnx, r, E_PERM},
        {"r+nx -> rw (adds write and exec)", rnx, rw, E_PERM},
        {"r+nx -> r+nx", rnx, rnx, 0},
        {"r+nx -> rw+nx (adds write)", rnx, rwnx, E_PERM},
        {"rw+nx -> r (adds exec)", rwnx, r, E_PERM},
        {"rw+nx -> rw (adds exec)", rwnx, rw, E_PERM},
        {"rw+nx -> r+nx", rwnx, rnx, 0},
        {"rw+nx -> rw+nx", rwnx, rwnx, 0},
        // Software bits are marks: neither side's grants or withholds anything.
        {"r+cow -> r", r | perm_cow, r, 0},
        {"r -> r+cow+share+bit 11", r, r | perm_software, 0},
        {"rw+software -> rw+software", rw | perm_software, rw | perm_software, 0},
        {"r+nx+software -> r+nx", rnx | perm_software, rnx, 0},
        {"r+software -> rw+software (still adds write)", r | perm_software, rw | perm_software, E_PERM},
        {"r+nx+software -> r+software (still adds exec)", rnx | perm_software, r | perm_software, E_PERM},
        // A live PTE carries bits the CPU sets; they are not rights either.
        {"r+accessed+dirty -> r", r | pte::accessed | pte::dirty, r, 0},
        {"rw+global -> rw", rw | pte::global, rw, 0},
    };
    for (const Row& row : rows)
        EXPECT_EQ(guard::no_amplification(row.have, row.want), row.expected)
            << row.what << " (have " << std::hex << row.have << ", want " << row.want << ")";
}

// ------------------------------------------------------------ frame_request

// A 16-frame table: 0-1 the kernel's, 5 an env's, 7 a bad owner, the rest
// free. The guards read owners only, so no free list is needed.
constexpr uint64_t kFrames = 16;
constexpr int32_t kEnv = 0x1001;

struct SmallTable {
    std::vector<FrameInfo> frames = std::vector<FrameInfo>(kFrames);
    FrameTable table{};
    SmallTable() {
        frames[0].owner = frames[1].owner = owner_kernel;
        frames[5].owner = kEnv;
        frames[5].refcount = 1;
        frames[7].owner = -5;
        table.frames = frames.data();
        table.count = kFrames;
    }
};

TEST(GuardTest, FrameRequest) {
    SmallTable t;
    struct Row {
        std::string what;
        uint64_t frame;
        int expected;
    };
    const std::vector<Row> rows = {
        {"frame_any (frame 0 is the kernel's, but 0 means any)", frame_any, 0},
        {"a free frame", 2, 0},
        {"the last frame, free", kFrames - 1, 0},
        {"a kernel frame", 1, E_BUSY},
        {"an env's frame", 5, E_BUSY},
        {"a frame with a meaningless owner", 7, E_BUSY},
        {"count: one past the table", kFrames, E_INVAL},
        {"count + 1", kFrames + 1, E_INVAL},
        {"no_frame", no_frame, E_INVAL},
        {"2^32 (would truncate to frame 0)", 1ull << 32, E_INVAL},
        {"2^32 + 2 (would truncate to a free frame)", (1ull << 32) + 2, E_INVAL},
        {"the largest value", UINT64_MAX, E_INVAL},
    };
    for (const Row& row : rows)
        EXPECT_EQ(guard::frame_request(t.table, row.frame), row.expected)
            << row.what << " (frame " << row.frame << ")";
}

// ------------------------------------------------------------ map

// Table pages for the source PageTable, on the heap. Physical address
// (i + 1) * 4096 is page i, so 0 stays "no page". The callbacks are plain
// function pointers, hence the file-static pool.
struct alignas(4096) TablePage {
    uint64_t entry[entries_per_table] = {};
};
std::vector<std::unique_ptr<TablePage>> pool;

uintptr_t pool_alloc(int32_t) {
    pool.push_back(std::make_unique<TablePage>());
    return pool.size() * 4096;
}
void pool_free(uintptr_t) {}   // the pool lives for the test; nothing to reclaim
uint64_t* pool_at(uintptr_t pa) { return pool.at(pa / 4096 - 1)->entry; }
void pool_invalidate(uintptr_t, uintptr_t) {}
const PageTableMemory pool_memory{pool_alloc, pool_free, pool_at, pool_invalidate};

TEST(GuardTest, Map) {
    pool.clear();
    PageTable src(pool_alloc(kEnv), pool_memory, kEnv);
    // The source's bindings, one per shape of rights (and one with a mark).
    constexpr uintptr_t va_r = 0x400000, va_rw = 0x401000, va_rnx = 0x402000, va_rwnx = 0x403000,
                        va_cow = 0x404000, va_unmapped = 0x405000;
    constexpr uintptr_t kernel_va = 0xFFFF800000000000;
    ASSERT_EQ(src.map(va_r, 0x10000, r), 0);
    ASSERT_EQ(src.map(va_rw, 0x11000, rw), 0);
    ASSERT_EQ(src.map(va_rnx, 0x12000, rnx), 0);
    ASSERT_EQ(src.map(va_rwnx, 0x13000, rwnx), 0);
    ASSERT_EQ(src.map(va_cow, 0x14000, r | perm_cow), 0);
    // A binding in the kernel half: mapped, but never a user page to share.
    ASSERT_EQ(src.map(kernel_va, 0x15000, rw), 0);

    struct Row {
        std::string what;
        uintptr_t srcva, dstva;
        uint64_t perm;
        int expected;
        uintptr_t pa = 0;        // the source mapping on success
        uint64_t source_perm = 0;
    };
    const std::vector<Row> rows = {
        // Allowed: same rights or fewer; the source mapping comes back.
        {"rw -> rw", va_rw, 0x800000, rw, 0, 0x11000, rw},
        {"rw -> r (drops write)", va_rw, 0x800000, r, 0, 0x11000, rw},
        {"r -> r+nx (drops exec)", va_r, 0x800000, rnx, 0, 0x10000, r},
        {"rw+nx -> r+nx", va_rwnx, 0x800000, rnx, 0, 0x13000, rwnx},
        {"r+cow -> r+cow", va_cow, 0x800000, r | perm_cow, 0, 0x14000, r | perm_cow},
        {"r -> r+share (a mark, not a right)", va_r, 0x800000, r | perm_share, 0, 0x10000, r},
        {"dstva may be anything unmapped", va_rw, user_top - 4096, rw, 0, 0x11000, rw},
        {"dstva may be srcva itself", va_rw, va_rw, r, 0, 0x11000, rw},
        // Amplification.
        {"r -> rw", va_r, 0x800000, rw, E_PERM},
        {"r+cow -> rw", va_cow, 0x800000, rw | perm_cow, E_PERM},
        {"r+nx -> r (adds exec)", va_rnx, 0x800000, r, E_PERM},
        {"rw+nx -> rw (adds exec)", va_rwnx, 0x800000, rw, E_PERM},
        // No binding to share.
        {"srcva unmapped", va_unmapped, 0x800000, r, E_INVAL},
        {"srcva unmapped, dstva mapped (looks up src, not dst)", va_unmapped, va_rw, r, E_INVAL},
        {"srcva unmapped, asking for more than anything", va_unmapped, 0x800000, rw, E_INVAL},
        // The order of checks: each row has a later fault too.
        {"srcva unaligned (inside a mapped page) before amplification", va_r + 8, 0x800000, rw, E_INVAL},
        {"srcva in the kernel half, though mapped", kernel_va, 0x800000, rw, E_INVAL},
        {"srcva null", 0, 0x800000, r, E_INVAL},
        {"dstva unaligned before amplification", va_r, 0x800008, rw, E_INVAL},
        {"dstva in the kernel half before amplification", va_r, kernel_va, rw, E_INVAL},
        {"dstva null", va_rw, 0, rw, E_INVAL},
        {"perm without user before amplification", va_r, 0x800000, P | W, E_INVAL},
        {"perm with global before amplification", va_r, 0x800000, rw | pte::global, E_INVAL},
        {"perm with a dirty bit on a good source", va_rw, 0x800000, rw | pte::dirty, E_INVAL},
    };
    for (const Row& row : rows) {
        Mapping source{};
        int got = guard::map(src, row.srcva, row.dstva, row.perm, &source);
        EXPECT_EQ(got, row.expected) << row.what;
        if (got == 0 && row.expected == 0) {
            EXPECT_TRUE(source.present) << row.what;
            EXPECT_EQ(source.pa, row.pa) << row.what;
            EXPECT_EQ(source.perm, row.source_perm) << row.what;
        }
    }
    pool.clear();
}

}  // namespace
