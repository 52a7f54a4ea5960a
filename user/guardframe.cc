// guardframe: guard 5, entitlement. page_alloc may name a frame only if it
// is free: not one beyond RAM (E_INVAL), not the kernel's, not ours
// already, not one of our page-table pages, not a child's (E_BUSY). A frame
// reached through page_map stays charged to its owner. page_map reaches a
// frame only through a binding the source holds (an unmapped srcva is
// E_INVAL).
// Grader expects: exit arg ^ 0x600D; on the first failed check n,
// arg ^ (0xBAD00 + n).
#include "user/lab4.hh"

namespace {
const char* program_name = "guardframe";
int check_number = 0;
constexpr uintptr_t a = 0x30000000, b = 0x30001000, c = 0x30002000;
constexpr uint64_t kernel_frame = 0x100000 / 4096;   // where the kernel is loaded
}  // namespace

uint64_t umain(uint64_t arg) {
    int32_t self = sys_getenvid();
    uint64_t count = frametable::count();
    CHECK(count > kernel_frame, true);
    // No such frame.
    CHECK(sys_page_alloc(0, a, prw, count), E_INVAL);
    CHECK(sys_page_alloc(0, a, prw, count + 1), E_INVAL);
    CHECK(sys_page_alloc(0, a, prw, 1ull << 40), E_INVAL);
    CHECK(sys_page_alloc(0, a, prw, ~0ull), E_INVAL);
    // The kernel's.
    CHECK(frametable::owner(kernel_frame), owner_kernel);
    CHECK(sys_page_alloc(0, a, prw, kernel_frame), E_BUSY);
    // Ours: a stack page, and the page table that maps it.
    uint64_t stack_frame = uvpt::frame_of(user_stack_top - 4096);
    CHECK(frametable::owner(stack_frame), self);
    CHECK(sys_page_alloc(0, a, prw, stack_frame), E_BUSY);
    uint64_t table_frame = (*uvpt::entry_at(user_stack_top - 4096, 1) & uvpt::address_mask) / 4096;
    CHECK(frametable::owner(table_frame), self);
    CHECK(sys_page_alloc(0, a, prw, table_frame), E_BUSY);
    CHECK(uvpt::mapped(a), false);
    // A child's frame, seen through a binding the child lends us: still
    // the child's, and not ours to allocate.
    int64_t child = sys_exofork();
    CHECK(child > 0, true);
    auto kid = static_cast<int32_t>(child);
    CHECK(sys_page_alloc(kid, a, prw), 0);
    CHECK(sys_page_map(kid, a, 0, b, pr | perm_no_execute), 0);
    uint64_t child_frame = uvpt::frame_of(b);
    CHECK(frametable::owner(child_frame), kid);
    CHECK(frametable::refcount(child_frame), 2);
    CHECK(sys_page_alloc(0, c, prw, child_frame), E_BUSY);
    // No binding, no frame: the child has nothing at c.
    CHECK(sys_page_map(kid, c, 0, c, pr), E_INVAL);
    CHECK(sys_page_map(0, c, kid, c, pr), E_INVAL);
    // A free frame by number: ours now, zeroed, and the one we named.
    uint64_t want = count / 2 + arg % (count / 4);
    while (want < count && !frametable::is_free(want)) ++want;
    CHECK(want < count, true);
    CHECK(sys_page_alloc(0, c, prw, want), 0);
    CHECK(uvpt::frame_of(c), want);
    CHECK(frametable::owner(want), self);
    CHECK(*reinterpret_cast<volatile uint64_t*>(c), 0);
    // Taken now.
    CHECK(sys_page_alloc(kid, c, prw, want), E_BUSY);
    CHECK(sys_env_destroy(kid), 0);
    // The child's frame went with it: we unmap our view, and it is free.
    CHECK(sys_page_unmap(0, b), 0);
    CHECK(frametable::is_free(child_frame), true);
    return arg ^ ok_status;
}
