// Lab 3 self-tests, written outside the student's files:
// - usermem: user_mem_check's contract, case by case, against a model. The
//   address space is a real env's, built from user/hello but never run.
// - loader: load_program on ELF files built here, hostile ones included,
//   that no linker would write (sizes that wrap, offsets past the file).
// The addresses and values come from the grader's nonce, so no table of
// answers can pass.
#include "kern/console.hh"
#include "kern/env.hh"
#include "kern/memlayout.hh"
#include "kern/qemu_exit.hh"
#include "kern/selftest.hh"
#include "kern/usermem.hh"
#include "lib/abi.hh"
#include "lib/error.hh"
#include <stddef.h>

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

// xorshift64, seeded by the nonce.
struct Random {
    uint64_t state;
    uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
};

// A static executable with two program headers and a small payload.
struct TestElf {
    elf::FileHeader header;
    elf::ProgramHeader segments[2];
    uint64_t payload[4];
};

TestElf make_elf(uint64_t salt) {
    TestElf t{};
    t.header.magic = elf::magic;
    t.header.elf_class = elf::class64;
    t.header.type = elf::type_exec;
    t.header.machine = elf::machine_x86_64;
    t.header.phentsize = sizeof(elf::ProgramHeader);
    t.header.phoff = offsetof(TestElf, segments);
    t.header.phnum = 1;
    t.header.entry = user_text_base;
    for (int i = 0; i < 4; ++i) t.payload[i] = salt ^ (0x1111111111111111ull * (i + 1));
    // Segment 0: the payload, loaded at a page of its own.
    t.segments[0] = elf::ProgramHeader{elf::segment_load, 4 | 1, offsetof(TestElf, payload),
                                       user_text_base, 0, sizeof t.payload, sizeof t.payload, 4096};
    return t;
}

// Loads t; returns env::create's result and, on success, the env.
int load(const TestElf& t, Env** e) {
    auto* bytes = reinterpret_cast<const uint8_t*>(&t);
    UserProgram program{"test-elf", bytes, bytes + sizeof t};
    return env::create(program, 0, 0, e);
}

void expect_refused(const TestElf& t, int n, const char* what) {
    Env* e;
    int r = load(t, &e);
    cprintf("loader %d: %s: %s\n", n, what, error_name(r));
    if (r == 0) env::destroy(*e, EnvEndHow::destroyed, 0);
    if (r != E_INVAL) fail("load_program accepted a segment it must refuse with E_INVAL");
}

// Loads t, which must succeed, and checks the page at va: perm bits and,
// at va itself, the payload's first word.
void expect_loaded(const TestElf& t, int n, uintptr_t va, uint64_t want_perm, const char* what) {
    Env* e;
    int r = load(t, &e);
    cprintf("loader %d: %s: %s\n", n, what, error_name(r));
    if (r < 0) fail("load_program refused a good segment");
    Mapping m = e->page_table().lookup(va);
    uint64_t got_perm = m.perm & (perm_writable | perm_no_execute | perm_user);
    uint64_t word = 0;
    bool copied = m.present && copy_from_user(*e, &word, va, sizeof word) == 0;
    env::destroy(*e, EnvEndHow::destroyed, 0);
    if (!m.present || got_perm != (want_perm | perm_user)) {
        cprintf("  page perm %lx, want %lx\n", got_perm, want_perm | perm_user);
        fail("a segment's page has the wrong permissions");
    }
    if (!copied || word != t.payload[0]) fail("a segment's bytes are not where its vaddr says");
}

}  // namespace

namespace selftest {

void loader() {
    Random rng{nonce_arg() | 1};
    const uintptr_t page = user_text_base + (rng.next() % 1024) * page_size;
    TestElf t = make_elf(rng.next());
    auto& seg = t.segments[0];

    // Permissions from the flags: PF_X 1, PF_W 2, PF_R 4.
    seg.vaddr = page;
    seg.flags = 4;
    expect_loaded(t, 1, page, perm_no_execute, "read-only data (PF_R)");
    seg.flags = 4 | 1;
    expect_loaded(t, 2, page, 0, "text (PF_R | PF_X)");
    seg.flags = 4 | 2;
    expect_loaded(t, 3, page, perm_writable | perm_no_execute, "data (PF_R | PF_W)");
    // Not page-aligned, in a page nothing else maps.
    seg.vaddr = page + 8 * (1 + rng.next() % 500);
    expect_loaded(t, 4, seg.vaddr, perm_writable | perm_no_execute, "a segment starting mid-page");
    seg.vaddr = page;

    // Sizes and places a linker would never write.
    seg.memsz = 0 - page + page_size * (1 + rng.next() % 16);   // vaddr + memsz wraps
    expect_refused(t, 5, "vaddr + memsz wraps around");
    seg.memsz = sizeof t.payload;
    seg.offset = 0 - 8 * (1 + rng.next() % 4);                  // offset + filesz wraps
    expect_refused(t, 6, "offset + filesz wraps around");
    seg.offset = sizeof t - 8;                                   // runs past the file
    expect_refused(t, 7, "the bytes run past the end of the file");
    seg.offset = offsetof(TestElf, payload);
    seg.filesz = seg.memsz + 8;
    expect_refused(t, 8, "filesz > memsz");
    seg.filesz = sizeof t.payload;
    seg.vaddr = rng.next() % page_size;
    expect_refused(t, 9, "vaddr in the null page");
    seg.vaddr = user_top - page_size;
    seg.memsz = page_size + 8 * (1 + rng.next() % 8);
    expect_refused(t, 10, "runs past user_top");
    seg.vaddr = 0xFFFF800000000000 + (rng.next() % 1024) * page_size;
    seg.memsz = sizeof t.payload;
    expect_refused(t, 11, "in the kernel half");
    qemu::exit(qemu::ExitCode::success);
}


void user_memory() {
    const UserProgram* hello = find_user_program("hello");
    Env* e;
    if (!hello || env::create(*hello, 0, 0, &e) < 0) fail("cannot build an address space from hello");
    Random rng{nonce_arg() | 1};
    auto next = [&rng] { return rng.next(); };
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
