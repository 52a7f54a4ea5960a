// dirtybits: exposed bindings. The CPU sets a PTE's accessed bit when a
// page is used and its dirty bit when it is written; the self-mapped page
// tables let us read both without a system call. Three fresh pages (where
// depends on the argument): one written, one only read, one untouched.
// Grader: at grader_report(4, base, 0) reads the three PTEs in the kernel's
// page table and expects the same bits. Expects exit arg ^ 0x600D; on the
// first failed check n, arg ^ (0xBAD00 + n).
#include "user/lab4.hh"

namespace {
const char* program_name = "dirtybits";
int check_number = 0;
}  // namespace

uint64_t umain(uint64_t arg) {
    uintptr_t base = 0x50000000 + (arg % 4096) * 3 * 4096;
    uintptr_t written = base, read = base + 4096, untouched = base + 8192;
    for (uintptr_t va = base; va < base + 3 * 4096; va += 4096)
        CHECK(sys_page_alloc(0, va, prw | perm_no_execute), 0);
    // Fresh bindings: neither bit.
    CHECK(uvpt::pte_of(written) & (uvpt::accessed | uvpt::dirty), 0);
    *reinterpret_cast<volatile uint64_t*>(written) = arg;
    CHECK(*reinterpret_cast<volatile uint64_t*>(read), 0);
    CHECK(uvpt::pte_of(written) & (uvpt::accessed | uvpt::dirty), uvpt::accessed | uvpt::dirty);
    CHECK(uvpt::pte_of(read) & (uvpt::accessed | uvpt::dirty), uvpt::accessed);
    CHECK(uvpt::pte_of(untouched) & (uvpt::accessed | uvpt::dirty), 0);
    // The self-map's own PML4 entry: readable by us, never writable or
    // executable.
    constexpr uint64_t bits = uvpt::present | uvpt::user | uvpt::writable | uvpt::no_execute;
    CHECK(*uvpt::entry_at(uvpt_base, 3) & bits, uvpt::present | uvpt::user | uvpt::no_execute);
    grader_report(4, base, 0);
    return arg ^ ok_status;
}
