// What the graded programs of Labs 4 and 5 share: the exit-status
// convention, a CHECK that names the first failed check, and the report
// hook the grader breaks on.
//
// Convention: exit arg ^ 0x600D when every check passed; on the first
// failed check n, a line naming it and exit arg ^ (0xBAD00 + n). A program
// using CHECK defines `program_name` and `check_number` and has `arg`.
#pragma once
#include "lib/console.hh"
#include "lib/error.hh"
#include "lib/syscall.hh"

constexpr uint64_t ok_status = 0x600D, fail_base = 0xBAD00;
constexpr uint64_t prw = perm_present | perm_user | perm_writable;
constexpr uint64_t pr = perm_present | perm_user;

// The grader puts a breakpoint here and reads the arguments (and kernel
// state) when it is hit: a value the program chose, checked against what
// the kernel holds, never against anything printed.
extern "C" [[gnu::noinline, gnu::used]] void grader_report(uint64_t kind, uint64_t a, uint64_t b) {
    asm volatile("" : : "r"(kind), "r"(a), "r"(b) : "memory");
}

// Each check: expr must equal want. Returns from umain at the first failure.
#define CHECK(expr, want)                                                                      \
    do {                                                                                       \
        ++check_number;                                                                        \
        int64_t got_ = static_cast<int64_t>(expr);                                             \
        int64_t want_ = static_cast<int64_t>(want);                                            \
        if (got_ != want_) {                                                                   \
            printf("%s: check %d failed: %s = %ld (%s), want %ld (%s)\n", program_name,        \
                   check_number, #expr, got_, error_name(static_cast<int>(got_)), want_,       \
                   error_name(static_cast<int>(want_)));                                       \
            return arg ^ (fail_base + check_number);                                           \
        }                                                                                      \
    } while (0)

