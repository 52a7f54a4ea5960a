// sliceborrow: an epilogue's time is borrowed from the next slice. The
// epilogue handler waits for k ticks (1 or 2, from arg: less than the
// budget), so each of its epilogues borrows k; the prologue handler notes
// the tick each slice starts at, and the epilogue the tick it ends at.
// After 6 slices, three plain sys_yields (which must not enter the
// prologue) and a page-fault handler that spans two slice ends (which must
// bring no epilogue), the program reports each slice's length after the first
// (report_value: the length it measured, the length the kernel's view
// said the slice was given) and checks them.
// Grader expects: exit ok; every reported length slice_ticks - k, both
// ways; and in the kernel's counters: borrowed k, k ticks counted in each
// epilogue, one prologue for each epilogue.
#include "user/lab6.hh"
#include "lib/pgfault.hh"

namespace {
const char* program_name = "sliceborrow";
int check_number = 0;
constexpr int rounds = 6;

uint64_t k;
volatile uint64_t epilogues;
uint64_t slice_start, lengths[rounds], granted[rounds];

void epilogue(UTrapFrame*) {
    uint64_t now = ticks();
    if (epilogues < rounds) {
        lengths[epilogues] = now - slice_start;
        granted[epilogues] = slices::of(sys_getenvid()).slice_length;
    }
    epilogues = epilogues + 1;
    while (ticks() < now + k) {}
}
void prologue(UTrapFrame*) { slice_start = ticks(); }

constexpr uintptr_t fault_page = 0x0000300000000000ull;
// A page-fault handler that spans two slice ends before it maps the page.
void slow_fault(UTrapFrame* utf) {
    uint64_t end = turns() + 2;
    while (turns() < end) {}
    if (sys_page_alloc(0, utf->fault_va & ~uintptr_t(4095), prw) < 0) sys_exit(1);
}
}  // namespace

uint64_t umain(uint64_t arg) {
    k = 1 + arg % 2;
    uint32_t full = slices::table().slice_ticks;
    CHECK(k < slices::table().epilogue_budget, true);
    CHECK(slices::set_handlers(epilogue, prologue), 0);
    // Bounded: with no epilogues this would spin for ever.
    uint64_t give_up = ticks() + 4 * rounds * full;
    while (epilogues < rounds && ticks() < give_up) {}
    CHECK(epilogues >= rounds, true);
    // The handlers stay: every later epilogue borrows k too.
    // A plain yield: the kernel saves our state and resumes it, never the
    // prologue (that follows only an epilogue that yielded).
    uint64_t prologues_before = slices::of(sys_getenvid()).prologues;
    for (int i = 0; i < 3; ++i) CHECK(sys_yield(), 0);
    CHECK(slices::of(sys_getenvid()).prologues - prologues_before <= 1, true);
    // While we run on the exception stack (this handler), slices end with
    // no epilogue: the kernel keeps the state itself.
    CHECK(set_pgfault_handler(slow_fault), 0);
    uint64_t epilogues_before = slices::of(0).epilogues;
    *reinterpret_cast<volatile uint64_t*>(fault_page) = arg;
    CHECK(*reinterpret_cast<volatile uint64_t*>(fault_page), arg);
    CHECK(slices::of(0).epilogues, epilogues_before);
    for (int i = 1; i < rounds; ++i) grader_report(report_value, lengths[i], granted[i]);
    for (int i = 1; i < rounds; ++i) CHECK(lengths[i], full - k);
    return arg ^ ok_status;
}
