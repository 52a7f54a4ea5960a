// primes: the concurrent prime sieve, one env per prime. The first env
// sends 2 .. bound (from the argument) down a pipeline and then 0; each
// filter env takes the first number it receives as its prime, forks the
// next filter when a number passes it, forwards those, and on 0 forwards
// the 0 and exits with arg ^ (prime_mark | its prime). The grader compares
// the primes in the kernel's env-end records with the primes below bound.
#include "user/lab5.hh"

namespace {
constexpr uint64_t prime_mark = 0x7000000;
}

uint64_t sieve_bound(uint64_t arg) { return 40 + arg % 80; }

// Never returns: a filter's life ends with its exit status.
[[noreturn]] void filter(uint64_t arg) {
    IpcMessage m;
    if (ipc_recv(ipc_no_page, &m) < 0) sys_exit(arg ^ 0xE1);
    uint64_t prime = m.value;
    int32_t next = 0;
    for (;;) {
        if (ipc_recv(ipc_no_page, &m) < 0) sys_exit(arg ^ 0xE2);
        uint64_t n = m.value;
        if (n != 0 && n % prime == 0) continue;
        if (n != 0 && next == 0) {
            next = fork();
            if (next < 0) sys_exit(arg ^ 0xE3);
            if (next == 0) filter(arg);   // the child starts afresh
        }
        if (next != 0 && ipc_send(next, n) < 0) sys_exit(arg ^ 0xE4);
        if (n == 0) sys_exit(arg ^ (prime_mark | prime));
    }
}

uint64_t umain(uint64_t arg) {
    int32_t first = fork();
    if (first < 0) return arg ^ 0xE0;
    if (first == 0) filter(arg);
    for (uint64_t n = 2; n < sieve_bound(arg); ++n)
        if (ipc_send(first, n) < 0) return arg ^ 0xE5;
    if (ipc_send(first, 0) < 0) return arg ^ 0xE5;
    return arg ^ ok_status;
}
