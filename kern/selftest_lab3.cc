// Lab 3 self-test: user_mem_check's contract, case by case, against a model
// written here (outside the student's files). The address space is a real
// env's, built from user/hello but never run; the offsets come from the
// grader's nonce, so no table of answers can pass.
#include "kern/console.hh"
#include "kern/env.hh"
#include "kern/memlayout.hh"
#include "kern/qemu_exit.hh"
#include "kern/selftest.hh"
#include "kern/usermem.hh"
#include "lib/abi.hh"
#include "lib/error.hh"

namespace {

[[noreturn]] void fail(const char* what) {
    cprintf("self-test failed: %s\n", what);
    qemu::exit(qemu::ExitCode::failure);
}

// The contract, plainly: the range must be in the user half without
// wrapping; every page it touches must be present, user and carry perm;
// the first bad address is never below va.
int model(Env& e, uintptr_t va, size_t len, uint64_t perm, uintptr_t* bad) {
    *bad = va;
    if (va >= user_top || len > user_top - va) return E_FAULT;
    uint64_t need = perm | perm_present | perm_user;
    PageTable pt = e.page_table();
    for (uintptr_t at = va; len > 0 && at - va < len; at = page_round_down(at) + page_size) {
        Mapping m = pt.lookup(at);
        if (!m.present || (m.perm & need) != need) {
            *bad = at;
            return E_FAULT;
        }
    }
    return 0;
}

void check(Env& e, int n, uintptr_t va, size_t len, uint64_t perm) {
    uintptr_t want_bad = 0, got_bad = 0xBADBADBAD;
    int want = model(e, va, len, perm, &want_bad);
    int got = user_mem_check(e, va, len, perm, &got_bad);
    cprintf("usermem %d: user_mem_check(va %lx, len %lx, perm %lx) = %d, bad_va %lx\n", n, va, len,
            perm, got, got < 0 ? got_bad : 0);
    if (got != want) {
        cprintf("  want %d (%s)\n", want, error_name(want));
        fail("user_mem_check broke its contract");
    }
    if (want < 0 && got_bad != want_bad) {
        cprintf("  want bad_va %lx\n", want_bad);
        fail("user_mem_check reported the wrong first bad address");
    }
}

}  // namespace

namespace selftest {

void user_memory() {
    const UserProgram* hello = find_user_program("hello");
    Env* e;
    if (!hello || env::create(*hello, 0, 0, &e) < 0) fail("cannot build an address space from hello");
    uint64_t r = nonce_arg() | 1;
    auto next = [&r] {   // xorshift64
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        return r;
    };
    const uintptr_t text = user_text_base + next() % 512;                  // mapped, read-only
    const uintptr_t stack_bottom = user_stack_top - user_stack_pages * page_size;
    const uintptr_t in_stack = stack_bottom + 8 + next() % (2 * page_size);
    const uintptr_t unmapped = 0x0000100000000000 + (next() % 4096) * page_size + 1 + next() % 4094;
    const uint64_t w = perm_writable;

    check(*e, 1, text, 0 - text + 1 + next() % 4096, 0);        // va + len wraps past 0
    check(*e, 2, in_stack, 0 - in_stack + next() % 64, 0);      // wraps, not near the top
    check(*e, 3, unmapped, 0, 0);                               // empty, unaligned, unmapped
    check(*e, 4, text | 1, 0, w);                               // empty, unaligned, read-only
    check(*e, 5, user_top, 0, 0);                               // not in the user half
    check(*e, 6, text, 16, 0);                                  // text is readable...
    check(*e, 7, text, 16, w);                                  // ...and not writable
    check(*e, 8, in_stack, user_stack_top - in_stack, w);       // ends exactly at the top
    check(*e, 9, in_stack, user_stack_top - in_stack + 1 + next() % 64, 0);  // one past it
    check(*e, 10, stack_bottom - 1 - next() % 32, 64, 0);       // starts below the stack
    check(*e, 11, 0xFFFF800000100000 + next() % 4096, 8, 0);    // kernel memory
    check(*e, 12, user_top - 1, 1, 0);                          // the last user byte
    check(*e, 13, unmapped, user_top - unmapped, 0);            // up to the top exactly
    check(*e, 14, user_top - 8, 16, 0);                         // reaches past the top
    for (int i = 15; i < 40; ++i) {                             // anywhere around the stack
        uintptr_t va = stack_bottom - 2 * page_size + next() % (8 * page_size);
        check(*e, i, va, next() % (3 * page_size), (next() & 1) ? w : 0);
    }
    env::destroy(*e, EnvEndHow::destroyed, 0);
    qemu::exit(qemu::ExitCode::success);
}

}  // namespace selftest
