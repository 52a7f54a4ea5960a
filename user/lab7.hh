// What Lab 7's graded programs share beyond user/lab6.hh: seeded pages,
// and the scenario most of them play. The root R forks a victim V. Both
// share a page R owns (shared_va: flags, and data seeded from arg); V
// allocates `cold` pages seeded from arg at cold_base, below the program's
// own image (so that they have the lowest addresses V maps), and a page of
// its own at victim_page_va that R then maps too. R squeezes V's quota to
// what V holds less `take` frames (SYS_test_pressure) and waits; V plays
// its part (ignore the request, spin in the handler, cheat...) without
// touching its cold pages, waits for the kernel's abort, and checks what is
// left. Then R checks that what it shares with V is intact.
#pragma once
#include "user/lab6.hh"
#include "lib/revocation.hh"
#include "lib/uvpt.hh"

constexpr uintptr_t cold_base = 0x100000;
constexpr uintptr_t victim_page_va = shared_va + 0x1000;
constexpr size_t flag_words = 16;   // the shared page's first words are flags

struct Scenario {
    uint64_t ready, squeezed, done, take;
    uint64_t restored;   // R has lifted V's quota again, after the abort
};
inline volatile Scenario& scenario() { return *reinterpret_cast<volatile Scenario*>(shared_va); }

// The words a seeded page holds: the grader can compute them too.
inline uint64_t seed_word(uint64_t arg, uint64_t page, uint64_t j) {
    return (arg ^ (page << 20)) * 0x9E3779B97F4A7C15ull + j;
}
inline void seed_page(uintptr_t va, uint64_t arg, uint64_t page, size_t from = 0) {
    auto* w = reinterpret_cast<volatile uint64_t*>(va);
    for (size_t j = from; j < 512; ++j) w[j] = seed_word(arg, page, j);
}
inline bool page_intact(uintptr_t va, uint64_t arg, uint64_t page, size_t from = 0) {
    if (!uvpt::mapped(va)) return false;
    auto* w = reinterpret_cast<const volatile uint64_t*>(va);
    for (size_t j = from; j < 512; ++j)
        if (w[j] != seed_word(arg, page, j)) return false;
    return true;
}
inline uintptr_t cold_va(size_t i) { return cold_base + i * 4096; }

constexpr uint64_t shared_seed = 1000, victim_page_seed = 1001;

// How many cold pages V has and how many frames R asks back, from arg.
inline size_t cold_pages(uint64_t arg) { return 8 + arg % 8; }
inline size_t frames_to_take(uint64_t arg) { return 2 + (arg >> 4) % 5; }

// V's side, before its part: its pages, seeded. 0 or an error.
inline int64_t victim_setup(uint64_t arg) {
    for (size_t i = 0; i < cold_pages(arg); ++i) {
        if (int64_t r = sys_page_alloc(0, cold_va(i), prw | perm_no_execute); r < 0) return r;
        seed_page(cold_va(i), arg, i);
    }
    if (int64_t r = alloc_shared(victim_page_va); r < 0) return r;
    seed_page(victim_page_va, arg, victim_page_seed);
    return 0;
}

// Waits (spinning: V's slices keep coming) until the kernel has met V's
// request by force, or until 4 grace periods have gone by.
inline bool wait_for_abort() {
    const volatile EnvMemoryView& me = revocation::of();
    uint64_t limit = ticks() + 4 * revocation::table().grace_ticks;
    while (me.aborts == 0 && ticks() < limit) {}
    return me.aborts != 0;
}

// Cold pages [0, released) V gave back itself; [released, released +
// gone) are the ones the abort should have taken (the lowest addresses
// left, none touched since the request). Checks that all those are
// unmapped, the rest intact, and that the vector lists exactly the taken
// ones. 0, or 1 + the first cold page that is wrong, or 100 + the vector's
// count if that is wrong, or 200 + the first wrong entry.
inline uint64_t check_cold_pages(uint64_t arg, size_t released, size_t gone) {
    const volatile EnvMemoryView& me = revocation::of();
    for (size_t i = 0; i < cold_pages(arg); ++i) {
        bool unmapped = i < released + gone;
        if (unmapped ? uvpt::mapped(cold_va(i)) : !page_intact(cold_va(i), arg, i)) return i + 1;
    }
    if (me.vector_count != gone) return 100 + me.vector_count;
    for (size_t n = 0; n < gone; ++n)
        if (me.vector[n] != cold_va(released + n)) return 200 + n;
    return 0;
}

// R's side. victim(arg) is V's part; its result is V's exit status. R
// reports (report_value) V's id and the frames it asked back, and returns
// its own status: whether its shared pages survived.
template <typename Victim>
uint64_t play_scenario(uint64_t arg, const char* name, Victim victim) {
    if (alloc_shared(shared_va) < 0) return arg ^ (fail_base + 90);
    seed_page(shared_va, arg, shared_seed, flag_words);
    volatile Scenario& s = scenario();
    s.take = frames_to_take(arg);
    int32_t v = fork();
    if (v < 0) return arg ^ (fail_base + 91);
    if (v == 0) sys_exit(victim(arg));
    bool ready = wait_turns_for(&s.ready);
    int64_t mapped = sys_page_map(v, victim_page_va, 0, victim_page_va, prw | perm_no_execute | perm_share);
    uint32_t held = revocation::of(v).held;
    int64_t squeezed = sys_test_pressure(pressure_quota, v, held - s.take);
    grader_report(report_value, static_cast<uint32_t>(v), s.take);
    s.squeezed = 1;
    uint64_t limit = ticks() + 8 * revocation::table().grace_ticks;
    // Once the abort is over, V may grow again.
    while (!revocation::of(v).aborts && ticks() < limit) sys_yield();
    int64_t lifted = sys_test_pressure(pressure_quota, v, quota_unlimited);
    if (lifted == E_BAD_ENV) lifted = 0;   // V is done already
    s.restored = 1;
    while (!s.done && ticks() < limit) sys_yield();
    bool done = s.done;
    // Let V exit (its slot goes when it ends), then make sure it has.
    while (slices::of(v).slots && ticks() < limit) sys_yield();
    sys_env_destroy(v);
    bool shared_ok = page_intact(shared_va, arg, shared_seed, flag_words);
    bool victim_page_ok = page_intact(victim_page_va, arg, victim_page_seed);
    if (!ready || mapped < 0 || squeezed < 0 || lifted < 0 || !done || !shared_ok || !victim_page_ok) {
        printf("%s: ready %d, map %ld, squeeze %ld, lift %ld, done %d, shared page %s, V's page %s\n", name, ready,
               mapped, squeezed, lifted, done, shared_ok ? "intact" : "damaged", victim_page_ok ? "intact" : "damaged");
        return arg ^ (fail_base + 92);
    }
    return arg ^ ok_status;
}

// V's last word: its checks' verdict, then done.
inline uint64_t victim_verdict(uint64_t arg, const char* name, bool aborted, uint64_t bad) {
    scenario().done = 1;
    if (aborted && !bad) return arg ^ ok_status;
    printf("%s: victim: %s, check of its pages: %lu\n", name, aborted ? "aborted" : "never aborted", bad);
    return arg ^ (fail_base + (aborted ? 2 : 1));
}

// V's wait for R's squeeze, touching nothing but the shared page.
inline void wait_squeezed() {
    scenario().ready = 1;
    uint64_t limit = ticks() + 20000;
    while (!scenario().squeezed && ticks() < limit) {}
}
