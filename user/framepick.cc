// framepick: exposed names and allocation. Pick a free frame by reading
// the exposed frame table (which one depends on the argument), ask for it
// by number, and see it through both exposed views: the frame table says
// we own it with one reference, our own PTE (through the self-map) names it.
// Grader: at grader_report(3, va, frame) checks the kernel's frame table and
// our page table agree. Expects exit arg ^ 0x600D; on the first failed
// check n, arg ^ (0xBAD00 + n).
#include "user/lab4.hh"

namespace {
const char* program_name = "framepick";
int check_number = 0;
}  // namespace

uint64_t umain(uint64_t arg) {
    uint64_t count = frametable::count();
    CHECK(count >= 1024, true);
    uintptr_t va = 0x40000000 + (arg % 512) * 4096;
    // Every free frame in the upper half of RAM is a candidate.
    uint64_t frame = count / 2 + (arg >> 9) % (count / 2);
    for (uint64_t tries = 0; !frametable::is_free(frame) && tries < count; ++tries)
        frame = frame + 1 < count ? frame + 1 : count / 2;
    CHECK(frametable::is_free(frame), true);
    CHECK(frametable::refcount(frame), 0);
    CHECK(sys_page_alloc(0, va, prw | perm_no_execute, frame), 0);
    CHECK(frametable::owner(frame), sys_getenvid());
    CHECK(frametable::refcount(frame), 1);
    CHECK(uvpt::mapped(va), true);
    CHECK(uvpt::frame_of(va), frame);
    CHECK(rights_of(va), prw | perm_no_execute);
    grader_report(3, va, frame);
    return arg ^ ok_status;
}
