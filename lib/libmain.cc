// The library OS's start-up: lib/entry.S calls libmain with argc and argv
// as the kernel or lib/spawn.cc left them (lib/abi.hh, "How a program
// starts"), and the program's result becomes its exit status (the grader
// reads it).
#include "lib/parse.hh"
#include "lib/syscall.hh"

// Every program defines one of these. umain(argc, argv) is the entry;
// a program that takes one number (most of the graded ones: the grader's
// boot argument `arg`) may define umain(arg) instead, and gets argv[1]
// parsed (0 if absent or not a number).
uint64_t umain(int argc, char** argv);
[[gnu::weak]] uint64_t umain(uint64_t arg);

[[gnu::weak]] uint64_t umain(int argc, char** argv) {
    uint64_t arg = 0;
    if (argc > 1 && argv[1] && !parse_u64(argv[1], &arg)) arg = 0;
    return umain(arg);
}

extern "C" [[noreturn]] void libmain(int argc, char** argv) { sys_exit(umain(argc, argv)); }
