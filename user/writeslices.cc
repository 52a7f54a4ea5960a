// writeslices: the exposed slice table (Lab 6) is read-only. We try to
// give ourselves every slot by writing our own slot count in it.
// Kit check: the kernel must kill us with a user write protection fault
// at that address (slice_table_view + 4096 + 64 * our index + 4). If the
// env survives it exits arg ^ 0x5AFE.
#include "lib/console.hh"
#include "lib/slices.hh"
#include "lib/syscall.hh"

uint64_t umain(uint64_t arg) {
    auto* slots = const_cast<volatile uint32_t*>(&slices::of(0).slots);
    uint32_t was = *slots;   // readable
    *slots = was + slice_slots;
    printf("writeslices: survived the write\n");
    return arg ^ 0x5AFE;
}
