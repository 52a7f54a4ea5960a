// guardaddr: guard 2. Every address a binding names is a page-aligned
// user address, canonical, in the user half, not the null page, and not
// an exposed view (those sit above user_top): anything else is E_INVAL,
// for page_alloc, page_unmap and both ends of page_map. The highest
// mappable page works, as a control.
// Grader expects: exit arg ^ 0x600D; on the first failed check n,
// arg ^ (0xBAD00 + n).
#include "user/lab4.hh"

namespace {
const char* program_name = "guardaddr";
int check_number = 0;
constexpr uintptr_t free_va = 0x30000000;
}  // namespace

uint64_t umain(uint64_t arg) {
    const uintptr_t bad[] = {
        0,                         // the null page
        free_va + 1,               // unaligned
        free_va + 2048,
        user_top,                  // the page below the canonical hole
        0x0000800000000000,        // non-canonical
        0x8000000000000000,
        0xFFFF800000000000,        // the kernel half
        uvpt_base,                 // the self-map
        frame_table_view,          // the frame table
        user_text_base - 1,
    };
    CHECK(sys_page_alloc(0, free_va, prw), 0);
    for (uintptr_t va : bad) {
        CHECK(sys_page_alloc(0, va, prw), E_INVAL);
        CHECK(sys_page_unmap(0, va), E_INVAL);
        CHECK(sys_page_map(0, va, 0, free_va + 4096, pr), E_INVAL);   // as the source
        CHECK(sys_page_map(0, free_va, 0, va, pr), E_INVAL);          // as the destination
    }
    // Nothing was bound by the refused calls.
    CHECK(uvpt::mapped(free_va + 4096), false);
    // The highest user page is fine at both ends.
    uintptr_t top = user_top - 4096;
    CHECK(sys_page_map(0, free_va, 0, top, prw), 0);
    CHECK(uvpt::frame_of(top), uvpt::frame_of(free_va));
    CHECK(sys_page_map(0, top, 0, free_va + 4096, pr), 0);
    CHECK(sys_page_unmap(0, top), 0);
    CHECK(sys_page_unmap(0, top), 0);   // unmapping nothing is fine
    CHECK(uvpt::mapped(top), false);
    return arg ^ ok_status;
}
