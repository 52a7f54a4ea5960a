/* The Linux side of `make bench`'s table: the same microbenchmarks as
 * user/bench.cc, user/benchpaper.cc and user/benchlibos.cc, written for
 * Linux. Built static, it is the /init of an initramfs booted under the
 * same QEMU (TCG, -icount shift=0, where one TSC tick is one
 * instruction). Prints "linuxbench: NAME TICKS" lines, then powers off.
 * The kernel command line's iters=N (passed to init in its environment)
 * sets the iterations; a short run for `make test` uses few. Rows timed
 * one operation at a time report the median, so that a timer tick landing
 * in a window does not count: the figure is the path's length. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 100

static uint64_t iterations = 200;
static char* pages;     /* 100 pages for the protection rows */
static volatile uint64_t faults_seen;

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define MAX_SAMPLES 4000
static uint64_t samples[MAX_SAMPLES];
static uint64_t sample_count;

static void sample(uint64_t ticks) {
    if (sample_count < MAX_SAMPLES) samples[sample_count++] = ticks;
}

static int by_value(const void* a, const void* b) {
    uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : x > y;
}

/* The median of the samples taken since the last call. */
static uint64_t median(void) {
    qsort(samples, sample_count, sizeof samples[0], by_value);
    uint64_t m = sample_count ? samples[sample_count / 2] : 0;
    sample_count = 0;
    return m;
}

static void report(const char* name, uint64_t ticks) {
    printf("linuxbench: %s %lu\n", name, (unsigned long)ticks);
    fflush(stdout);
}

static uint64_t calibrate(void) {
    uint64_t best = ~0ull;
    for (int run = 0; run < 5; ++run) {
        uint64_t n = 100000, t = rdtsc();
        __asm__ volatile("1: dec %0; jnz 1b" : "+r"(n) : : "cc");
        t = rdtsc() - t;
        if (t < best) best = t;
    }
    return best;
}

static uint64_t empty_window(void) {
    for (uint64_t k = 0; k < iterations; ++k) {
        uint64_t t = rdtsc();
        sample(rdtsc() - t);
    }
    return median();
}

static char* page_of(void* addr) { return (char*)((uintptr_t)addr & ~(uintptr_t)(PAGE - 1)); }

/* trap and appel2: unprotect the faulting page. */
static void unprotect_this(int sig, siginfo_t* info, void* ctx) {
    (void)sig, (void)ctx;
    mprotect(page_of(info->si_addr), PAGE, PROT_READ | PROT_WRITE);
}

/* appel1: protect another page (the one before), unprotect this one. */
static void protect_other_unprotect_this(int sig, siginfo_t* info, void* ctx) {
    (void)sig, (void)ctx;
    ++faults_seen;
    size_t i = (size_t)(page_of(info->si_addr) - pages) / PAGE;
    mprotect(pages + ((i + PAGES - 1) % PAGES) * PAGE, PAGE, PROT_READ);
    mprotect(page_of(info->si_addr), PAGE, PROT_READ | PROT_WRITE);
}

static void on_segv(void (*handler)(int, siginfo_t*, void*)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
}

static void write_page(char* p, uint64_t v) { *(volatile uint64_t*)p = v; }

static void vm_rows(uint64_t empty) {
    uint64_t t, total;
    for (int i = 0; i < PAGES; ++i) write_page(pages + i * PAGE, i);

    for (uint64_t k = 0; k < iterations; ++k) {
        t = rdtsc();
        syscall(SYS_getppid);
        sample(rdtsc() - t);
    }
    report("null", median() - empty);

    on_segv(unprotect_this);
    for (uint64_t k = 0; k < iterations; ++k) {
        mprotect(pages, PAGE, PROT_READ);
        t = rdtsc();
        write_page(pages, k);
        sample(rdtsc() - t);
    }
    report("trap", median() - empty);

    for (uint64_t k = 0; k < iterations; ++k) {
        t = rdtsc();
        mprotect(pages, PAGE, PROT_READ);
        sample(rdtsc() - t);
        mprotect(pages, PAGE, PROT_READ | PROT_WRITE);
    }
    report("prot1", median() - empty);
    for (uint64_t k = 0; k < iterations; ++k) {
        t = rdtsc();
        mprotect(pages, PAGES * PAGE, PROT_READ);
        sample(rdtsc() - t);
        mprotect(pages, PAGES * PAGE, PROT_READ | PROT_WRITE);
    }
    report("prot100", median() - empty);
    for (uint64_t k = 0; k < iterations; ++k) {
        mprotect(pages, PAGES * PAGE, PROT_READ);
        t = rdtsc();
        mprotect(pages, PAGES * PAGE, PROT_READ | PROT_WRITE);
        sample(rdtsc() - t);
    }
    report("unprot100", median() - empty);

    /* Soft-dirty: clear every page's bit, dirty one, then ask. */
    int clear = open("/proc/self/clear_refs", O_WRONLY), map = open("/proc/self/pagemap", O_RDONLY);
    if (clear >= 0 && map >= 0 && write(clear, "4", 1) == 1) {
        write_page(pages + 7 * PAGE, 1);
        off_t at = (off_t)((uintptr_t)(pages + 7 * PAGE) / PAGE) * 8;
        uint64_t entry = 0, dirty = 0;
        for (uint64_t k = 0; k < iterations; ++k) {
            t = rdtsc();
            if (pread(map, &entry, sizeof entry, at) == sizeof entry) dirty += (entry >> 55) & 1;
            sample(rdtsc() - t);
        }
        report(dirty == iterations ? "dirty" : "dirty-wrong", median() - empty);
    } else {
        report("dirty-unavailable", 0);
    }

    /* appel1: one page unprotected at a time; write the next. */
    on_segv(protect_other_unprotect_this);
    mprotect(pages, PAGES * PAGE, PROT_READ);
    mprotect(pages, PAGE, PROT_READ | PROT_WRITE);
    uint64_t faults = iterations * 10;
    for (uint64_t k = 1; k <= faults; ++k) {
        t = rdtsc();
        write_page(pages + (k % PAGES) * PAGE, k);
        sample(rdtsc() - t);
    }
    report(faults_seen == faults ? "appel1" : "appel1-missed-faults", median() - empty);

    on_segv(unprotect_this);
    total = 0;
    for (uint64_t k = 0; k < iterations; ++k) {
        t = rdtsc();
        mprotect(pages, PAGES * PAGE, PROT_READ);
        for (int i = 0; i < PAGES; ++i) write_page(pages + i * PAGE, k);
        total += rdtsc() - t;
    }
    report("appel2", total / iterations / PAGES);
}

