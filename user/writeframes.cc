// writeframes: the exposed frame table is read-only. We find the frame
// under our own stack through the self-map and try to give it away by
// writing its owner field.
// Grader: grader_report(5, address, 0) names the address written; expects
// the kernel to kill us with a page fault there (a user write protection
// violation). If the env survives it exits arg ^ 0x5AFE.
#include "user/lab4.hh"

uint64_t umain(uint64_t arg) {
    uint64_t frame = uvpt::frame_of(user_stack_top - 4096);
    auto* owner = const_cast<volatile int32_t*>(&frametable::at(frame).owner);
    int32_t was = *owner;   // readable
    grader_report(5, reinterpret_cast<uintptr_t>(owner), 0);
    *owner = was + 1;
    printf("writeframes: survived the write\n");
    return arg ^ 0x5AFE;
}
