// panic and assert. A panic prints where it happened, the message and a
// symbolized backtrace, then stops the kernel (see panic.cc for how).
#pragma once
#include "lib/types.hh"

[[noreturn]] void panic_at(const char* file, int line, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

#define assert(expr)                                                       \
    do {                                                                   \
        if (!(expr)) panic_at(__FILE__, __LINE__, "assertion failed: %s", #expr); \
    } while (0)

// Shows both sides, which a plain assert(a == b) cannot.
#define assert_eq(a, b)                                                    \
    do {                                                                   \
        auto assert_a_ = (a);                                              \
        auto assert_b_ = (b);                                              \
        if (!(assert_a_ == assert_b_))                                     \
            panic_at(__FILE__, __LINE__, "assertion failed: %s == %s (0x%lx vs 0x%lx)", \
                     #a, #b, static_cast<unsigned long>(assert_a_),        \
                     static_cast<unsigned long>(assert_b_));               \
    } while (0)