static long futex(uint32_t* word, int op, uint32_t value) {
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

static void ipc_rows(void) {
    int to_child[2], to_parent[2];
    uint64_t word = 0, t;
    if (pipe(to_child) || pipe(to_parent)) return;
    pid_t child = fork();
    if (child == 0) {
        while (read(to_child[0], &word, sizeof word) == sizeof word && word != ~0ull)
            if (write(to_parent[1], &word, sizeof word) != sizeof word) break;
        _exit(0);
    }
    for (int warm = 0; warm < 10; ++warm) {
        if (write(to_child[1], &word, sizeof word) != sizeof word) return;
        if (read(to_parent[0], &word, sizeof word) != sizeof word) return;
    }
    t = rdtsc();
    for (uint64_t k = 0; k < iterations; ++k) {
        word = k;
        if (write(to_child[1], &word, sizeof word) != sizeof word) return;
        if (read(to_parent[0], &word, sizeof word) != sizeof word) return;
    }
    report("ipc-pipe", (rdtsc() - t) / iterations);
    word = ~0ull;
    if (write(to_child[1], &word, sizeof word) != sizeof word) return;
    waitpid(child, NULL, 0);

    /* Futex ping-pong: the turn word says whose move it is. */
    uint32_t* turn = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (turn == MAP_FAILED) return;
    *turn = 0;
    uint64_t rounds = iterations + 10;
    child = fork();
    if (child == 0) {
        for (uint64_t k = 0; k < rounds; ++k) {
            while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != 1) futex(turn, FUTEX_WAIT, 0);
            __atomic_store_n(turn, 0, __ATOMIC_RELEASE);
            futex(turn, FUTEX_WAKE, 1);
        }
        _exit(0);
    }
    uint64_t start = 0;
    for (uint64_t k = 0; k < rounds; ++k) {
        if (k == 10) start = rdtsc();
        __atomic_store_n(turn, 1, __ATOMIC_RELEASE);
        futex(turn, FUTEX_WAKE, 1);
        while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != 0) futex(turn, FUTEX_WAIT, 1);
    }
    report("ipc-futex", (rdtsc() - start) / iterations);
    waitpid(child, NULL, 0);
}

static void fork_rows(void) {
    static const int counts[] = {1, 16, 256};
    char* dirty = mmap(NULL, 256 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (dirty == MAP_FAILED) return;
    uint64_t n = iterations / 10 ? iterations / 10 : 1;
    for (int c = 0; c < 3; ++c) {
        int count = counts[c];
        for (int p = 0; p < count; ++p) write_page(dirty + p * PAGE, p);
        uint64_t t = rdtsc();
        for (uint64_t k = 0; k < n; ++k) {
            pid_t child = fork();
            if (child == 0) _exit(0);
            waitpid(child, NULL, 0);
            for (int p = 0; p < count; ++p) write_page(dirty + p * PAGE, k);
        }
        char name[32];
        snprintf(name, sizeof name, "fork%d", count);
        report(name, (rdtsc() - t) / n);
    }
}

int main(void) {
    const char* iters = getenv("iters");
    if (iters && atoi(iters) > 0) iterations = (uint64_t)atoi(iters);
    mount("proc", "/proc", "proc", 0, NULL);   /* for /proc/self/pagemap */
    pages = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) return 1;
    report("calibration", calibrate());
    uint64_t empty = empty_window();
    vm_rows(empty);
    ipc_rows();
    fork_rows();
    printf("linuxbench: done\n");
    fflush(stdout);
    reboot(RB_POWER_OFF);
    return 0;
}
