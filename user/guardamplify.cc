// guardamplify: guard 4, no amplification. page_map may drop rights,
// never add them: a read-only binding never yields a writable one, a
// no-execute binding never an executable one, whether the source is our
// own page, our program's text or rodata, or a page in a child. The
// resulting PTE has exactly the rights asked for and the source's frame.
// Grader expects: exit arg ^ 0x600D; on the first failed check n,
// arg ^ (0xBAD00 + n).
#include "user/lab4.hh"

namespace {
const char* program_name = "guardamplify";
int check_number = 0;
constexpr uintptr_t rw = 0x30000000, ro = 0x30001000, out = 0x30002000;
constexpr uint64_t nx = perm_no_execute;

[[gnu::used]] const uint64_t rodata_word = 0x600D;   // read-only data: present, user, no-execute
[[gnu::noinline]] int text_function() { return 1; }

uintptr_t page_of(const volatile void* p) { return reinterpret_cast<uintptr_t>(p) & ~uintptr_t(4095); }
}  // namespace

uint64_t umain(uint64_t arg) {
    CHECK(sys_page_alloc(0, rw, prw | nx), 0);
    // Dropping rights is fine, and the PTE has exactly what was asked.
    CHECK(sys_page_map(0, rw, 0, ro, pr | nx), 0);
    CHECK(rights_of(ro), pr | nx);
    CHECK(uvpt::frame_of(ro), uvpt::frame_of(rw));
    // From the read-only binding: never writable, never executable.
    CHECK(sys_page_map(0, ro, 0, out, prw | nx), E_PERM);
    CHECK(sys_page_map(0, ro, 0, out, pr), E_PERM);
    CHECK(sys_page_map(0, ro, 0, out, prw), E_PERM);
    // Not even onto itself.
    CHECK(sys_page_map(0, ro, 0, ro, prw | nx), E_PERM);
    CHECK(rights_of(ro), pr | nx);
    // From writable data: writable yes, executable no.
    CHECK(sys_page_map(0, rw, 0, out, pr), E_PERM);
    CHECK(sys_page_map(0, rw, 0, out, prw | nx), 0);
    CHECK(rights_of(out), prw | nx);
    // Our text is executable and read-only; rodata is neither.
    uintptr_t text = page_of(reinterpret_cast<const void*>(&text_function));
    uintptr_t rodata = page_of(&rodata_word);
    CHECK(rights_of(text), pr);
    CHECK(rights_of(rodata), pr | nx);
    CHECK(sys_page_map(0, text, 0, out, prw), E_PERM);
    CHECK(sys_page_map(0, text, 0, out, pr), 0);
    CHECK(rights_of(out), pr);
    CHECK(sys_page_map(0, rodata, 0, out, pr), E_PERM);
    CHECK(sys_page_map(0, rodata, 0, out, prw | nx), E_PERM);
    CHECK(sys_page_map(0, rodata, 0, out, pr | nx), 0);
    // Through a child: what we gave it read-only stays read-only.
    int64_t child = sys_exofork();
    CHECK(child > 0, true);
    auto c = static_cast<int32_t>(child);
    CHECK(sys_page_map(0, rw, c, ro, pr | nx), 0);
    CHECK(sys_page_map(c, ro, 0, out, prw | nx), E_PERM);
    CHECK(sys_page_map(c, ro, c, ro, prw | nx), E_PERM);
    CHECK(sys_page_map(c, ro, c, rw, pr), E_PERM);
    CHECK(sys_page_map(c, ro, 0, out, pr | nx), 0);
    CHECK(uvpt::frame_of(out), uvpt::frame_of(rw));
    CHECK(sys_env_destroy(c), 0);
    return arg ^ ok_status;
}
