// The virtual-memory rows of the exokernel papers' table (Engler, Kaashoek
// and O'Toole, SOSP 1995; Appel and Li's primitives), for `make bench`'s
// side-by-side table with Linux (bench/linux/linuxbench.c times the same
// in a Linux guest). In TSC ticks: under QEMU's -icount shift=0, one tick
// is one instruction. Not graded.
//   prot1, prot100, unprot100: take write rights away from 1 and 100
//     pages (page_map onto itself, read-only), and give them back to 100
//     (page_map from a writable alias of each frame: page_map cannot add
//     rights to a mapping, only bind from one that has them);
//   dirty: is this page dirty? (its PTE, read through the self-map);
//   appel1: a write to a protected page; the handler protects another
//     page and unprotects this one; per fault;
//   appel2: protect 100 pages, then write each; the handler unprotects
//     the page; per page.
// arg's bits 32 and up, when not 0, set the number of iterations.
#include "lib/console.hh"
#include "lib/pgfault.hh"
#include "lib/syscall.hh"
#include "lib/uvpt.hh"
#include "user/tsc.hh"

namespace {

constexpr uintptr_t pages_base = 0x0000220000000000;   // 100 pages, protected and not
constexpr uintptr_t alias_base = 0x0000230000000000;   // a writable alias of each
constexpr size_t page_count = 100;
constexpr uint64_t read_only = perm_present | perm_user | perm_no_execute;
constexpr uint64_t read_write = read_only | perm_writable;

uint64_t iterations = 200;

uintptr_t page(size_t i) { return pages_base + i * 4096; }
uintptr_t alias(size_t i) { return alias_base + i * 4096; }

bool protect(size_t i) { return sys_page_map(0, page(i), 0, page(i), read_only) == 0; }
bool unprotect(size_t i) { return sys_page_map(0, alias(i), 0, page(i), read_write) == 0; }

void write_page(size_t i) { *reinterpret_cast<volatile uint64_t*>(page(i)) = i; }

// appel1's handler: protect the page before this one, unprotect this one.
void protect_other_unprotect_this(UTrapFrame* utf) {
    size_t i = (utf->fault_va - pages_base) / 4096;
    protect((i + page_count - 1) % page_count);
    unprotect(i);
}

// appel2's handler: unprotect the faulting page.
void unprotect_this(UTrapFrame* utf) { unprotect((utf->fault_va - pages_base) / 4096); }

template <typename Body>
uint64_t per_call(uint64_t n, Body body) {
    uint64_t total = 0;
    for (uint64_t k = 0; k < n; ++k) {
        uint64_t start = rdtsc();
        body();
        total += rdtsc() - start;
    }
    return total / n;
}

}  // namespace

uint64_t umain(uint64_t arg) {
    if (arg >> 32) iterations = arg >> 32;
    for (size_t i = 0; i < page_count; ++i) {
        if (sys_page_alloc(0, alias(i), read_write) < 0 || !unprotect(i)) return arg ^ 0xBAD01;
        write_page(i);
    }
    uint64_t empty = per_call(iterations, [] {});
    uint64_t prot1 = 0, prot100 = 0, unprot100 = 0;
    for (uint64_t k = 0; k < iterations; ++k) {
        uint64_t t0 = rdtsc();
        protect(0);
        uint64_t t1 = rdtsc();
        unprotect(0);
        prot1 += t1 - t0;
    }
    for (uint64_t k = 0; k < iterations; ++k) {
        uint64_t t0 = rdtsc();
        for (size_t i = 0; i < page_count; ++i) protect(i);
        uint64_t t1 = rdtsc();
        for (size_t i = 0; i < page_count; ++i) unprotect(i);
        uint64_t t2 = rdtsc();
        prot100 += t1 - t0;
        unprot100 += t2 - t1;
    }
    volatile uint64_t sink = 0;
    uint64_t dirty = per_call(iterations, [&] { sink = uvpt::pte_of(page(7)) & uvpt::dirty; });

    // appel1: page i is the only one unprotected; write the next.
    if (set_pgfault_handler(protect_other_unprotect_this) < 0) return arg ^ 0xBAD02;
    for (size_t i = 1; i < page_count; ++i) protect(i);
    uint64_t faults = iterations * 10, appel1 = 0;
    for (uint64_t k = 1; k <= faults; ++k) {
        uint64_t t0 = rdtsc();
        write_page(k % page_count);
        appel1 += rdtsc() - t0;
    }
    // appel2: protect all 100, then write each once.
    if (set_pgfault_handler(unprotect_this) < 0) return arg ^ 0xBAD03;
    uint64_t appel2 = 0;
    for (uint64_t k = 0; k < iterations; ++k) {
        uint64_t t0 = rdtsc();
        for (size_t i = 0; i < page_count; ++i) protect(i);
        for (size_t i = 0; i < page_count; ++i) write_page(i);
        appel2 += rdtsc() - t0;
    }
    printf("bench: prot1 %lu ticks\n", prot1 / iterations - empty);
    printf("bench: prot100 %lu ticks\n", prot100 / iterations - empty);
    printf("bench: unprot100 %lu ticks\n", unprot100 / iterations - empty);
    printf("bench: dirty %lu ticks\n", dirty - empty);
    printf("bench: appel1 %lu ticks\n", appel1 / faults - empty);
    printf("bench: appel2 %lu ticks\n", appel2 / iterations / page_count);
    return arg ^ 0x600D;
}
