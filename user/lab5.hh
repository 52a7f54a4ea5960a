// What Lab 5's graded programs share beyond user/checks.hh.
#pragma once
#include "user/checks.hh"
#include "lib/fork.hh"
#include "lib/ipc.hh"
#include "lib/malloc.hh"
#include "lib/spawn.hh"
#include "lib/syscall.hh"
#include "lib/uvpt.hh"

// grader_report kinds Lab 5's programs use: a = a va, b = the frame we see
// there through the self-map; the grader compares b with the kernel's PTE.
constexpr uint64_t report_frame = 1;
// a = a number the program computed, b = what it should be.
constexpr uint64_t report_value = 2;

inline void report_frame_of(uintptr_t va) { grader_report(report_frame, va, uvpt::frame_of(va)); }

// A page shared by fork and its child (perm_share): both see each other's
// writes. 0 or an error.
inline int64_t alloc_shared(uintptr_t va) {
    return sys_page_alloc(0, va, perm_present | perm_user | perm_writable | perm_no_execute | perm_share);
}

// Yields until *flag is nonzero, at most tries times.
inline bool wait_until(const volatile uint64_t* flag, int tries = 2000) {
    for (int i = 0; i < tries && !*flag; ++i) sys_yield();
    return *flag != 0;
}
