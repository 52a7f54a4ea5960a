// hello: the first environment. Tests that a program starts with its
// argument, can print through sys_cputs, learn its env id and exit.
// Grader expects: the line "hello, world from env <id in hex>", then exit
// status arg ^ 0x600D (arg ^ 0xBAD01 if the env id is not positive).
#include "lib/console.hh"
#include "lib/syscall.hh"

uint64_t umain(uint64_t arg) {
    int32_t id = sys_getenvid();
    printf("hello, world from env %x\n", static_cast<unsigned>(id));
    if (id <= 0) {
        printf("hello: check 1 failed: sys_getenvid() = %d, want > 0\n", id);
        return arg ^ (0xBAD00 + 1);
    }
    return arg ^ 0x600D;
}
