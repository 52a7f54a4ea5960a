#include "kern/selftest.hh"
#include "kern/assert.hh"
#include "kern/backtrace.hh"
#include "kern/bootargs.hh"
#include "kern/console.hh"
#include "kern/qemu_exit.hh"
#include "kern/userprogs.hh"
#include "lib/printfmt.hh"
#include "lib/string.hh"

// Lab 1 self-tests: printf, backtraces, panics, and the embedding of
// user programs.

// The functions the grader sets breakpoints on or expects in backtraces
// have C linkage and are never inlined, so their names and frames are
// stable across compilers.
extern "C" {
__attribute__((noinline)) void selftest_backtrace_leaf(uint64_t nonce);
__attribute__((noinline)) void selftest_backtrace_recurse(int depth, uint64_t nonce);
__attribute__((noinline)) void selftest_panic_a(uint64_t nonce);
__attribute__((noinline)) void selftest_panic_b(uint64_t nonce);
__attribute__((noinline)) void selftest_panic_c(uint64_t nonce);
}

namespace selftest {

// Formats the grader's values with a fixed list of formats. The grader
// computes the same strings itself and compares; the values change every
// run, so no output can be prepared in advance.
void printf_formats() {
    uint64_t a = 0, b = 0, w = 0, n = nonce_arg();
    const char* s = boot_args.get("s");
    if (!s || !boot_args.get_u64("a", &a) || !boot_args.get_u64("b", &b) ||
        !boot_args.get_u64("w", &w)) {
        cprintf("printf test: missing arguments a, b, s, w\n");
        qemu::exit(qemu::ExitCode::failure);
    }
    int ai = static_cast<int>(a);
    int wi = static_cast<int>(w);
    char buf[128];
    int line = 0;
    auto show = [&](int produced) {
        // snprintf's count must agree with what it wrote.
        size_t len = strlen(buf);
        cprintf("printf %lx %d [%s] %d\n", n, line++, buf, produced == static_cast<int>(len));
    };
    show(snprintf(buf, sizeof buf, "%d", ai));
    show(snprintf(buf, sizeof buf, "%i", -ai));
    show(snprintf(buf, sizeof buf, "%u", static_cast<unsigned>(-ai)));
    show(snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(b)));
    show(snprintf(buf, sizeof buf, "%X", static_cast<unsigned>(b)));
    show(snprintf(buf, sizeof buf, "%o", static_cast<unsigned>(b)));
    show(snprintf(buf, sizeof buf, "%lx", b));
    show(snprintf(buf, sizeof buf, "%ld", -static_cast<long>(b >> 1)));
    show(snprintf(buf, sizeof buf, "%lu", b));
    show(snprintf(buf, sizeof buf, "%*d|", wi, ai));
    show(snprintf(buf, sizeof buf, "%-*d|", wi, ai));
    show(snprintf(buf, sizeof buf, "%0*x", wi, static_cast<unsigned>(b)));
    show(snprintf(buf, sizeof buf, "%+d %+d", ai, -ai));
    show(snprintf(buf, sizeof buf, "%s", s));
    show(snprintf(buf, sizeof buf, "%.3s", s));
    show(snprintf(buf, sizeof buf, "%*s|%-*s|", wi, s, wi, s));
    show(snprintf(buf, sizeof buf, "%c%c", s[0], s[1]));
    show(snprintf(buf, sizeof buf, "%p", reinterpret_cast<void*>(b)));
    show(snprintf(buf, sizeof buf, "%%%d%%", ai));
    show(snprintf(buf, sizeof buf, "%hhx %hx", static_cast<unsigned>(b), static_cast<unsigned>(b)));
    show(snprintf(buf, sizeof buf, "%zu %b", static_cast<size_t>(a), static_cast<unsigned>(a & 0xFFFF)));
    show(snprintf(buf, sizeof buf, "%.5d", ai));
    // The same through the console path, not just into a buffer.
    cprintf("printf %lx %d [", n, line++);
    cprintf("%d %lx %s", ai, b, s);
    cprintf("] 1\n");
    qemu::exit(qemu::ExitCode::success);
}

void backtrace() {
    uint64_t depth = 0;
    if (!boot_args.get_u64("depth", &depth) || depth > 20) {
        cprintf("backtrace test: needs depth=N, N <= 20\n");
        qemu::exit(qemu::ExitCode::failure);
    }
    selftest_backtrace_recurse(static_cast<int>(depth), nonce_arg());
    qemu::exit(qemu::ExitCode::success);
}

// Checks that the program the grader named is embedded and well-formed.
void embed() {
    const char* name = boot_args.get("prog");
    const UserProgram* p = name ? find_user_program(name) : nullptr;
    const elf::FileHeader* h = p ? p->header() : nullptr;
    if (!h) {
        cprintf("embed: no valid program '%s'\n", name ? name : "");
        qemu::exit(qemu::ExitCode::failure);
    }
    cprintf("embed %lx %s size %zu entry %lx\n", nonce_arg(), p->name, p->size(), h->entry);
    qemu::exit(qemu::ExitCode::success);
}

void panic_chain() { selftest_panic_a(nonce_arg()); }

}  // namespace selftest

extern "C" {

void selftest_backtrace_leaf(uint64_t nonce) {
    cprintf("backtrace %lx begin\n", nonce);
    print_backtrace();
    cprintf("backtrace %lx end\n", nonce);
}

void selftest_backtrace_recurse(int depth, uint64_t nonce) {
    if (depth == 0) selftest_backtrace_leaf(nonce);
    else selftest_backtrace_recurse(depth - 1, nonce);
    // Work after the call keeps it from becoming a tail call, which
    // would remove this frame from the chain.
    asm volatile("" ::: "memory");
}

void selftest_panic_c(uint64_t nonce) {
    panic("selftest panic %lx", nonce);  // grader: the panic line
}
void selftest_panic_b(uint64_t nonce) {
    selftest_panic_c(nonce);
    asm volatile("" ::: "memory");
}
void selftest_panic_a(uint64_t nonce) {
    selftest_panic_b(nonce);
    asm volatile("" ::: "memory");
}

}  // extern "C"

