// sharedpage: two loadable segments share a page (user/sharedpage.ld packs
// the read-only data and the initialized data together). A loader that maps
// the page again for the second segment throws away the first one's bytes.
// Grader expects: exit arg ^ 0x600D; on the first failed check n, a line
// "sharedpage: check n failed: ..." and exit arg ^ (0xBAD00 + n).
#include "lib/console.hh"

namespace {
// Distinct values in each segment; volatile so the compiler reads memory.
const volatile uint64_t in_rodata[4] = {0x0123456789ABCDEF, 0x1111, 0x2222, 0xFEDCBA9876543210};
volatile uint64_t in_data[4] = {0x3333, 0x4444, 0x5555, 0x6666};

bool same_page(const volatile void* a, const volatile void* b) {
    return reinterpret_cast<uintptr_t>(a) >> 12 == reinterpret_cast<uintptr_t>(b) >> 12;
}
}  // namespace

uint64_t umain(uint64_t arg) {
    if (!same_page(in_rodata, in_data)) {
        printf("sharedpage: check 1 failed: the link did not put both segments in one page\n");
        return arg ^ (0xBAD00 + 1);
    }
    if (in_rodata[0] != 0x0123456789ABCDEF || in_rodata[3] != 0xFEDCBA9876543210) {
        printf("sharedpage: check 2 failed: the first segment's bytes are gone\n");
        return arg ^ (0xBAD00 + 2);
    }
    if (in_data[0] != 0x3333 || in_data[3] != 0x6666) {
        printf("sharedpage: check 3 failed: the second segment's bytes are wrong\n");
        return arg ^ (0xBAD00 + 3);
    }
    return arg ^ 0x600D;
}
