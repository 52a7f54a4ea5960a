// guardperm: guard 3. A binding's permissions are present and user plus
// only writable, no-execute and the three software bits (the library OS's
// marks). Never write-through, cache-disable, accessed, dirty, large
// page, global, an address bit or a reserved high bit: E_INVAL from both
// page_alloc and page_map, and nothing bound. The software bits reach the
// PTE as asked.
// Grader expects: exit arg ^ 0x600D; on the first failed check n,
// arg ^ (0xBAD00 + n).
#include "user/lab4.hh"

namespace {
const char* program_name = "guardperm";
int check_number = 0;
constexpr uintptr_t src = 0x30000000, dst = 0x30001000;
}  // namespace

uint64_t umain(uint64_t arg) {
    CHECK(sys_page_alloc(0, src, prw), 0);
    // Each refused bit, added to an otherwise good request.
    const uint64_t bad_bits[] = {1ull << 3, 1ull << 4, 1ull << 5, 1ull << 6, 1ull << 7, 1ull << 8,
                                 1ull << 12, 1ull << 40, 1ull << 51, 1ull << 52, 1ull << 59, 1ull << 62};
    for (uint64_t bit : bad_bits) {
        CHECK(sys_page_alloc(0, dst, prw | bit), E_INVAL);
        CHECK(sys_page_map(0, src, 0, dst, prw | bit), E_INVAL);
    }
    // Present and user are required.
    CHECK(sys_page_alloc(0, dst, perm_user | perm_writable), E_INVAL);
    CHECK(sys_page_alloc(0, dst, perm_present | perm_writable), E_INVAL);
    CHECK(sys_page_map(0, src, 0, dst, perm_user), E_INVAL);
    CHECK(sys_page_map(0, src, 0, dst, perm_present), E_INVAL);
    CHECK(uvpt::mapped(dst), false);
    // The software bits are the library OS's: allowed, and kept.
    const uint64_t mark_sets[] = {perm_cow, perm_share, perm_software};
    for (uint64_t marks : mark_sets) {
        CHECK(sys_page_map(0, src, 0, dst, pr | perm_no_execute | marks), 0);
        CHECK(uvpt::pte_of(dst) & perm_software, marks);
        CHECK(sys_page_alloc(0, dst, prw | marks), 0);
        CHECK(uvpt::pte_of(dst) & perm_software, marks);
    }
    // And a PTE the kernel made carries no bit nobody asked for.
    constexpr uint64_t never = (1ull << 3) | (1ull << 4) | (1ull << 7) | (1ull << 8) | (0x7FFull << 52);
    CHECK(uvpt::pte_of(dst) & never, 0);
    CHECK(uvpt::pte_of(src) & never, 0);
    return arg ^ ok_status;
}
