// writeframes: the exposed frame table is read-only. Writing frame 0's
// owner field would claim a frame the kernel owns.
// Grader expects: killed by a page fault (a user write protection
// violation) at 0xFFFFFD0000001004 (frame_table_view + the header page +
// 4). If the env survives it exits arg ^ 0x5AFE.
#include "user/lab4.hh"

uint64_t umain(uint64_t arg) {
    auto* owner = const_cast<volatile int32_t*>(&frametable::at(0).owner);
    int32_t was = *owner;   // readable
    *owner = was + 1;
    printf("writeframes: survived the write\n");
    return arg ^ 0x5AFE;
}
