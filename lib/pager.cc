#include "lib/pager.hh"
#include "lib/console.hh"
#include "lib/error.hh"
#include "lib/fork.hh"
#include "lib/ipc.hh"
#include "lib/layout.hh"
#include "lib/pgfault.hh"
#include "lib/revocation.hh"
#include "lib/string.hh"
#include "lib/syscall.hh"
#include "lib/uvpt.hh"

namespace pager {

namespace {

constexpr size_t max_pages = 511;   // and the scratch page: one page table
constexpr uint64_t data_perm = perm_present | perm_user | perm_writable | perm_no_execute;
constexpr uint64_t clean_perm = perm_present | perm_user | perm_no_execute;   // writes fault: dirty

// The store's protocol: value = op << 32 | page index.
enum Op : uint64_t { op_put = 1, op_get = 2 };

uintptr_t base = 0;
size_t pages = 0;
int32_t store = 0;
size_t hand = 0;                 // the clock's
Stats counts{};
PageFaultHandler other_faults = nullptr;
LostHandler lost_handler = nullptr;
// Per page: the store holds what the page holds now (it was saved and not
// written since), and the pager believes the page is resident.
bool saved[max_pages];
bool resident[max_pages];
bool taken[max_pages];           // repossessed, not yet touched again
// Holds a page while its clean (read-only) frame becomes a writable one:
// page_map may drop rights, never add them, and under a squeezed quota
// there is no second frame to copy into.
alignas(4096) char bounce[4096];

uintptr_t page_va(size_t i) { return base + i * 4096; }
uintptr_t scratch_va() { return base + max_pages * 4096; }
bool in_region(uintptr_t va) { return va >= base && va < base + pages * 4096; }

[[noreturn]] void give_up(const char* what, int64_t r) {
    printf("[%08x] pager: %s: %s\n", sys_getenvid(), what, error_name(static_cast<int>(r)));
    sys_exit(0xDEAD);
}

// ---------------------------------------------------------------- the store

[[noreturn]] void serve(int32_t pager_id) {
    for (;;) {
        IpcMessage m;
        if (int64_t r = ipc_recv(store_scratch_va, &m); r < 0) give_up("store: receive", r);
        if (m.from != pager_id) continue;
        uint64_t op = m.value >> 32, i = m.value & 0xFFFFFFFF;
        uintptr_t kept = store_base + i * 4096;
        if (i >= max_pages) continue;
        if (op == op_put && m.perm) {
            if (!uvpt::mapped(kept))
                if (int64_t r = sys_page_alloc(0, kept, data_perm); r < 0) give_up("store: page", r);
            memcpy(reinterpret_cast<void*>(kept), reinterpret_cast<const void*>(store_scratch_va), 4096);
            sys_page_unmap(0, store_scratch_va);   // the pager's frame is its own again
            ipc_send(pager_id, 0);
        } else if (op == op_get && uvpt::mapped(kept)) {
            ipc_send(pager_id, i, kept, clean_perm);
        } else {
            ipc_send(pager_id, 0);   // nothing kept: no page
        }
    }
}

// ---------------------------------------------------------------- victims

// Clears va's accessed bit, by binding the page again onto itself (a new
// entry starts with neither bit). A written page (dirty bit) no longer
// matches the store.
void clear_accessed(size_t i, uint64_t pte) {
    if (pte & uvpt::dirty) saved[i] = false;
    sys_page_map(0, page_va(i), 0, page_va(i), pte & perm_allowed);
}

// The clock: the page to evict, or -1 if none is resident.
long choose_victim() {
    // BEGIN LAB 7
    // Two turns at most: the first may only clear bits.
    for (size_t step = 0; step < 2 * pages; ++step) {
        size_t i = hand;
        hand = (hand + 1) % pages;
        uint64_t pte = uvpt::pte_of(page_va(i));
        if (!(pte & perm_present)) continue;
        if (pte & uvpt::accessed) {
            clear_accessed(i, pte);   // a second chance
            continue;
        }
        return static_cast<long>(i);
    }
    return -1;
    // STUB LAB 7
    //~ // LAB 7: your code here. The clock: from page `hand` on (advance it
    //~ // past each page you look at, wrapping at `pages`), the first
    //~ // resident page (uvpt::pte_of(page_va(i)) present) whose accessed
    //~ // bit (uvpt::accessed) is clear. A page whose bit is set gets a
    //~ // second chance: clear_accessed(i, pte), and move on. Two turns of
    //~ // the clock at most; -1 if no page is resident.
    //~ (void) clear_accessed, (void) hand;
    //~ return -1;
    // END LAB 7
}

// Writes page i to the store unless the store already has it, and gives
// the frame back. False if nothing could be evicted.
bool evict_one() {
    long victim = choose_victim();
    if (victim < 0) return false;
    size_t i = static_cast<size_t>(victim);
    uint64_t pte = uvpt::pte_of(page_va(i));
    if (pte & uvpt::dirty) saved[i] = false;
    if (!saved[i]) {
        if (int64_t r = ipc_send(store, op_put << 32 | i, page_va(i), clean_perm); r < 0)
            give_up("page out", r);
        IpcMessage ack;
        if (int64_t r = ipc_recv(ipc_no_page, &ack); r < 0) give_up("page out: answer", r);
        saved[i] = true;
        ++counts.page_outs;
    }
    resident[i] = false;
    if (sys_frame_release(page_va(i)) < 0) sys_page_unmap(0, page_va(i));
    ++counts.evictions;
    return true;
}

// A request still open is met first: while it is, nothing may grow.
void comply() {
    const volatile EnvMemoryView& me = revocation::of();
    while (me.pending && me.held > me.target && evict_one()) {}
}

void on_request(uint32_t, uint64_t) {
    ++counts.requests;
    comply();
}

// The kernel took pages by force: those not saved are lost.
void note_repossessions() {
    revocation::new_repossessions([](uintptr_t va) {
        if (!in_region(va)) return;
        size_t i = (va - base) / 4096;
        resident[i] = false;
        taken[i] = true;
    });
}

void on_notice() { note_repossessions(); }

// ---------------------------------------------------------------- faults

// Maps a page at i: from the store if it has it, else zeroed.
void page_in(size_t i, bool lost) {
    comply();
    const volatile EnvMemoryView& me = revocation::of();
    // One frame for the page, perhaps one for its page table.
    while (me.quota != quota_unlimited && me.held + 2 > me.quota && evict_one()) {}
    uintptr_t va = page_va(i);
    bool from_store = saved[i] && !lost;
    int64_t r;
    for (int tries = 0; (r = sys_page_alloc(0, va, data_perm)) == E_NO_MEM && tries < 8; ++tries) evict_one();
    if (r < 0) give_up("page in", r);
    if (from_store) {
        IpcMessage m;
        if (int64_t s = ipc_send(store, op_get << 32 | i); s < 0) give_up("page in: ask", s);
        if (int64_t s = ipc_recv(scratch_va(), &m); s < 0) give_up("page in: answer", s);
        if (m.perm) {
            memcpy(reinterpret_cast<void*>(va), reinterpret_cast<const void*>(scratch_va()), 4096);
            sys_page_unmap(0, scratch_va());
        }
        // Clean, read-only: the store has it. A write faults, and we know.
        sys_page_map(0, va, 0, va, clean_perm);
        ++counts.page_ins;
    } else {
        saved[i] = false;
        ++counts.zero_fills;
    }
    resident[i] = true;
}

void fault(UTrapFrame* utf) {
    uintptr_t va = utf->fault_va & ~uintptr_t(4095);
    if (!in_region(va)) {
        if (other_faults) return other_faults(utf);
        give_up("a fault outside the region", E_FAULT);
    }
    size_t i = (va - base) / 4096;
    uint64_t pte = uvpt::pte_of(va);
    if (pte & perm_present) {
        // The first write to a clean page: it no longer matches the store.
        comply();   // nothing may grow while a request is open
        saved[i] = false;
        memcpy(bounce, reinterpret_cast<const void*>(va), 4096);
        sys_page_unmap(0, va);
        if (int64_t r = sys_page_alloc(0, va, data_perm); r < 0) give_up("a clean page made writable", r);
        memcpy(reinterpret_cast<void*>(va), bounce, 4096);
        return;
    }
    // Repossessed, or never mapped (or evicted by us)? The vector says.
    note_repossessions();
    bool lost = false;
    if (taken[i]) {
        taken[i] = false;
        lost = !saved[i];
        ++(lost ? counts.lost : counts.restored);
    }
    if (lost && lost_handler) lost_handler(va);
    page_in(i, lost);
}

}  // namespace

const Stats& stats() { return counts; }

void on_lost(LostHandler handler) { lost_handler = handler; }

int start(uintptr_t region, size_t count) {
    if (region % (2u << 20) != 0 || count == 0 || count > max_pages) return E_INVAL;
    base = region;
    pages = count;
    int32_t self = sys_getenvid();
    // An eager fork: with copy-on-write, each first write (the store's
    // or ours) would move frames between our charges behind our back, and
    // a squeezed env cannot copy a page at all.
    int32_t child = fork_eager();
    if (child < 0) return child;
    if (child == 0) serve(self);
    store = child;
    other_faults = pgfault_handler;
    if (int r = set_pgfault_handler(fault); r < 0) return r;
    return revocation::set_handlers(on_request, on_notice);
}

void stop() {
    if (store) sys_env_destroy(store);
    store = 0;
}

}  // namespace pager
