// pagerwork: a cooperative pager under pressure. The program pages a
// region of n pages (n from arg) through lib/pager.cc, fills it with
// words seeded from arg, then squeezes its own quota by k frames (k from
// arg). The request arrives as an upcall when that system call returns;
// the pager gives back exactly k frames (writing their pages to the
// backing store) before the program goes on. The program then works over
// the whole region twice under the lower quota (adding the page number to
// every word, then summing), so pages go out to the store and come back
// again and again.
// Grader expects: exit ok; report_values: (frames released while the
// request was open, k), (the sum, computed by the grader from arg),
// (pages read back from the store > 0, 1); the env's view: 1 request,
// complied, never aborted, k requested and released, held <= quota.
#include "user/lab7.hh"
#include "lib/pager.hh"

namespace {
const char* program_name = "pagerwork";
int check_number = 0;
constexpr uintptr_t region = 0x300000000000;

uintptr_t page_va(size_t i) { return region + i * 4096; }
}  // namespace

uint64_t umain(uint64_t arg) {
    size_t n = 24 + arg % 16;
    uint32_t k = 4 + (arg >> 8) % 5;
    CHECK(pager::start(region, n), 0);
    for (size_t i = 0; i < n; ++i) seed_page(page_va(i), arg, i);
    const volatile EnvMemoryView& me = revocation::of();
    uint64_t released = me.released;
    CHECK(sys_test_pressure(pressure_quota, 0, me.held - k), 0);
    // The pager has answered by now.
    grader_report(report_value, me.released - released, k);
    CHECK(me.pending, 0);
    for (size_t i = 0; i < n; ++i) {
        auto* w = reinterpret_cast<volatile uint64_t*>(page_va(i));
        for (size_t j = 0; j < 512; ++j) w[j] = w[j] + i;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; ++i) {
        auto* w = reinterpret_cast<const volatile uint64_t*>(page_va(i));
        for (size_t j = 0; j < 512; ++j) sum += w[j];
    }
    grader_report(report_value, sum, 0);
    grader_report(report_value, pager::stats().page_ins > 0, 1);
    CHECK(me.held <= me.quota, true);
    pager::stop();
    return arg ^ ok_status;
}
