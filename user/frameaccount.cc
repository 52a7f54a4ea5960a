// frameaccount: guard 6, accounting. A frame's refcount is the number of
// PTEs that map it, through every sequence of calls: sharing, mapping a
// page onto itself, replacing a mapping, unmapping, a child that maps our
// frame and dies, a child that dies owning a frame only we still map (it
// becomes ours). Last, we die while a child still maps our frame: the
// charge must move to that child (the rule: the live env in the lowest
// slot that maps it), never stay with the dead.
// Grader: audits the frame table after every env ends, and at
// grader_report(2, frame, child) notes a frame and the child that must own
// it once we are gone. Expects exit arg ^ 0x600D; on the first failed
// check n, arg ^ (0xBAD00 + n).
#include "user/lab4.hh"

namespace {
const char* program_name = "frameaccount";
int check_number = 0;
constexpr uintptr_t one = 0x30000000, two = 0x30001000, three = 0x30002000;
constexpr uint64_t prwn = prw | perm_no_execute;

volatile uint64_t& word(uintptr_t va) { return *reinterpret_cast<volatile uint64_t*>(va); }
}  // namespace

uint64_t umain(uint64_t arg) {
    CHECK(sys_page_alloc(0, one, prwn), 0);
    uint64_t f = uvpt::frame_of(one);
    word(one) = arg;
    CHECK(frametable::refcount(f), 1);
    // Onto itself while it is the only mapping: the frame must survive.
    CHECK(sys_page_map(0, one, 0, one, prwn), 0);
    CHECK(frametable::refcount(f), 1);
    CHECK(frametable::owner(f), sys_getenvid());
    CHECK(uvpt::frame_of(one), f);
    // Shared: two PTEs.
    CHECK(sys_page_map(0, one, 0, two, prwn), 0);
    CHECK(frametable::refcount(f), 2);
    // Onto itself, twice: the frame survives and keeps its count.
    CHECK(sys_page_map(0, one, 0, one, prwn), 0);
    CHECK(sys_page_map(0, two, 0, two, pr | perm_no_execute), 0);
    CHECK(frametable::refcount(f), 2);
    CHECK(uvpt::frame_of(one), f);
    CHECK(word(two), arg);
    // Replaced by a fresh page: one reference less.
    CHECK(sys_page_alloc(0, two, prwn), 0);
    uint64_t g = uvpt::frame_of(two);
    CHECK(g != f, true);
    CHECK(frametable::refcount(f), 1);
    // Replaced by a mapping of f: g is freed, f gains one.
    CHECK(sys_page_map(0, one, 0, two, prwn), 0);
    CHECK(frametable::is_free(g), true);
    CHECK(frametable::refcount(f), 2);
    CHECK(sys_page_unmap(0, two), 0);
    CHECK(frametable::refcount(f), 1);
    // A child maps it and dies: back to one, still ours.
    int64_t c1 = sys_exofork();
    CHECK(c1 > 0, true);
    CHECK(sys_page_map(0, one, static_cast<int32_t>(c1), one, prwn), 0);
    CHECK(sys_page_map(0, one, static_cast<int32_t>(c1), three, prwn), 0);
    CHECK(frametable::refcount(f), 3);
    CHECK(sys_env_destroy(static_cast<int32_t>(c1)), 0);
    CHECK(frametable::refcount(f), 1);
    CHECK(frametable::owner(f), sys_getenvid());
    // A child's frame we map, which the child itself no longer maps: when
    // the child dies, the frame is ours.
    int64_t c3 = sys_exofork();
    CHECK(c3 > 0, true);
    CHECK(sys_page_alloc(static_cast<int32_t>(c3), one, prwn), 0);
    CHECK(sys_page_map(static_cast<int32_t>(c3), one, 0, three, prwn), 0);
    uint64_t h = uvpt::frame_of(three);
    CHECK(frametable::owner(h), c3);
    CHECK(sys_page_unmap(static_cast<int32_t>(c3), one), 0);
    CHECK(sys_env_destroy(static_cast<int32_t>(c3)), 0);
    CHECK(frametable::owner(h), sys_getenvid());
    CHECK(frametable::refcount(h), 1);
    CHECK(sys_page_unmap(0, three), 0);
    CHECK(frametable::is_free(h), true);
    // A child that outlives us (never made runnable: it waits forever)
    // maps f: when we exit, f must be charged to it.
    int64_t c2 = sys_exofork();
    CHECK(c2 > 0, true);
    CHECK(sys_page_map(0, one, static_cast<int32_t>(c2), three, prwn), 0);
    CHECK(frametable::refcount(f), 2);
    grader_report(2, f, static_cast<uint64_t>(c2));
    return arg ^ ok_status;
}
