// sharedpage: two loadable segments share a page (user/sharedpage.ld packs
// the read-only data and the initialized data together). A loader that maps
// the page again for the second segment throws away the first one's bytes.
// A third data segment starts 0x30 bytes into a fresh page.
// Grader expects: exit arg ^ 0x600D; on the first failed check n, a line
// "sharedpage: check n failed: ..." and exit arg ^ (0xBAD00 + n).
#include "lib/console.hh"

namespace {
// Distinct values in each segment. Not const volatile: GCC puts that in
// .data; the reads go through volatile pointers instead, so the compiler
// cannot fold them.
[[gnu::used]] const uint64_t in_rodata[4] = {0x0123456789ABCDEF, 0x1111, 0x2222, 0xFEDCBA9876543210};
[[gnu::used]] uint64_t in_data[4] = {0x3333, 0x4444, 0x5555, 0x6666};
[[gnu::used, gnu::section(".oddpage")]] uint64_t in_odd_page[2] = {0x7777, 0x8888};
const volatile uint64_t* const rodata_words = in_rodata;
volatile uint64_t* const odd_words = in_odd_page;
volatile uint64_t* const data_words = in_data;

bool same_page(const volatile void* a, const volatile void* b) {
    return reinterpret_cast<uintptr_t>(a) >> 12 == reinterpret_cast<uintptr_t>(b) >> 12;
}
}  // namespace

uint64_t umain(uint64_t arg) {
    if (!same_page(rodata_words, data_words)) {
        printf("sharedpage: check 1 failed: the link did not put both segments in one page\n");
        return arg ^ (0xBAD00 + 1);
    }
    if (rodata_words[0] != 0x0123456789ABCDEF || rodata_words[3] != 0xFEDCBA9876543210) {
        printf("sharedpage: check 2 failed: the first segment's bytes are gone\n");
        return arg ^ (0xBAD00 + 2);
    }
    if (data_words[0] != 0x3333 || data_words[3] != 0x6666) {
        printf("sharedpage: check 3 failed: the second segment's bytes are wrong\n");
        return arg ^ (0xBAD00 + 3);
    }
    if (odd_words[0] != 0x7777 || odd_words[1] != 0x8888) {
        printf("sharedpage: check 4 failed: the segment that starts mid-page is wrong\n");
        return arg ^ (0xBAD00 + 4);
    }
    return arg ^ 0x600D;
}
