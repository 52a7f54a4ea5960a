// Lab 7's costs for `make bench`, in TSC ticks (under QEMU's -icount
// shift=0 one tick is one guest instruction): a revocation round trip,
// from the system call that squeezes our own quota to our return from the
// upcall that gave the frames back, for 1 and 64 frames; the abort, as the
// gap the deadline's tick leaves in a loop that reads the TSC, for 1 and
// 64 frames; and the pager's page-out (a request for one frame, answered
// by writing a page to the store over IPC) and page-in (a fault on that
// page, read back). Not graded.
#include "lib/console.hh"
#include "lib/pager.hh"
#include "lib/revocation.hh"
#include "lib/syscall.hh"
#include "lib/uvpt.hh"
#include "user/tsc.hh"

namespace {

// The pages given back: below the program, so that the abort, which takes
// the lowest idle pages first, takes these and not our code.
constexpr uintptr_t pages_base = 0x100000;
constexpr uintptr_t paged_base = 0x0000300000400000ull;   // the pager's region
constexpr uint64_t data_perm = perm_present | perm_user | perm_writable | perm_no_execute;

uint64_t to_release = 0;
void release_lowest(uint32_t, uint64_t) {
    for (uint64_t i = 0; i < to_release; ++i) sys_frame_release(pages_base + i * 4096);
}

bool map_pages(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        if (sys_page_alloc(0, pages_base + i * 4096, data_perm) < 0) return false;
        *reinterpret_cast<volatile uint64_t*>(pages_base + i * 4096) = i;
    }
    return true;
}

void unsqueeze() { sys_test_pressure(pressure_quota, 0, quota_unlimited); }

uint64_t cooperative(uint64_t n) {
    if (!map_pages(n) || revocation::set_handlers(release_lowest, nullptr) < 0) return 0;
    to_release = n;
    const volatile EnvMemoryView& me = revocation::of();
    uint64_t t0 = rdtsc();
    sys_test_pressure(pressure_quota, 0, me.held - n);
    uint64_t t1 = rdtsc();
    unsqueeze();
    return me.pending ? 0 : t1 - t0;
}

uint64_t forced(uint64_t n) {
    if (!map_pages(n) || sys_set_revocation_upcall(0, 0) < 0) return 0;
    const volatile EnvMemoryView& me = revocation::of();
    uint64_t aborts = me.aborts;
    sys_test_pressure(pressure_quota, 0, me.held - n);
    // The widest gap: the deadline's tick (the loop also sees ordinary
    // ticks and slice ends, each far cheaper).
    // The abort's tick may land anywhere in an iteration, the test of the
    // counter included: the gap the loop ends on counts too.
    uint64_t prev = rdtsc(), gap = 0;
    for (bool last = false; !last;) {
        last = me.aborts != aborts;
        uint64_t now = rdtsc();
        if (now - prev > gap) gap = now - prev;
        prev = now;
    }
    unsqueeze();
    for (uint64_t i = n; i < 2 * n; ++i) sys_page_unmap(0, pages_base + i * 4096);
    return gap;
}

}  // namespace

uint64_t umain(uint64_t) {
    printf("bench: revocation round trip, 1 frame given back: %lu ticks\n", cooperative(1));
    printf("bench: revocation round trip, 64 frames given back: %lu ticks\n", cooperative(64));
    printf("bench: an abort taking 1 frame (the deadline's tick): %lu ticks\n", forced(1));
    printf("bench: an abort taking 64 frames (the deadline's tick): %lu ticks\n", forced(64));
    if (pager::start(paged_base, 64) < 0) return 1;
    for (uint64_t i = 0; i < 64; ++i) *reinterpret_cast<volatile uint64_t*>(paged_base + i * 4096) = i;
    const volatile EnvMemoryView& me = revocation::of();
    uint64_t t0 = rdtsc();
    sys_test_pressure(pressure_quota, 0, me.held - 1);
    uint64_t t1 = rdtsc();
    unsqueeze();
    uint64_t outs = pager::stats().page_outs;
    uintptr_t evicted = 0;
    for (uint64_t i = 0; i < 64 && !evicted; ++i)
        if (!uvpt::mapped(paged_base + i * 4096)) evicted = paged_base + i * 4096;
    uint64_t t2 = rdtsc();
    uint64_t value = evicted ? *reinterpret_cast<volatile uint64_t*>(evicted) : 0;
    uint64_t t3 = rdtsc();
    printf("bench: pager page-out (a request for 1 frame, %lu page written): %lu ticks\n", outs, t1 - t0);
    printf("bench: pager page-in (a fault on that page, read back%s): %lu ticks\n",
           value == (evicted - paged_base) / 4096 ? "" : ", WRONG DATA", t3 - t2);
    pager::stop();
    return 0;
}
