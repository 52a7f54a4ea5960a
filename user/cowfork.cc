// cowfork: copy-on-write, checked against the kernel's page tables. After
// fork, parent and child each write the same variables and must see only
// their own values. Both report (report_frame) the frames of a data page,
// a bss page and a read-only page before and after their writes: the
// grader checks each against the kernel's PTE, that the writable pages
// were shared (same frame, copy-on-write, not writable) before the writes
// and private after, and that the read-only page stays shared. A second
// child writes to the read-only page: fork's handler must end it (the
// kernel records a page fault at that address), not copy it.
#include "user/lab5.hh"

namespace {
const char* program_name = "cowfork";
int check_number = 0;
}  // namespace

uint64_t data_word = 1;                                   // .data
[[gnu::aligned(4096)]] uint64_t bss_words[512];           // .bss, a page of its own
[[gnu::used]] const uint64_t read_only_word = 0x5EED;     // .rodata
const uint64_t* volatile read_only_ptr = &read_only_word;

constexpr uintptr_t shared_page = 0x30000000;
struct Shared {
    uint64_t child_done;
};

uintptr_t page_of(const volatile void* p) { return reinterpret_cast<uintptr_t>(p) & ~uintptr_t(4095); }

uint64_t umain(uint64_t arg) {
    volatile uint64_t* data = &data_word;
    volatile uint64_t* bss = bss_words;
    const volatile uint64_t* ro = read_only_ptr;
    auto* shared = reinterpret_cast<volatile Shared*>(shared_page);
    CHECK(alloc_shared(shared_page), 0);
    *data = arg;
    bss[7] = arg + 1;

    int32_t child = fork();
    CHECK(child >= 0, true);
    // Both sides: the frames before our first write, then our values.
    report_frame_of(page_of(data));
    report_frame_of(page_of(bss));
    report_frame_of(page_of(ro));
    uint64_t mine = child == 0 ? arg ^ 0xC417D : arg ^ 0xFA7E;
    *data = mine;
    bss[7] = mine + 1;
    report_frame_of(page_of(data));
    report_frame_of(page_of(bss));
    report_frame_of(page_of(ro));
    for (int i = 0; i < 5; ++i) sys_yield();   // the other side writes meanwhile
    CHECK(*data, mine);
    CHECK(bss[7], mine + 1);
    CHECK(*ro, 0x5EED);
    if (child == 0) {
        shared->child_done = 1;
        return arg ^ ok_status;
    }
    CHECK(wait_until(&shared->child_done), true);
    // Still ours after the child's writes.
    CHECK(*data, mine);
    CHECK(bss[7], mine + 1);

    // A write that is not copy-on-write: the handler must not make it work.
    int32_t writer = fork();
    CHECK(writer >= 0, true);
    if (writer == 0) {
        *const_cast<volatile uint64_t*>(ro) = 1;
        return arg ^ 0xBADBAD;   // must never get here
    }
    grader_report(report_value, static_cast<uint64_t>(writer), reinterpret_cast<uintptr_t>(ro));
    return arg ^ ok_status;
}
