// fuzz: a system-call fuzzer. From a seed it makes a long, reproducible
// run of system calls with hostile numbers and arguments, some from a
// hostile context (rsp and rflags), plus page faults it causes on purpose
// under varied upcall bindings, and checks every answer against a model
// of its own address space, of a few children's (from exofork), and of
// the frame table. Not graded: grade/test_fuzz.py runs it.
//
// Argument: bits 0-31 are the seed, bits 32-63 the number of system calls
// to make (0 = default_calls). Same argument, same run: reproduce one with
//   make run-fuzz-nox APPEND="arg=0x... idle=exit"
// Grader expects: exit arg ^ 0x600D, through a final SYS_exit made with
// single-stepping on and an unaligned rsp. On a failed check n (see
// Check), a line "fuzz: check n (...) failed ..." and exit
// arg ^ (0xBAD00 + n).
//
// It never ends itself, maps over or unmaps its own program, stacks or
// the pages an action in progress relies on (prepare_* redirect such
// arguments), never writes through a page it bound with page_map (it may
// share a frame with a page whose contents are checked), never makes a
// child runnable (a child's address space holds only what the fuzzer put
// there: it would die at once), and never takes a deliberate fault with a
// binding that cannot deliver it, so a run only ends early when the
// kernel is wrong. Children it made are destroyed before the final exit,
// so every frame comes back; the kernel records each of those ends as
// destroyed by the fuzzer.
#include "lib/console.hh"
#include "lib/error.hh"
#include "lib/frametable.hh"
#include "lib/pgfault.hh"
#include "lib/string.hh"
#include "lib/syscall.hh"
#include "lib/uvpt.hh"
#include "lib/slices.hh"

namespace {

// Two routes to bugs the kernel once had, kept on so they stay fixed (turn
// one off only to chase something else):
// - a `syscall` in the last two bytes of the highest user page (as code,
//   or as the upcall entry) returned to a non-canonical rip when that page
//   was the one below the hole. Now user_top stops a page short of the
//   hole: page_alloc at user_top must fail (the dictionary tries it), and
//   the graded topsyscall/topupcall programs take the old route. Off: the
//   fault model below expects its code page's successor to be unmapped
//   and its fault frame on our own stack, which the highest page breaks;
// - mapping pages anywhere, each in a fresh GiB, pinned two page-table
//   pages a time until exit; empty tables must now be freed on unmap.
constexpr bool reach_last_page_bug = false;
constexpr bool reach_table_page_bug = true;

constexpr uint64_t default_calls = 20000;
constexpr uint64_t ok_status = 0x600D, fail_base = 0xBAD00;

// Pages the fuzzer maps and unmaps at will. Nothing else lives here.
constexpr uintptr_t scratch_base = 0x100000000000;
constexpr size_t scratch_pages = 16;
// Code for the execute tests; the page after it is kept unmapped.
constexpr uintptr_t code_page = 0x100000200000;
// A GiB the fuzzer never maps on purpose, for not-present faults.
constexpr uintptr_t hole_base = 0x200000000000;
constexpr size_t far_count = 8;
// Console bytes the run may cause (the harness cuts a run off at 256 KiB).
constexpr int64_t print_budget = 16 * 1024;
// How many bytes a kernel might print for one sys_cputs of a range that
// is longer or partly unmapped, if it writes what it can of a prefix.
constexpr uint64_t assumed_cputs_cap = 4096;
// Children: at most this many live at once, each with a small model of
// its pages. The kernel prints a line (about 41 bytes) when one is
// destroyed, charged when it is made; when this allowance is spent the
// fuzzer makes no more, and the live ones stay until the end.
constexpr size_t max_children = 4;
constexpr size_t child_page_max = 8;
constexpr int64_t child_end_bytes = 48;
constexpr int64_t child_print_budget = 128 * child_end_bytes;

constexpr uint64_t page = 4096;
constexpr uint64_t prw = perm_present | perm_user | perm_writable;
constexpr uint64_t prwx_nx = prw | perm_no_execute;

// RFLAGS bits.
constexpr uint64_t fl_cf = 1 << 0, fl_zf = 1 << 6, fl_tf = 1 << 8, fl_if = 1 << 9,
                   fl_df = 1 << 10, fl_iopl = 3 << 12, fl_nt = 1 << 14, fl_rf = 1 << 16,
                   fl_ac = 1 << 18;
constexpr uint64_t fl_user_default = fl_if | 2;
// A kernel may clear these on the way back to user mode (hardening), but
// must set no bit the user did not have and change none of the others.
constexpr uint64_t fl_may_clear = fl_tf | fl_df | fl_nt | fl_ac | fl_rf;

// What a failed check means; the exit status carries the number and
// grade/test_fuzz.py has the same names.
enum Check : int {
    check_abi = 1,          // a result neither >= 0 nor an Error of lib/error.hh
    check_no_sys,           // an unknown number did not give E_NO_SYS
    check_must_fail,        // a call that had to fail succeeded
    check_must_succeed,     // a call that had to succeed failed
    check_value,            // a wrong result value
    check_regs,             // a register other than rax, rcx, r11 changed
    check_rflags,           // rflags wrong after the call
    check_rsp,              // rsp not restored
    check_memory,           // a page lost its contents, or a new page is not zero
    check_fault_missing,    // a deliberate fault never reached the handler
    check_fault_frame,      // the UTrapFrame is wrong
    check_unexpected_fault, // a page fault the fuzzer did not cause
    check_setup,            // could not set up the handler
    check_fault_regs,       // registers wrong after returning from a fault
    check_frames,           // the frame table or our page table disagrees with the model
};

// The register file the asm runners below load before their one
// instruction and store after it. Offsets are used by the asm.
struct Regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;  // 0..112
    uint64_t rsp;            // 120: loaded as is unless own_stack
    uint64_t rflags;         // 128: loaded with popfq; stored after
    uint64_t own_stack;      // 136: nonzero: run on the runner's stack (and store that rsp)
    uint64_t rflags_loaded;  // 144: rflags as popfq left them (the CPU drops some bits)
    uint64_t rsp_loaded;     // 152: the rsp the instruction ran with
};
static_assert(sizeof(Regs) == 20 * 8);

}  // namespace

// Runners: each loads a whole Regs (rflags, every general register and
// rsp), executes one instruction, and stores every register back. They
// save the caller's rsp in a global, so any rsp works while the
// instruction runs, and stack the previous global so a fault handler may
// use a runner while the interrupted one waits.
extern "C" {
void fuzz_run_syscall(Regs*);
void fuzz_run_load(Regs*);    // mov (%rdi), %rax
void fuzz_run_store(Regs*);   // mov %rsi, (%rdi)
void fuzz_run_call(Regs*);    // call *%rdi
extern char fuzz_load_at[], fuzz_load_done[], fuzz_store_at[], fuzz_store_done[];
// sys_exit(status) with rflags loaded from *slot (popfq, so rsp ends up at
// slot + 8) immediately before the `syscall`.
[[noreturn]] void fuzz_exit_with_flags(uint64_t status, uint64_t sysno, uint64_t* slot);
extern char end[];   // user/user.ld: the end of the program
}

asm(R"(
.pushsection .text
.macro FUZZ_ENTER
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    pushfq
    pushq fuzz_regs(%rip)
    pushq fuzz_saved_rsp(%rip)
    mov %rdi, fuzz_regs(%rip)
    mov %rsp, fuzz_saved_rsp(%rip)
    cmpq $0, 136(%rdi)
    je 1f
    mov %rsp, 120(%rdi)
1:  mov 120(%rdi), %rax
    mov %rax, 152(%rdi)
    pushq 128(%rdi)
    popfq
    pushfq
    popq 144(%rdi)
    mov 0(%rdi), %rax
    mov 8(%rdi), %rbx
    mov 16(%rdi), %rcx
    mov 24(%rdi), %rdx
    mov 32(%rdi), %rsi
    mov 48(%rdi), %rbp
    mov 56(%rdi), %r8
    mov 64(%rdi), %r9
    mov 72(%rdi), %r10
    mov 80(%rdi), %r11
    mov 88(%rdi), %r12
    mov 96(%rdi), %r13
    mov 104(%rdi), %r14
    mov 112(%rdi), %r15
    mov 120(%rdi), %rsp
    mov 40(%rdi), %rdi
.endm
.macro FUZZ_LEAVE
    mov %rsp, fuzz_rsp_out(%rip)
    mov fuzz_saved_rsp(%rip), %rsp
    pushfq
    mov %rdi, fuzz_rdi_out(%rip)
    mov fuzz_regs(%rip), %rdi
    popq 128(%rdi)
    mov %rax, 0(%rdi)
    mov %rbx, 8(%rdi)
    mov %rcx, 16(%rdi)
    mov %rdx, 24(%rdi)
    mov %rsi, 32(%rdi)
    mov %rbp, 48(%rdi)
    mov %r8, 56(%rdi)
    mov %r9, 64(%rdi)
    mov %r10, 72(%rdi)
    mov %r11, 80(%rdi)
    mov %r12, 88(%rdi)
    mov %r13, 96(%rdi)
    mov %r14, 104(%rdi)
    mov %r15, 112(%rdi)
    mov fuzz_rdi_out(%rip), %rax
    mov %rax, 40(%rdi)
    mov fuzz_rsp_out(%rip), %rax
    mov %rax, 120(%rdi)
    popq fuzz_saved_rsp(%rip)
    popq fuzz_regs(%rip)
    popfq
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
.endm

.globl fuzz_run_syscall
fuzz_run_syscall:
    FUZZ_ENTER
    syscall
    FUZZ_LEAVE

.globl fuzz_run_load, fuzz_load_at, fuzz_load_done
fuzz_run_load:
    FUZZ_ENTER
fuzz_load_at:
    mov (%rdi), %rax
fuzz_load_done:
    FUZZ_LEAVE

.globl fuzz_run_store, fuzz_store_at, fuzz_store_done
fuzz_run_store:
    FUZZ_ENTER
fuzz_store_at:
    mov %rsi, (%rdi)
fuzz_store_done:
    FUZZ_LEAVE

.globl fuzz_run_call
fuzz_run_call:
    FUZZ_ENTER
    call *%rdi
    FUZZ_LEAVE

# popfq sets TF for exactly the next instruction, the syscall: nothing may
# come between them, which is why rsp points at the flags already.
.globl fuzz_exit_with_flags
fuzz_exit_with_flags:
    mov %rsi, %rax
    mov %rdx, %rsp
    popfq
    syscall
    ud2

.popsection
.pushsection .bss
.balign 8
fuzz_regs: .quad 0
fuzz_saved_rsp: .quad 0
fuzz_rsp_out: .quad 0
fuzz_rdi_out: .quad 0
.popsection
)");

namespace {

// ---------------------------------------------------------------- state

// splitmix64: a tiny generator with a full 2^64 period; plenty for this.
struct Rng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }
    bool one_in(uint64_t n) { return below(n) == 0; }
};

Rng rng;
uint64_t the_arg, seed, target_calls;
int32_t own_id;
uint64_t calls, hostile_calls, faults_taken, handler_calls, iteration;
int64_t printable = print_budget;
// Per syscall number (and one slot for unknown numbers): calls, successes.
uint64_t made[SYS_count + 1], succeeded[SYS_count + 1];

// The fuzzer's model of the pages it mapped itself (at any address).
struct Page {
    uintptr_t va;
    uint64_t perm;
    bool marked;   // word 0 holds marker(va); only ever with perm_writable
    bool pinned;   // an action in progress relies on it: never remap or unmap
    bool shared;   // bound by page_map to another mapping's frame: never
                   // written through nor checked (pin_page replaces it)
};
constexpr size_t max_pages = 64;
Page pages[max_pages];
size_t page_count;
uintptr_t far_pages[far_count];
uintptr_t program_end;   // [user_text_base, this) is the program, all mapped
uint64_t frame_count;    // the frame table's, read once

// Children from exofork: never runnable, so their address spaces change
// only by our calls and the model of their pages is exact. A page's frame
// is known when we named it (page_alloc of a frame, page_map from a page
// whose frame we know); a frame_any page's is not.
constexpr uint64_t unknown_frame = UINT64_MAX, no_mapping = UINT64_MAX - 1;
struct ChildPage {
    uintptr_t va;
    uint64_t perm;
    uint64_t frame;   // or unknown_frame
};
struct Child {
    int32_t id;
    size_t page_count;
    ChildPage pages[child_page_max];
};
Child children[max_children];
size_t child_count;
// Ids of children we destroyed: stale forever (a slot's next env gets a
// new generation), so every call must refuse them.
constexpr size_t max_dead = 8;
int32_t dead_ids[max_dead];
size_t dead_count;
uint64_t children_made;
int64_t child_printable = child_print_budget;
// Read by env_set_trapframe: random registers, rip and rsp sometimes valid.
UTrapFrame trapframe_buffer;

// The upcall binding the fuzzer wants in force right now.
uintptr_t bound_entry, bound_stack_top;

// The call being made, for the failure report.
struct Call {
    uint64_t num;
    uint64_t a[5];
    int64_t result;
    bool hostile;
    uint64_t rsp, rflags;
};
Call last;

// What word 0 of a page we mapped writable holds: eight lowercase
// letters, so printing the page is harmless to a terminal.
uint64_t marker(uintptr_t va) {
    uint64_t h = (va ^ seed) * 0x9E3779B97F4A7C15ull, m = 0;
    for (int i = 0; i < 8; ++i) m |= uint64_t('a' + (h >> (8 * i)) % 26) << (8 * i);
    return m;
}

const char* check_name(int n) {
    static const char* const names[] = {
        "", "abi", "no-sys", "must-fail", "must-succeed", "value", "regs", "rflags", "rsp",
        "memory", "fault-missing", "fault-frame", "unexpected-fault", "setup", "fault-regs",
        "frames"};
    return n > 0 && n < int(sizeof names / sizeof names[0]) ? names[n] : "?";
}

[[noreturn]] void fail(Check n, const char* what, uint64_t got = 0, uint64_t want = 0) {
    printf("fuzz: check %d (%s) failed at call %lu (seed %lx, arg %lx): %s: got %lx, want %lx\n",
           n, check_name(n), calls, seed, the_arg, what, got, want);
    printf("fuzz: last call: %s num %lx args %lx %lx %lx %lx %lx -> %ld (%s)", last.hostile ? "hostile" : "plain",
           last.num, last.a[0], last.a[1], last.a[2], last.a[3], last.a[4], last.result,
           error_name(static_cast<int>(last.result)));
    if (last.hostile) printf(" rsp %lx rflags %lx", last.rsp, last.rflags);
    printf("\n");
    sys_exit(the_arg ^ (fail_base + n));
}

Page* find_page(uintptr_t va) {
    for (size_t i = 0; i < page_count; ++i)
        if (pages[i].va == va) return &pages[i];
    return nullptr;
}

void forget_page(uintptr_t va) {
    if (Page* p = find_page(va)) *p = pages[--page_count];
}

bool is_self(uint64_t id) { return id == 0 || id == static_cast<uint64_t>(own_id); }
// A live child, by the exact register value: the kernel refuses an id
// that is not a sign-extended 32-bit value, and child ids are positive.
Child* find_child(uint64_t id) {
    for (size_t i = 0; i < child_count; ++i)
        if (id == static_cast<uint64_t>(children[i].id)) return &children[i];
    return nullptr;
}
bool ours(uint64_t id) { return is_self(id) || find_child(id); }
ChildPage* find_child_page(Child& c, uintptr_t va) {
    for (size_t i = 0; i < c.page_count; ++i)
        if (c.pages[i].va == va) return &c.pages[i];
    return nullptr;
}
void forget_child_page(Child& c, uintptr_t va) {
    if (ChildPage* p = find_child_page(c, va)) *p = c.pages[--c.page_count];
}
void set_child_page(Child& c, uintptr_t va, uint64_t perm, uint64_t frame) {
    ChildPage* p = find_child_page(c, va);
    if (!p) p = &c.pages[c.page_count++];
    *p = ChildPage{va, perm, frame};
}
// An id that names nobody now: a dead child's, or our slot's next
// generation (this kernel has 1024 slots; for another it is just some id).
uint64_t stale_id() {
    if (dead_count && rng.below(2)) return static_cast<uint64_t>(dead_ids[rng.below(dead_count)]);
    return static_cast<uint64_t>(own_id) + 1024;
}
// Mappable: page-aligned, not the null page, below user_top (which leaves
// out the last page before the canonical hole).
bool user_page(uint64_t va) { return va >= user_bottom && va < user_top && va % page == 0; }
bool good_perm(uint64_t p) {
    return !(p & ~perm_allowed) && (p & (perm_present | perm_user)) == (perm_present | perm_user);
}
bool in(uintptr_t va, uintptr_t lo, uintptr_t hi) { return va >= lo && va < hi; }

// The program, its stack and exception stack: never remapped or unmapped.
bool protected_page(uintptr_t va) {
    if (in(va, user_text_base, program_end)) return true;
    if (in(va, user_stack_top - user_stack_pages * page, user_stack_top)) return true;
    if (va == exception_stack_top - exception_stack_size) return true;
    Page* p = find_page(va);
    return p && p->pinned;
}

// Is the user page at va readable, by the model?
bool readable(uintptr_t va) {
    va &= ~(page - 1);
    if (va >= user_top) return false;
    if (in(va, user_text_base, program_end)) return true;
    if (in(va, user_stack_top - user_stack_pages * page, user_stack_top)) return true;
    if (va == exception_stack_top - exception_stack_size) return true;
    return find_page(va) != nullptr;
}

// Is all of [va, va + len) readable? Stops at the first page that is not,
// so a huge len costs no more than the pages the fuzzer has.
bool range_readable(uintptr_t va, uint64_t len) {
    if (len == 0) return true;
    if (va >= user_top || len > user_top - va) return false;
    for (uintptr_t p = va & ~(page - 1); p < va + len; p += page)
        if (!readable(p)) return false;
    return true;
}

// ---------------------------------------------------------------- values

// Interesting values: boundaries of the address space, of the types the
// kernel converts to, and addresses of every kind of memory the fuzzer has.
constexpr size_t max_dict = 96;
uint64_t dict_any[max_dict], dict_addr[max_dict], dict_id[24], dict_len[24];
size_t n_any, n_addr, n_id, n_len;

void add(uint64_t* d, size_t* n, size_t cap, uint64_t v) {
    if (*n < cap) d[(*n)++] = v;
}

const char some_text[] = "fuzz: some readable bytes\n";
uint64_t some_data = 0x0123456789ABCDEF;   // .data
uint64_t some_bss[4];                      // .bss
uint64_t exit_flags_slot[4];               // for the final exit

void build_dictionaries() {
    const uint64_t addrs[] = {
        0, 1, page - 1, page, page + 1, 2 * page,
        user_top - page, user_top - 8, user_top - 2, user_top - 1, user_top, user_top + page,
        0xFFFF800000000000, 0xFFFF800000100000, 0xFFFFFFFF80000000, 0xFFFFFFFF80100000,
        0x0000800000000000, 0x8000000000000000, 0x00FF000000000000, UINT64_MAX,
        0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000,
        user_text_base, reinterpret_cast<uintptr_t>(&fuzz_run_syscall),
        reinterpret_cast<uintptr_t>(some_text), reinterpret_cast<uintptr_t>(&some_data),
        reinterpret_cast<uintptr_t>(some_bss), program_end - 1, program_end,
        user_stack_top - 8, user_stack_top - user_stack_pages * page, user_stack_top,
        reinterpret_cast<uintptr_t>(&last),
        exception_stack_top - 8, exception_stack_top - exception_stack_size, exception_stack_top,
        exception_stack_top - sizeof(UTrapFrame),
        scratch_base, scratch_base + scratch_pages * page - 1, scratch_base + scratch_pages * page,
        code_page, hole_base,
    };
    for (uint64_t a : addrs) add(dict_addr, &n_addr, max_dict, a);
    for (uintptr_t f : far_pages) add(dict_addr, &n_addr, max_dict, f);

    const uint64_t ids[] = {0,
                            static_cast<uint64_t>(own_id),
                            (1ull << 32) | static_cast<uint32_t>(own_id),
                            0xFFFFFFFF00000000ull | static_cast<uint32_t>(own_id),
                            static_cast<uint64_t>(own_id) + 1024,   // our slot, next generation
                            static_cast<uint64_t>(own_id) + 64,
                            static_cast<uint64_t>(own_id) + 1,    // the next slot: our first child's
                            1, 2, 63, 64, 65, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                            UINT64_MAX, 0x8000000000000000};
    for (uint64_t v : ids) add(dict_id, &n_id, 24, v);

    const uint64_t lens[] = {0, 1, 2, 7, 8, 255, 256, 257, page - 1, page, page + 1, 2 * page,
                             1 << 20, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1ull << 32,
                             user_top, user_top - 1, INT64_MAX, UINT64_MAX, 0x8000000000000000};
    for (uint64_t v : lens) add(dict_len, &n_len, 24, v);

    for (size_t i = 0; i < n_addr; ++i) add(dict_any, &n_any, max_dict, dict_addr[i]);
    const uint64_t more[] = {INT64_MAX, static_cast<uint64_t>(INT64_MIN), 2, 3, 4, 0x7F, 0xFF,
                             static_cast<uint64_t>(own_id), 0xFFFFFFFF80000000ull | 0x7FFFFFFF,
                             0x0000FFFFFFFFFFFF, SYS_count, 0x600D};
    for (uint64_t v : more) add(dict_any, &n_any, max_dict, v);
}

uint64_t near(uint64_t v) {
    static const int64_t deltas[] = {1, -1, 8, -8, int64_t(page), -int64_t(page)};
    return v + deltas[rng.below(6)];
}

uint64_t scratch_va() { return scratch_base + rng.below(scratch_pages) * page; }

uint64_t far_va() {
    if (reach_table_page_bug && rng.one_in(2))
        return (0x0000008000000000 + rng.below(0x00007F0000000000 - 0x0000008000000000)) & ~(page - 1);
    return far_pages[rng.below(far_count)];
}

// Argument kinds: what a syscall table row says each argument is.
enum class Arg : uint8_t { any, envid, va, len, perm };

uint64_t gen(Arg kind) {
    uint64_t r = rng.below(100);
    switch (kind) {
    case Arg::envid:
        if (r < 15 && child_count) return static_cast<uint64_t>(children[rng.below(child_count)].id);
        if (r < 18 && dead_count) return static_cast<uint64_t>(dead_ids[rng.below(dead_count)]);
        if (r < 48) return 0;
        if (r < 68) return static_cast<uint64_t>(own_id);
        if (r < 90) return dict_id[rng.below(n_id)];
        break;
    case Arg::va:
        if (r < 30) return scratch_va();
        if (r < 35) return scratch_va() + rng.below(page);
        if (r < 42) return far_va();
        if (r < 72) return dict_addr[rng.below(n_addr)];
        if (r < 85) return near(dict_addr[rng.below(n_addr)]);
        break;
    case Arg::len:
        if (r < 55) return rng.below(33);
        if (r < 65) return rng.below(page + 1);
        if (r < 85) return dict_len[rng.below(n_len)];
        break;
    case Arg::perm: {
        if (r < 85) {
            uint64_t p = rng.next() & (perm_present | perm_writable | perm_user);
            if (rng.below(2)) p |= perm_no_execute;
            if (r < 60) p |= perm_present | perm_user;
            // The software bits 9-11 grant nothing and are allowed.
            if (rng.one_in(4)) p |= rng.next() & perm_software;
            if (rng.one_in(8)) {
                // A bit nobody may ask for: 3-8 (cache, accessed, dirty,
                // large, global) or 52-62.
                static const uint8_t bad_bits[] = {3, 4, 5, 6, 7, 8, 52, 55, 58, 59, 62};
                p |= 1ull << bad_bits[rng.below(sizeof bad_bits)];
            }
            return p;
        }
        break;
    }
    case Arg::any: break;
    }
    // Anything at all.
    r = rng.below(100);
    if (r < 45) return dict_any[rng.below(n_any)];
    if (r < 65) return near(dict_any[rng.below(n_any)]);
    if (r < 80) return rng.below(256);
    return rng.next();
}

uint64_t hostile_rsp() {
    static const uint64_t values[] = {0, 1, 8, 0xFFFF800000000000, 0xFFFFFFFF80000000,
                                      0xFFFFFFFF80100000, 0xFFFFFFFFFFFFFFF8, 0x0000800000000000,
                                      0x8000000000000000, 0x00FF00FF00FF00FF, user_top - 8,
                                      user_top - 2, user_stack_top - 3, exception_stack_top - 1};
    uint64_t r = rng.below(8);
    if (r < 6) return values[rng.below(sizeof values / sizeof values[0])];
    if (r < 7) return gen(Arg::va) | rng.below(8);
    return rng.next();
}

// Any flags user code can set, except TF (a single-step trap would kill
// the program: only page faults are reflected). popfq leaves IF and IOPL
// alone in ring 3; we try to change them anyway.
uint64_t hostile_rflags() { return (rng.next() & 0x3FFFFF & ~fl_tf) | 2; }

// ---------------------------------------------------------------- making calls

// Random values for the registers a call does not use; all must survive.
void fill_junk(Regs& g) {
    uint64_t j = rng.next();
    g.rbx = j;
    g.rbp = j * 3;
    g.rcx = ~j;
    g.r9 = j ^ 0x9999999999999999;
    g.r11 = j + 11;
    g.r12 = j ^ 0x1212121212121212;
    g.r13 = j * 13;
    g.r14 = j ^ 0x1414141414141414;
    g.r15 = j * 15;
}

// Every register but rax, rcx and r11 must come back as it went in; rsp
// too. rflags: see fl_may_clear, and never IOPL > 0 or IF = 0 in ring 3.
void check_after(const Regs& in, const Regs& out, Check regs_check) {
    const uint64_t want[] = {in.rbx, in.rdx, in.rsi, in.rdi, in.rbp, in.r8, in.r9, in.r10,
                             in.r12, in.r13, in.r14, in.r15};
    const uint64_t got[] = {out.rbx, out.rdx, out.rsi, out.rdi, out.rbp, out.r8, out.r9, out.r10,
                            out.r12, out.r13, out.r14, out.r15};
    static const char* const names[] = {"rbx", "rdx", "rsi", "rdi", "rbp", "r8",
                                        "r9",  "r10", "r12", "r13", "r14", "r15"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; ++i)
        if (got[i] != want[i]) fail(regs_check, names[i], got[i], want[i]);
    if (out.rsp != in.rsp) fail(check_rsp, "rsp", out.rsp, in.rsp);
    uint64_t before = out.rflags_loaded, after = out.rflags;
    if (!(after & fl_if) || (after & fl_iopl)) fail(check_rflags, "IF or IOPL", after, before);
    if ((after & ~before & ~fl_rf) || (before & ~after & ~fl_may_clear))
        fail(check_rflags, "rflags", after, before);
}

// Makes one system call through fuzz_run_syscall and checks the
// registers; returns rax.
int64_t issue(uint64_t num, const uint64_t (&a)[5], bool hostile) {
    Regs g{};
    g.rax = num;
    g.rdi = a[0];
    g.rsi = a[1];
    g.rdx = a[2];
    g.r10 = a[3];
    g.r8 = a[4];
    fill_junk(g);
    if (hostile) {
        g.rsp = hostile_rsp();
        g.rflags = hostile_rflags();
        ++hostile_calls;
    } else {
        g.own_stack = 1;
        g.rflags = fl_user_default;
    }
    last = Call{num, {a[0], a[1], a[2], a[3], a[4]}, 0, hostile, g.rsp, g.rflags};
    Regs in = g;
    fuzz_run_syscall(&g);
    ++calls;
    last.result = static_cast<int64_t>(g.rax);
    in.rsp = g.rsp_loaded;
    check_after(in, g, check_regs);
    return last.result;
}

int64_t plain(uint64_t num, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0) {
    const uint64_t a[5] = {a0, a1, a2, 0, 0};
    return issue(num, a, false);
}

void must_succeed(int64_t r, const char* what) {
    if (r < 0) fail(check_must_succeed, what, static_cast<uint64_t>(r), 0);
}

// Writes the marker into a page we mapped writable, after checking that
// the new page came zeroed.
void take_new_page(uintptr_t va, uint64_t perm) {
    auto* w = reinterpret_cast<volatile uint64_t*>(va);
    if (w[0] != 0 || w[page / 8 - 1] != 0) fail(check_memory, "a new page is not zeroed", w[0], 0);
    Page* p = find_page(va);
    if (!p) {
        p = &pages[page_count++];
        *p = Page{va, 0, false, false, false};
    }
    p->perm = perm;
    p->marked = perm & perm_writable;
    p->shared = false;
    if (p->marked) w[0] = marker(va);
}

// A frame we freed lately (or no_mapping): the kernel pushed it on its
// free list, so it and those after it are cheap to name (see pick_frame).
uint64_t freed_frame = no_mapping;

// After va's mapping of frame went away: note the frame if that freed it.
void note_freed(uint64_t frame) {
    if (frame < frame_count && frametable::is_free(frame)) freed_frame = frame;
}

void unmap_page(uintptr_t va) {
    uint64_t frame = uvpt::frame_of(va);
    must_succeed(plain(SYS_page_unmap, 0, va), "page_unmap for an action");
    forget_page(va);
    note_freed(frame);
}

void bind_upcall(uintptr_t entry, uintptr_t stack_top) {
    must_succeed(plain(SYS_set_upcall, 0, entry, stack_top), "set_upcall");
    bound_entry = entry;
    bound_stack_top = stack_top;
}

// Makes room in the model before a call may map one more page.
void make_room() {
    while (page_count >= max_pages - 4) {
        size_t i = rng.below(page_count);
        if (pages[i].pinned) continue;
        unmap_page(pages[i].va);
    }
}

void make_child_room(Child& c) {
    while (c.page_count >= child_page_max) {
        uintptr_t va = c.pages[rng.below(c.page_count)].va;
        must_succeed(plain(SYS_page_unmap, static_cast<uint64_t>(c.id), va), "page_unmap in a child");
        forget_child_page(c, va);
    }
}

// Every page of the model is mapped, and its frame is charged to a live
// env of ours and referenced: a frame a dead child owned was handed over.
void check_frame_owners() {
    for (size_t i = 0; i < page_count; ++i) {
        uintptr_t va = pages[i].va;
        if (!uvpt::mapped(va)) fail(check_frames, "a page of the model is not mapped", va, 0);
        uint64_t f = uvpt::frame_of(va);
        if (f >= frame_count) fail(check_frames, "a page maps a frame past the table", f, frame_count);
        int32_t owner = frametable::owner(f);
        if (owner != own_id && !find_child(static_cast<uint32_t>(owner)))
            fail(check_frames, "a mapped frame's owner", static_cast<uint32_t>(owner), own_id);
        if (frametable::refcount(f) == 0) fail(check_frames, "a mapped frame's refcount", 0, 1);
    }
}

// Every page we mapped writable still holds its marker, every read-only
// one its zeros: the kernel mixed up no mapping.
void verify_pages() {
    for (size_t i = 0; i < page_count; ++i) {
        auto* w = reinterpret_cast<volatile uint64_t*>(pages[i].va);
        uint64_t want = pages[i].marked ? marker(pages[i].va) : 0;
        if (pages[i].shared) continue;                                     // another page's frame
        if (pages[i].perm & perm_writable && !pages[i].marked) continue;   // code or a stack
        if (w[0] != want) fail(check_memory, "a mapped page changed", w[0], want);
    }
    check_frame_owners();
}

// ---------------------------------------------------------------- the syscall table

// One row per system call: its argument kinds (unused registers get
// junk), how often to pick it, a filter for arguments the fuzzer must not
// send itself, and the check of the result (which also updates the
// model). A later lab's syscall is one more row: the static_assert below
// fails until every number below SYS_count has one.
struct Outcome {
    uint64_t a[5];
    int64_t r;
    size_t cost;          // cputs: console bytes it may print
    bool frame_free;      // page_alloc: the frame named was free just before
    uint64_t src_frame;   // page_map: the source's frame, or unknown_frame
    uint32_t src_refs;    // page_map: its refcount just before
    uint64_t old_frame;   // page_map: what dstva mapped, no_mapping, or unknown_frame
    bool slot_ok;         // slice_alloc: the slot was free; slice_free: it was the target's;
                          // frame_release: the frame was ours
};
struct SyscallSpec {
    uint64_t num;
    const char* name;
    Arg args[5];
    unsigned weight;              // 0: never made at random
    void (*prepare)(uint64_t (&a)[5], Outcome& o);
    void (*check)(const Outcome& o);
};

void no_prepare(uint64_t (&)[5], Outcome&) {}
void must_fail_unless(bool allowed, const Outcome& o, const char* what) {
    if (!allowed && o.r >= 0) fail(check_must_fail, what, static_cast<uint64_t>(o.r), 0);
}

// Bytes a terminal shows as they are (NUL shows nothing): the fuzzer
// never has the kernel print anything else, so replaying a run in a
// terminal leaves it working.
bool harmless(char c) { return c == 0 || c == '\n' || (c >= ' ' && c <= '~'); }

void prepare_cputs(uint64_t (&a)[5], Outcome& o) {
    uintptr_t s = a[0];
    if (a[1] == 0 || !readable(s)) return;   // prints nothing
    // What a kernel may print: all of a readable range, else (if it
    // writes what it can) a prefix up to some cap.
    uint64_t reach = range_readable(s, a[1]) || a[1] < assumed_cputs_cap ? a[1] : assumed_cputs_cap;
    uint64_t n = 0;
    while (n < reach && readable(s + n)) {
        const char* bytes = reinterpret_cast<const char*>(s + n);
        uint64_t in_page = page - (s + n) % page, i = 0;
        if (in_page > reach - n) in_page = reach - n;
        while (i < in_page && harmless(bytes[i])) ++i;
        n += i;
        if (i < in_page) {
            a[1] = n;   // stop before the first harmful byte
            break;
        }
    }
    if (static_cast<int64_t>(n) > printable) {
        a[1] = 0;
        n = 0;
    }
    o.cost = n;
}
void check_cputs(const Outcome& o) {
    uintptr_t s = o.a[0];
    uint64_t len = o.a[1];
    printable -= o.r > static_cast<int64_t>(o.cost) ? o.r : o.cost;
    bool all = range_readable(s, len);
    // A bad first byte can print nothing. (A kernel may write a prefix of
    // a longer range and return how much, so the start decides.)
    if (len > 0 && !readable(s)) must_fail_unless(false, o, "cputs from unmapped memory");
    // A short range is surely under any cap: all of it is checked.
    if (len <= 256 && !all) must_fail_unless(false, o, "cputs of a range with unmapped bytes");
    // (With len 0 nothing is read: either answer is right.)
    if (all && len > 0 && len <= 256) must_succeed(o.r, "cputs of mapped bytes");
    if (o.r > 0 && static_cast<uint64_t>(o.r) > len) fail(check_value, "cputs wrote more than len", o.r, len);
}

void check_cgetc(const Outcome& o) {
    if (o.r < 0 || o.r > 255) fail(check_value, "cgetc", o.r, 0);
}
void check_getenvid(const Outcome& o) {
    if (o.r != own_id) fail(check_value, "getenvid", o.r, own_id);
}
void check_exit(const Outcome&) { fail(check_value, "exit returned", 0, 0); }

void remember_dead(int32_t id) {
    static size_t next;
    dead_ids[next++ % max_dead] = id;
    if (dead_count < max_dead) ++dead_count;
}

void forget_child(Child* c) {
    remember_dead(c->id);
    *c = children[--child_count];
}

void prepare_env_destroy(uint64_t (&a)[5], Outcome&) {
    // Not ourselves: our own id with bits above 32, or a stale id.
    if (is_self(a[0])) a[0] = rng.below(2) ? (a[0] | (1ull << 32)) : stale_id();
    // A child mostly survives (the same disguises instead): the other
    // calls aim at live ones, and each end costs a console line (slow
    // under TCG: about as long as a thousand calls).
    else if (find_child(a[0]) && !rng.one_in(32)) a[0] = rng.below(2) ? (a[0] | (1ull << 32)) : stale_id();
}
void check_env_destroy(const Outcome& o) {
    Child* c = find_child(o.a[0]);
    // We are not the target; a child of ours must go.
    must_fail_unless(c, o, "env_destroy of an env that is not ours");
    if (!c) return;
    must_succeed(o.r, "env_destroy of a child");
    forget_child(c);
    // Frames it owned that we map are ours now.
    check_frame_owners();
}
void check_yield(const Outcome& o) {
    if (o.r != 0) fail(check_value, "yield", o.r, 0);
}

// Our program and stacks are never the target; a random unpinned
// scratch page is instead. a[env], a[va]: the target and the page.
void redirect_protected(uint64_t (&a)[5], int env = 0, int va = 1) {
    if (!is_self(a[env]) || !user_page(a[va]) || !protected_page(a[va])) return;
    do a[va] = scratch_va();
    while (protected_page(a[va]));
}

// Makes room in the model of the env at a[env] for a page at a[va], if
// the call may map one there.
void make_room_for(const uint64_t (&a)[5], int env, int va, bool args_ok) {
    if (!args_ok || !user_page(a[va])) return;
    if (is_self(a[env]) && !find_page(a[va])) make_room();
    if (Child* c = find_child(a[env]); c && !find_child_page(*c, a[va])) make_child_room(*c);
}

// page_alloc's frame: mostly frame_any; else a number, below the count
// or past it. The kernel walks its free list to a named frame, and far
// down the list that costs about a millisecond under TCG, so a free frame
// is mostly one we freed lately or a few links after it (near the head,
// and unlinked from the middle of the list), and only rarely any frame
// at all. Taken ones: near a frame we map (ours, a child's, the kernel's).
uint64_t pick_frame() {
    uint64_t r = rng.below(100);
    if (r < 70) return frame_any;
    if (r < 71) return rng.below(frame_count);
    bool have_freed = freed_frame < frame_count && frametable::is_free(freed_frame);
    if (r < 92) {
        if (r < 80) {
            uintptr_t va = page_count ? pages[rng.below(page_count)].va : user_text_base;
            uint64_t f = uvpt::frame_of(va) + rng.below(33) - 16;   // may wrap: past the count
            if (f >= frame_count || !frametable::is_free(f)) return f;
        }
        if (!have_freed) return frame_any;
        uint64_t f = freed_frame;
        for (uint64_t steps = rng.below(8); steps > 0 && frametable::at(f).next_free != no_frame; --steps)
            f = frametable::at(f).next_free;
        return f;
    }
    static const uint64_t past[] = {0, 1, 2, 1ull << 32, 1ull << 52, UINT64_MAX, 0x8000000000000000};
    return frame_count + past[rng.below(sizeof past / sizeof past[0])];
}

void prepare_page_alloc(uint64_t (&a)[5], Outcome& o) {
    redirect_protected(a);
    make_room_for(a, 0, 1, good_perm(a[2]));
    // After make_room, which frees frames.
    a[3] = pick_frame();
    o.frame_free = a[3] < frame_count && frametable::is_free(a[3]);
}
// The PTE our self-map shows for va carries exactly the rights asked for.
void check_pte(uintptr_t va, uint64_t perm, const char* what) {
    uint64_t have = uvpt::pte_of(va) & perm_allowed;
    if (have != perm) fail(check_frames, what, have, perm);
}
void check_page_alloc(const Outcome& o) {
    uint64_t va = o.a[1], perm = o.a[2], frame = o.a[3];
    Child* c = find_child(o.a[0]);
    bool valid = (is_self(o.a[0]) || c) && user_page(va) && good_perm(perm);
    bool named = frame != frame_any;
    bool frame_ok = !named || (frame < frame_count && o.frame_free);
    must_fail_unless(valid && frame_ok, o, "page_alloc with a bad env, va, perm or frame");
    if (!valid) return;
    if (!frame_ok) {
        int64_t want = frame >= frame_count ? E_INVAL : E_BUSY;
        if (o.r != want) fail(check_value, "page_alloc of a frame it cannot have", o.r, want);
        return;
    }
    must_succeed(o.r, "page_alloc");
    int32_t owner = c ? c->id : own_id;
    if (named && frametable::owner(frame) != owner)
        fail(check_frames, "owner of the frame asked for", frametable::owner(frame), owner);
    if (c) {
        set_child_page(*c, va, perm, named ? frame : unknown_frame);
        return;
    }
    uint64_t got = uvpt::frame_of(va);
    if (named && got != frame) fail(check_frames, "page_alloc mapped another frame", got, frame);
    if (frametable::owner(got) != own_id) fail(check_frames, "owner of a new page", frametable::owner(got), own_id);
    if (frametable::refcount(got) != 1) fail(check_frames, "refcount of a new page", frametable::refcount(got), 1);
    check_pte(va, perm, "rights of a new page");
    take_new_page(va, perm);
}

void prepare_page_unmap(uint64_t (&a)[5], Outcome& o) {
    redirect_protected(a);
    o.old_frame = is_self(a[0]) && user_page(a[1]) && uvpt::mapped(a[1]) ? uvpt::frame_of(a[1]) : no_mapping;
}
void check_page_unmap(const Outcome& o) {
    Child* c = find_child(o.a[0]);
    bool valid = (is_self(o.a[0]) || c) && user_page(o.a[1]);
    must_fail_unless(valid, o, "page_unmap with a bad env or va");
    if (!valid) return;
    must_succeed(o.r, "page_unmap");
    if (c) return forget_child_page(*c, o.a[1]);
    forget_page(o.a[1]);
    if (uvpt::mapped(o.a[1])) fail(check_frames, "a page still mapped after page_unmap", o.a[1], 0);
    note_freed(o.old_frame);
}

void check_set_upcall(const Outcome& o) {
    must_fail_unless(ours(o.a[0]), o, "set_upcall of an env that is not ours");
    if (!ours(o.a[0])) return;
    must_succeed(o.r, "set_upcall");
    // Any binding is accepted (it is checked when used); put ours back
    // before anything can fault. A child's never runs.
    if (is_self(o.a[0])) bind_upcall(bound_entry, bound_stack_top);
}

// Children: a few at a time, within the console allowance (see
// child_print_budget); random_syscall makes no exofork otherwise.
bool may_fork() { return child_count < max_children && child_printable >= child_end_bytes; }
void check_exofork(const Outcome& o) {
    must_succeed(o.r, "exofork");
    bool stale = false;
    for (size_t i = 0; i < dead_count; ++i) stale = stale || o.r == dead_ids[i];
    if (o.r > INT32_MAX || o.r == own_id || find_child(o.r) || stale)
        fail(check_value, "exofork's child id", o.r, 0);
    children[child_count++] = Child{static_cast<int32_t>(o.r), 0, {}};
    child_printable -= child_end_bytes;
    ++children_made;
}

void prepare_set_status(uint64_t (&a)[5], Outcome&) {
    uint64_t r = rng.below(10);
    if (r < 4) a[1] = env_runnable;
    else if (r < 8) a[1] = env_not_runnable;
    // A child made runnable would run with no program: never.
    if (find_child(a[0]) && a[1] == env_runnable) a[1] = env_not_runnable;
}
void check_set_status(const Outcome& o) {
    // Our own status is not ours to set: E_INVAL, whatever the status.
    if (is_self(o.a[0]) && o.r != E_INVAL) fail(check_value, "env_set_status of ourselves", o.r, E_INVAL);
    Child* c = find_child(o.a[0]);
    bool status_ok = o.a[1] == env_runnable || o.a[1] == env_not_runnable;
    must_fail_unless(c && status_ok, o, "env_set_status of an env not a child, or a bad status");
    if (c && status_ok) must_succeed(o.r, "env_set_status of a child");
    if (c && !status_ok && o.r != E_INVAL) fail(check_value, "env_set_status with a bad status", o.r, E_INVAL);
}

// Random registers; rip and rsp each sometimes at or past their limits.
void fill_trapframe_buffer() {
    auto* w = reinterpret_cast<uint64_t*>(&trapframe_buffer);
    for (size_t i = 0; i < sizeof(UTrapFrame) / 8; ++i) w[i] = rng.next();
    static const uint64_t rips[] = {user_top - 1, user_top, user_top + 1, 0, 0x0000800000000000,
                                    0xFFFF800000000000, 0xFFFFFFFF80100000, user_text_base};
    static const uint64_t rsps[] = {user_top, user_top + 1, user_top + page, 0, user_stack_top,
                                    0x0000800000000000, UINT64_MAX, 0xFFFFFFFF80000000};
    uint64_t r = rng.below(4);
    if (r < 2) trapframe_buffer.rip = rng.below(user_top);
    else if (r < 3) trapframe_buffer.rip = rips[rng.below(sizeof rips / sizeof rips[0])];
    r = rng.below(4);
    if (r < 2) trapframe_buffer.rsp = rng.below(user_top + 1);
    else if (r < 3) trapframe_buffer.rsp = rsps[rng.below(sizeof rsps / sizeof rsps[0])];
}
void prepare_set_trapframe(uint64_t (&a)[5], Outcome&) {
    if (rng.below(2)) {
        fill_trapframe_buffer();
        a[1] = reinterpret_cast<uintptr_t>(&trapframe_buffer);
    }
}
// The rip or rsp word at va: known when it is in the buffer or in a page
// of the model (no other memory we might point at stays put while a
// call is made: the runner writes our globals and stacks).
bool stable_word(uintptr_t va, uint64_t* value) {
    uintptr_t buffer = reinterpret_cast<uintptr_t>(&trapframe_buffer);
    bool in_buffer = in(va, buffer, buffer + sizeof(UTrapFrame) - 7);
    bool in_model = find_page(va & ~(page - 1)) && find_page((va + 7) & ~(page - 1));
    if (!in_buffer && !in_model) return false;
    memcpy(value, reinterpret_cast<const void*>(va), 8);
    return true;
}
void check_set_trapframe(const Outcome& o) {
    // Only a child's registers may be set: ours are E_INVAL.
    if (is_self(o.a[0]) && o.r != E_INVAL) fail(check_value, "env_set_trapframe of ourselves", o.r, E_INVAL);
    Child* c = find_child(o.a[0]);
    uintptr_t va = o.a[1];
    bool readable_regs = range_readable(va, sizeof(UTrapFrame));
    must_fail_unless(c && readable_regs, o, "env_set_trapframe of an env not a child, or from unmapped memory");
    if (!c) return;
    if (!readable_regs) {
        if (o.r != E_FAULT) fail(check_value, "env_set_trapframe from unmapped memory", o.r, E_FAULT);
        return;
    }
    uint64_t rip, rsp;
    if (!stable_word(va + offsetof(UTrapFrame, rip), &rip) || !stable_word(va + offsetof(UTrapFrame, rsp), &rsp)) {
        // Registers we cannot know: either answer, but only for them.
        if (o.r < 0 && o.r != E_INVAL) fail(check_value, "env_set_trapframe from mapped memory", o.r, E_INVAL);
        return;
    }
    bool regs_ok = rip < user_top && rsp <= user_top;
    if (regs_ok) must_succeed(o.r, "env_set_trapframe of a child");
    else if (o.r != E_INVAL) fail(check_value, "env_set_trapframe with a bad rip or rsp", o.r, E_INVAL);
}

// page_map may drop rights (writable, executable), never add them.
bool amplifies(uint64_t have, uint64_t want) {
    return ((want & perm_writable) && !(have & perm_writable)) ||
           (!(want & perm_no_execute) && (have & perm_no_execute));
}

// A page mapped in the env at id, chosen at random, or 0 if it has none.
uintptr_t mapped_va(uint64_t id) {
    if (Child* c = find_child(id)) return c->page_count ? c->pages[rng.below(c->page_count)].va : 0;
    if (!is_self(id)) return 0;
    if (page_count && rng.below(4)) return pages[rng.below(page_count)].va;
    if (rng.below(4)) return user_text_base + rng.below((program_end - user_text_base) / page) * page;
    return user_stack_top - (1 + rng.below(user_stack_pages)) * page;
}

// What the model says of the source page: absent, or mapped with perm
// known (a page we mapped: *perm) or not (our program and stacks).
enum class Source { absent, known, unknown };
Source source_of(uint64_t id, uintptr_t va, uint64_t* perm) {
    if (Child* c = find_child(id)) {
        ChildPage* p = find_child_page(*c, va);
        if (p) *perm = p->perm;
        return p ? Source::known : Source::absent;
    }
    if (Page* p = find_page(va)) {
        *perm = p->perm;
        return Source::known;
    }
    return readable(va) ? Source::unknown : Source::absent;
}

// The frame our self-map, or the child model, has at va: no_mapping,
// unknown_frame, or a number. va must be a user page.
uint64_t frame_at(uint64_t id, uintptr_t va) {
    if (Child* c = find_child(id)) {
        ChildPage* p = find_child_page(*c, va);
        return p ? p->frame : no_mapping;
    }
    return uvpt::mapped(va) ? uvpt::frame_of(va) : no_mapping;
}

void prepare_page_map(uint64_t (&a)[5], Outcome& o) {
    // Mostly a source that is mapped, so that calls get past the guard.
    if (rng.below(2))
        if (uintptr_t va = mapped_va(a[0])) a[1] = va;
    // Sometimes a page onto itself: the frame must survive.
    if (rng.one_in(8)) {
        a[2] = a[0];
        a[3] = a[1];
    }
    redirect_protected(a, 2, 3);
    uint64_t have = 0;
    bool src_ok = ours(a[0]) && user_page(a[1]);
    Source src = src_ok ? source_of(a[0], a[1], &have) : Source::absent;
    // Often the source's rights, some dropped: amplification is rarer.
    if (src == Source::known && rng.below(2)) {
        a[4] = have & ~(rng.below(2) ? perm_writable : 0);
        if (rng.below(2)) a[4] |= perm_no_execute;
        a[4] = (a[4] & ~perm_software) | (rng.next() & perm_software);
    }
    // The source stays mapped while room is made for the destination.
    Page* s = is_self(a[0]) ? find_page(a[1]) : nullptr;
    bool was_pinned = s && s->pinned;
    if (s) s->pinned = true;
    make_room_for(a, 2, 3, src != Source::absent && good_perm(a[4]));
    if (s) s->pinned = was_pinned;
    // Last: making room unmaps pages, which moves counts.
    o.src_frame = src == Source::absent ? unknown_frame : frame_at(a[0], a[1]);
    o.src_refs = o.src_frame < frame_count ? frametable::refcount(o.src_frame) : 0;
    o.old_frame = ours(a[2]) && user_page(a[3]) ? frame_at(a[2], a[3]) : unknown_frame;
}

void check_page_map(const Outcome& o) {
    uint64_t src_id = o.a[0], srcva = o.a[1], dst_id = o.a[2], dstva = o.a[3], perm = o.a[4];
    bool valid = ours(src_id) && ours(dst_id) && user_page(srcva) && user_page(dstva) && good_perm(perm);
    must_fail_unless(valid, o, "page_map with a bad env, va or perm");
    if (!valid) return;
    uint64_t have = 0;
    Source src = source_of(src_id, srcva, &have);
    if (src == Source::absent) {
        if (o.r != E_INVAL) fail(check_value, "page_map from an unmapped page", o.r, E_INVAL);
        return;
    }
    if (src == Source::known && amplifies(have, perm)) {
        if (o.r != E_PERM) fail(check_value, "page_map adding rights", o.r, E_PERM);
        return;
    }
    // A program or stack page: its rights are not in the model, so only
    // amplification may refuse it.
    if (src == Source::unknown && o.r < 0) {
        if (o.r != E_PERM) fail(check_value, "page_map from our program or stack", o.r, E_PERM);
        return;
    }
    must_succeed(o.r, "page_map");

    // The source's frame, now bound at dstva too, gained a reference
    // unless dstva held it already.
    uint64_t frame = o.src_frame;
    if (frame != unknown_frame) {
        if (frametable::owner(frame) == owner_free) fail(check_frames, "page_map freed the frame", frame, 0);
        if (o.old_frame != unknown_frame) {
            uint32_t want = o.src_refs + (o.old_frame == frame ? 0 : 1);
            if (frametable::refcount(frame) != want)
                fail(check_frames, "refcount after page_map", frametable::refcount(frame), want);
        }
    }
    if (Child* c = find_child(dst_id)) return set_child_page(*c, dstva, perm, frame);

    uint64_t got = uvpt::frame_of(dstva);
    if (frame != unknown_frame && got != frame) fail(check_frames, "page_map bound another frame", got, frame);
    check_pte(dstva, perm, "rights after page_map");
    // A child's frame_any page: we know its frame now.
    if (Child* c = find_child(src_id); c && frame == unknown_frame) find_child_page(*c, srcva)->frame = got;
    Page* p = find_page(dstva);
    if (!p) {
        p = &pages[page_count++];
        *p = Page{dstva, 0, false, false, true};
    }
    // Onto itself, a marked page that stays writable keeps its marker
    // (same frame, same contents); anything else now shares a frame.
    bool same = is_self(src_id) && srcva == dstva;
    if (!(same && p->marked && (perm & perm_writable))) {
        p->marked = false;
        p->shared = true;
    }
    p->perm = perm;
}

// IPC (Lab 5). Nobody here ever waits in ipc_recv, so every send must
// fail and bind nothing; a receive that could succeed would block the
// fuzzer for good, so it is only ever made with a dstva it must refuse.
bool ipc_dstva_ok(uint64_t va) { return va == ipc_no_page || user_page(va); }
void prepare_ipc_recv(uint64_t (&a)[5], Outcome&) {
    if (ipc_dstva_ok(a[0])) a[0] = rng.below(2) ? (a[0] | (1 + rng.below(4095))) : user_top + page * rng.below(64);
}
void check_ipc_recv(const Outcome& o) {
    if (o.r != E_INVAL) fail(check_value, "ipc_recv of a bad dstva", o.r, E_INVAL);
}
void check_ipc_send(const Outcome& o) {
    must_fail_unless(false, o, "ipc_send to an env that is not receiving");
    check_frame_owners();
}

// Time slices (Lab 6). We never give up our own slots (we would stop
// running) nor register slice upcalls for ourselves (a slice would end in
// whatever a random entry names); our children never run, so anything
// goes for them. Nobody else is runnable, so every yield_to must fail.
int32_t target_id(uint64_t a) { return is_self(a) ? own_id : static_cast<int32_t>(a); }
uint64_t slot_arg() {
    uint64_t r = rng.below(100);
    if (r < 30) return slot_any;
    if (r < 80) return rng.below(slice_slots);
    return slice_slots + rng.below(r < 90 ? 64 : ~0ull - slice_slots);
}
void prepare_slice_alloc(uint64_t (&a)[5], Outcome& o) {
    a[1] = slot_arg();
    o.slot_ok = a[1] == slot_any || (a[1] < slice_slots && slices::table().owner[a[1]] == owner_free);
}
void check_slice_alloc(const Outcome& o) {
    bool valid = ours(o.a[0]) && o.slot_ok;
    must_fail_unless(valid, o, "slice_alloc of an env not ours, or of a taken or missing slot");
    if (o.r < 0) {
        if (valid && o.r != E_NO_SLOT) fail(check_value, "slice_alloc", o.r, E_NO_SLOT);
        return;
    }
    uint64_t slot = static_cast<uint64_t>(o.r);
    if (slot >= slice_slots || (o.a[1] != slot_any && slot != o.a[1]) ||
        slices::table().owner[slot] != target_id(o.a[0]))
        fail(check_value, "slice_alloc gave a slot the vector does not show", o.r, o.a[1]);
    // Give it back: a full vector would leave new children with none.
    must_succeed(sys_slice_free(target_id(o.a[0]), slot), "slice_free of a slot just allocated");
}
void prepare_slice_free(uint64_t (&a)[5], Outcome& o) {
    a[1] = slot_arg();
    if (is_self(a[0]) && a[1] < slice_slots && slices::table().owner[a[1]] == own_id) a[1] += slice_slots;
    o.slot_ok = a[1] < slice_slots && slices::table().owner[a[1]] == target_id(a[0]);
}
void check_slice_free(const Outcome& o) {
    must_fail_unless(ours(o.a[0]) && o.slot_ok, o, "slice_free of a slot the env does not own");
    if (o.r >= 0 && slices::table().owner[o.a[1]] != owner_free)
        fail(check_value, "a slot still owned after slice_free", o.a[1], 0);
}
void prepare_set_slice_upcalls(uint64_t (&a)[5], Outcome&) {
    if (is_self(a[0]) && a[1] != 0) {   // refused instead: a prologue with no epilogue
        a[1] = 0;
        if (a[2] == 0) a[2] = 1;
    }
}
void check_set_slice_upcalls(const Outcome& o) {
    uint64_t epilogue = o.a[1], prologue = o.a[2], save = o.a[3];
    bool shape = epilogue == 0 ? prologue == 0 && save == 0
                               : epilogue < user_top && prologue < user_top && save != 0 && save % 8 == 0 &&
                                     save < user_top && sizeof(UTrapFrame) <= user_top - save;
    must_fail_unless(ours(o.a[0]) && shape, o, "set_slice_upcalls of an env not ours, or of a bad shape");
}
void check_yield_to(const Outcome& o) { must_fail_unless(false, o, "yield_to an env that is not runnable"); }

// Memory (Lab 7). We never register a revocation entry for ourselves (a
// request would land on whatever a random entry names), never squeeze a
// quota (a child's abort would unmap pages the model tracks), and never
// make pressure at all: that call is the grader's. frame_release is
// page_unmap with guards: ours, mapped only here.
void prepare_set_revocation_upcall(uint64_t (&a)[5], Outcome&) {
    if (is_self(a[0])) a[1] = 0;
}
void check_set_revocation_upcall(const Outcome& o) {
    must_fail_unless(ours(o.a[0]) && o.a[1] < user_top, o, "set_revocation_upcall of an env not ours, or past user_top");
}
void prepare_frame_release(uint64_t (&a)[5], Outcome& o) {
    a[0] = a[1];   // Arg::va drawn in a[1]; the call takes it in rdi
    uint64_t self[5] = {0, a[0], 0, 0, 0};
    redirect_protected(self);
    a[0] = self[1];
    o.old_frame = user_page(a[0]) && uvpt::mapped(a[0]) ? uvpt::frame_of(a[0]) : no_mapping;
    o.src_refs = o.old_frame == no_mapping ? 0 : frametable::refcount(o.old_frame);
    // Judged now: a release frees the frame, and its owner with it.
    o.slot_ok = o.old_frame != no_mapping && frametable::owner(o.old_frame) == own_id;
}
void check_frame_release(const Outcome& o) {
    bool mine = o.slot_ok;
    bool valid = mine && o.src_refs == 1;
    must_fail_unless(valid, o, "frame_release of a page not mapped, not ours, or mapped elsewhere too");
    if (!valid) {
        int64_t want = o.old_frame == no_mapping ? E_INVAL : !mine ? E_PERM : E_BUSY;
        if (o.r != want) fail(check_value, "frame_release refused with the wrong error", o.r, want);
        return;
    }
    must_succeed(o.r, "frame_release");
    forget_page(o.a[0]);
    if (uvpt::mapped(o.a[0])) fail(check_frames, "a page still mapped after frame_release", o.a[0], 0);
    note_freed(o.old_frame);
}
void prepare_quota_set(uint64_t (&a)[5], Outcome&) {
    a[1] = rng.below(2) ? quota_unlimited + rng.below(8) : (1ull << 20) + rng.below(1u << 20);
}
void check_quota_set(const Outcome& o) {
    must_fail_unless(find_child(o.a[0]) && o.a[1] < quota_unlimited, o, "quota_set of an env not our child, or unlimited");
}
void check_test_pressure(const Outcome&) {}

constexpr Arg A_ = Arg::any;
constexpr SyscallSpec table[] = {
    {SYS_cputs, "cputs", {Arg::va, Arg::len, A_, A_, A_}, 12, prepare_cputs, check_cputs},
    {SYS_cgetc, "cgetc", {A_, A_, A_, A_, A_}, 3, no_prepare, check_cgetc},
    {SYS_getenvid, "getenvid", {A_, A_, A_, A_, A_}, 3, no_prepare, check_getenvid},
    {SYS_exit, "exit", {A_, A_, A_, A_, A_}, 0, no_prepare, check_exit},
    {SYS_env_destroy, "env_destroy", {Arg::envid, A_, A_, A_, A_}, 6, prepare_env_destroy,
     check_env_destroy},
    {SYS_yield, "yield", {A_, A_, A_, A_, A_}, 3, no_prepare, check_yield},
    {SYS_page_alloc, "page_alloc", {Arg::envid, Arg::va, Arg::perm, A_, A_}, 20, prepare_page_alloc,
     check_page_alloc},
    {SYS_page_unmap, "page_unmap", {Arg::envid, Arg::va, A_, A_, A_}, 12, prepare_page_unmap,
     check_page_unmap},
    {SYS_set_upcall, "set_upcall", {Arg::envid, Arg::va, Arg::va, A_, A_}, 8, no_prepare,
     check_set_upcall},
    {SYS_exofork, "exofork", {A_, A_, A_, A_, A_}, 1, no_prepare, check_exofork},
    {SYS_env_set_status, "env_set_status", {Arg::envid, A_, A_, A_, A_}, 3, prepare_set_status,
     check_set_status},
    {SYS_env_set_trapframe, "env_set_trapframe", {Arg::envid, Arg::va, A_, A_, A_}, 4,
     prepare_set_trapframe, check_set_trapframe},
    {SYS_page_map, "page_map", {Arg::envid, Arg::va, Arg::envid, Arg::va, Arg::perm}, 16,
     prepare_page_map, check_page_map},
    {SYS_ipc_recv, "ipc_recv", {Arg::va, A_, A_, A_, A_}, 2, prepare_ipc_recv, check_ipc_recv},
    {SYS_ipc_send, "ipc_send", {Arg::envid, A_, Arg::va, Arg::perm, A_}, 4, no_prepare, check_ipc_send},
    {SYS_slice_alloc, "slice_alloc", {Arg::envid, A_, A_, A_, A_}, 4, prepare_slice_alloc, check_slice_alloc},
    {SYS_slice_free, "slice_free", {Arg::envid, A_, A_, A_, A_}, 4, prepare_slice_free, check_slice_free},
    {SYS_set_slice_upcalls, "set_slice_upcalls", {Arg::envid, Arg::va, Arg::va, Arg::va, A_}, 4,
     prepare_set_slice_upcalls, check_set_slice_upcalls},
    {SYS_yield_to, "yield_to", {Arg::envid, A_, A_, A_, A_}, 3, no_prepare, check_yield_to},
    {SYS_set_revocation_upcall, "set_revocation_upcall", {Arg::envid, Arg::va, A_, A_, A_}, 3,
     prepare_set_revocation_upcall, check_set_revocation_upcall},
    {SYS_frame_release, "frame_release", {A_, Arg::va, A_, A_, A_}, 6, prepare_frame_release, check_frame_release},
    {SYS_quota_set, "quota_set", {Arg::envid, A_, A_, A_, A_}, 3, prepare_quota_set, check_quota_set},
    {SYS_test_pressure, "test_pressure", {A_, A_, A_, A_, A_}, 0, no_prepare, check_test_pressure},
};
constexpr size_t table_size = sizeof table / sizeof table[0];

constexpr bool table_complete() {
    for (uint64_t n = 0; n < SYS_count; ++n) {
        bool found = false;
        for (const SyscallSpec& s : table) found = found || s.num == n;
        if (!found) return false;
    }
    return table_size == SYS_count;
}
static_assert(table_complete(), "every syscall in lib/abi.hh needs a row in the fuzzer's table");

constexpr unsigned total_weight() {
    unsigned w = 0;
    for (const SyscallSpec& s : table) w += s.weight;
    return w;
}

const SyscallSpec& pick_spec() {
    uint64_t w = rng.below(total_weight());
    for (const SyscallSpec& s : table) {
        if (w < s.weight) return s;
        w -= s.weight;
    }
    return table[0];
}

// A number no kernel of this ABI knows: past the end, or a known one with
// high bits set (a kernel that truncated rax would run the known one).
uint64_t unknown_number() {
    switch (rng.below(6)) {
    case 0: return SYS_count + rng.below(8);
    case 1: return (1ull << 32) | rng.below(SYS_count);
    case 2: return (1ull << 63) | rng.below(SYS_count);
    case 3: return UINT64_MAX - rng.below(4);
    case 4: return 0xFFFFFFFF00000000ull | rng.below(SYS_count);
    default: {
        uint64_t n = rng.next();
        return n < SYS_count ? n + SYS_count : n;
    }
    }
}

bool result_in_abi(int64_t r) {
    return r >= 0 || (r >= INT32_MIN && strcmp(error_name(static_cast<int>(r)), "unknown error") != 0);
}

void random_syscall(bool hostile) {
    uint64_t a[5];
    if (rng.below(100) < 12) {
        uint64_t num = unknown_number();
        for (uint64_t& v : a) v = gen(Arg::any);
        int64_t r = issue(num, a, hostile);
        if (r != E_NO_SYS) fail(check_no_sys, "unknown syscall number", r, E_NO_SYS);
        ++made[SYS_count];
        return;
    }
    const SyscallSpec* pick = &pick_spec();
    while (pick->num == SYS_exofork && !may_fork()) pick = &pick_spec();
    const SyscallSpec& s = *pick;
    for (int i = 0; i < 5; ++i) a[i] = gen(s.args[i]);
    Outcome o{};
    s.prepare(a, o);
    memcpy(o.a, a, sizeof a);
    o.r = issue(s.num, a, hostile);
    if (!result_in_abi(o.r)) fail(check_abi, s.name, o.r, 0);
    ++made[s.num];
    succeeded[s.num] += o.r >= 0;
    s.check(o);
}

// ---------------------------------------------------------------- deliberate faults

// What the handler expects of the fault it is about to see, and how it
// lets the faulting code go on.
enum class Resume { skip_load, skip_store, emulate_ret };
struct Expect {
    bool armed;
    int handled;
    uintptr_t fault_va;
    uintptr_t rip;
    uint64_t err_set, err_clear;   // error-code bits that must be 1, and 0
    const Regs* regs;              // the runner's; it stores its rsp and rflags there first
    bool via_call;                 // faulted after a call: rsp 8 lower than the runner's
    bool after_syscall;            // a getenvid ran at the call target: rax, rcx, r11 changed
    Resume resume;
    uint64_t load_value;           // skip_load: what the load "reads"
};
constexpr int max_depth = 2;
Expect expect[max_depth];
int depth;   // which expect[] the next fault belongs to

void check_frame(const UTrapFrame* f, const Expect& e) {
    const Regs& g = *e.regs;
    if (f->vector != 14) fail(check_fault_frame, "vector", f->vector, 14);
    if (f->fault_va != e.fault_va) fail(check_fault_frame, "fault_va", f->fault_va, e.fault_va);
    if (f->rip != e.rip) fail(check_fault_frame, "rip", f->rip, e.rip);
    if ((f->error_code & e.err_set) != e.err_set || (f->error_code & e.err_clear))
        fail(check_fault_frame, "error code", f->error_code, e.err_set);
    uint64_t rsp = g.rsp_loaded - (e.via_call ? 8 : 0);
    if (f->rsp != rsp) fail(check_fault_frame, "rsp", f->rsp, rsp);
    // Where the kernel must put the frame: below the trap-time rsp (less
    // the 8-byte gap) if that is on the exception stack, else at its top.
    uintptr_t top = bound_stack_top;
    uintptr_t above = in(f->rsp, top - exception_stack_size, top) ? f->rsp - 8 : top;
    uintptr_t want = (above - sizeof(UTrapFrame)) & ~uintptr_t(15);
    if (reinterpret_cast<uintptr_t>(f) != want)
        fail(check_fault_frame, "frame address", reinterpret_cast<uintptr_t>(f), want);
    const uint64_t want_regs[] = {g.rbx, g.rdx, g.rsi, g.rdi, g.rbp, g.r8, g.r9, g.r10,
                                  g.r12, g.r13, g.r14, g.r15, g.rax, g.rcx, g.r11};
    const uint64_t got[] = {f->rbx, f->rdx, f->rsi, f->rdi, f->rbp, f->r8, f->r9, f->r10,
                            f->r12, f->r13, f->r14, f->r15, f->rax, f->rcx, f->r11};
    static const char* const names[] = {"frame rbx", "frame rdx", "frame rsi", "frame rdi",
                                        "frame rbp", "frame r8",  "frame r9",  "frame r10",
                                        "frame r12", "frame r13", "frame r14", "frame r15",
                                        "frame rax", "frame rcx", "frame r11"};
    size_t n = e.after_syscall ? 12 : 15;
    for (size_t i = 0; i < n; ++i)
        if (got[i] != want_regs[i]) fail(check_fault_frame, names[i], got[i], want_regs[i]);
    if (e.after_syscall) {
        if (f->rax != static_cast<uint64_t>(own_id))
            fail(check_fault_frame, "frame rax after getenvid", f->rax, own_id);
        if (f->rcx != e.fault_va) fail(check_fault_frame, "frame rcx after syscall", f->rcx, e.fault_va);
    }
    if ((f->rflags & ~fl_rf) != (g.rflags_loaded & ~fl_rf))
        fail(check_fault_frame, "frame rflags", f->rflags, g.rflags_loaded);
}

// A user address the model says is unmapped, for not-present faults.
uintptr_t unmapped_va() {
    for (;;) {
        uintptr_t va = rng.below(2) ? scratch_va() : hole_base + rng.below(1 << 18) * page;
        if (!readable(va)) return va + rng.below(page);
    }
}

// Runs one faulting instruction with random registers and rflags, and
// checks that it faulted once, as expected, and came back intact.
void run_fault(void (*runner)(Regs*), Regs& g, Expect e) {
    fill_junk(g);
    // On the runner's stack, or below it at any alignment: where the
    // kernel puts a nested frame depends on rsp mod 16.
    g.own_stack = rng.below(2);
    if (!g.own_stack) {
        uint64_t here;
        asm volatile("mov %%rsp, %0" : "=r"(here));
        g.rsp = here - 256 - rng.below(64);
    }
    g.rflags = rng.one_in(2) ? fl_user_default : hostile_rflags();
    Regs in = g;
    e.regs = &g;
    e.armed = true;
    e.handled = 0;
    expect[depth] = e;
    runner(&g);
    Expect& done = expect[depth];
    if (done.handled != 1) fail(check_fault_missing, "deliberate fault not delivered", done.handled, 1);
    done.armed = false;
    // Everything as it was, but what the handler changed on purpose.
    if (e.resume == Resume::skip_load) {
        if (g.rax != e.load_value) fail(check_fault_regs, "rax after a skipped load", g.rax, e.load_value);
    } else if (!e.after_syscall && g.rax != in.rax) {
        fail(check_fault_regs, "rax", g.rax, in.rax);
    }
    if (!e.after_syscall && g.rcx != in.rcx) fail(check_fault_regs, "rcx", g.rcx, in.rcx);
    if (!e.after_syscall && g.r11 != in.r11) fail(check_fault_regs, "r11", g.r11, in.r11);
    in.rsp = g.rsp_loaded;
    check_after(in, g, check_fault_regs);
}

Expect load_fault(Regs& g, uintptr_t va, uint64_t err_set, uint64_t err_clear) {
    g.rdi = va;
    g.rax = SYS_getenvid;   // run by the `syscall` of a trampoline entry, if one is bound
    Expect e{};
    e.fault_va = va;
    e.rip = reinterpret_cast<uintptr_t>(fuzz_load_at);
    e.err_set = err_set | fault_user;
    e.err_clear = err_clear | fault_write;
    e.resume = Resume::skip_load;
    e.load_value = rng.next();
    return e;
}

Expect store_fault(Regs& g, uintptr_t va, uint64_t err_set) {
    g.rdi = va;
    g.rsi = rng.next();
    Expect e{};
    e.fault_va = va;
    e.rip = reinterpret_cast<uintptr_t>(fuzz_store_at);
    e.err_set = err_set | fault_user | fault_write;
    e.resume = Resume::skip_store;
    return e;
}

Expect fetch_fault(Regs& g, uintptr_t target, uintptr_t fault_va, uint64_t err_set, uint64_t err_clear) {
    g.rdi = target;
    Expect e{};
    e.fault_va = fault_va;
    e.rip = fault_va;
    e.err_set = err_set | fault_user | fault_fetch;
    e.err_clear = err_clear | fault_write;
    e.via_call = true;
    e.resume = Resume::emulate_ret;
    return e;
}

// Kernel memory: through the direct map (surely present: a protection
// fault), or about where the image is linked (present or not).
uintptr_t kernel_va(uint64_t* err_present) {
    bool direct = rng.below(2);
    *err_present = direct ? fault_present : 0;
    return (direct ? 0xFFFF800000100000 : 0xFFFFFFFF80100000) + rng.below(page);
}

// A fault taken inside the handler, on the exception stack.
void nested_fault() {
    ++depth;
    Regs g{};
    Expect e = load_fault(g, unmapped_va(), 0, fault_present);
    run_fault(fuzz_run_load, g, e);
    --depth;
}

void on_fault(UTrapFrame* f) {
    Expect& e = expect[depth];
    if (!e.armed) {
        printf("fuzz: unexpected page fault at va %lx, rip %lx, error %lx\n",
               static_cast<uint64_t>(f->fault_va), static_cast<uint64_t>(f->rip),
               static_cast<uint64_t>(f->error_code));
        fail(check_unexpected_fault, "fault_va", f->fault_va, 0);
    }
    e.armed = false;
    ++e.handled;
    ++faults_taken;
    check_frame(f, e);
    switch (e.resume) {
    case Resume::skip_load:
        f->rip = reinterpret_cast<uintptr_t>(fuzz_load_done);
        f->rax = e.load_value;
        break;
    case Resume::skip_store: f->rip = reinterpret_cast<uintptr_t>(fuzz_store_done); break;
    case Resume::emulate_ret:
        f->rip = *reinterpret_cast<uint64_t*>(f->rsp);
        f->rsp += 8;
        break;
    }
    // The kernel must also serve calls made on the exception stack, and a
    // fault taken there.
    if (rng.one_in(4)) {
        ++handler_calls;
        for (uint64_t i = 1 + rng.below(3); i > 0; --i) random_syscall(false);
    }
    if (depth + 1 < max_depth && rng.one_in(4)) nested_fault();
}

// Maps va (pinned for the action) unless it is mapped with perm already,
// on a frame of its own.
bool pin_page(uintptr_t va, uint64_t perm) {
    Page* p = find_page(va);
    if (!p || p->perm != perm || p->shared) {   // never write another page's frame
        make_room();
        int64_t r = plain(SYS_page_alloc, 0, va, perm);
        must_succeed(r, "page_alloc for an action");
        take_new_page(va, perm);
        p = find_page(va);
    }
    p->pinned = true;
    return true;
}

void unpin_all() {
    for (size_t i = 0; i < page_count; ++i) pages[i].pinned = false;
}

// Code at the end of a page: `syscall` in its last two bytes, so the
// kernel returns to the first byte of the next page.
constexpr uint8_t syscall_insn[2] = {0x0F, 0x05};

void write_bytes(uintptr_t va, const uint8_t* bytes, size_t n) {
    for (size_t i = 0; i < n; ++i) reinterpret_cast<volatile uint8_t*>(va)[i] = bytes[i];
}

// The page the execute tests put code in: our code page, or, to reach a
// known bug, the last user page (whose next byte is non-canonical).
uintptr_t pick_code_page() {
    return reach_last_page_bug && rng.one_in(2) ? user_top - page : code_page;
}

// One page fault on purpose, with the upcall bound to a stack (and
// sometimes an entry) of the fuzzer's choosing, all of which can deliver
// it; the handler checks the frame and resumes past the fault.
void fault_action() {
    uintptr_t entry = reinterpret_cast<uintptr_t>(&pgfault_upcall);
    static const uint64_t lowered[] = {0, 0, 0, 0, 1, 8, 15, 16, 24, 40};
    uintptr_t top = exception_stack_top - lowered[rng.below(10)];
    if (rng.one_in(4)) {
        // Two scratch pages as the exception stack, top anywhere that
        // keeps the whole 4 KiB below it mapped.
        uintptr_t p = scratch_base + rng.below(scratch_pages - 1) * page;
        if (!protected_page(p) && !protected_page(p + page)) {
            pin_page(p, prw);
            pin_page(p + page, prw);
            static const uint64_t above[] = {0, 1, 8, 16, 168, 1000, 4095, 4096};
            top = p + page + above[rng.below(8)];
        }
    }
    Regs g{};
    Expect e{};
    void (*runner)(Regs*) = fuzz_run_load;
    switch (rng.below(9)) {
    case 0: e = load_fault(g, unmapped_va(), 0, fault_present); break;
    case 1: {
        uint64_t present;
        uintptr_t va = kernel_va(&present);
        e = load_fault(g, va, present, 0);
        break;
    }
    case 2: {
        uintptr_t text = rng.below(2) ? reinterpret_cast<uintptr_t>(&fuzz_run_syscall)
                                      : reinterpret_cast<uintptr_t>(some_text);
        e = store_fault(g, text + rng.below(16), fault_present);
        runner = fuzz_run_store;
        break;
    }
    case 3: {
        uint64_t present;
        uintptr_t va = kernel_va(&present);
        e = store_fault(g, va, present);
        runner = fuzz_run_store;
        break;
    }
    case 4: {
        uintptr_t va = scratch_va();
        if (protected_page(va)) return unpin_all();
        pin_page(va, perm_present | perm_user);
        e = store_fault(g, va + rng.below(page), fault_present);
        runner = fuzz_run_store;
        break;
    }
    case 5: {
        // Execute a no-execute page.
        pin_page(code_page, prwx_nx);
        uintptr_t target = code_page + rng.below(page);
        e = fetch_fault(g, target, target, fault_present, 0);
        runner = fuzz_run_call;
        break;
    }
    case 6: {
        uintptr_t target = unmapped_va();
        e = fetch_fault(g, target, target, 0, fault_present);
        runner = fuzz_run_call;
        break;
    }
    case 7: {
        // syscall in the last two bytes of a page; the next page missing.
        uintptr_t c = pick_code_page();
        if (c + page < user_top && find_page(c + page)) unmap_page(c + page);
        if (!pin_page(c, prw)) return unpin_all();
        find_page(c)->marked = false;
        write_bytes(c + page - 2, syscall_insn, 2);
        g.rax = SYS_getenvid;
        e = fetch_fault(g, c + page - 2, c + page, 0, fault_present);
        e.after_syscall = true;
        runner = fuzz_run_call;
        break;
    }
    default: {
        // The upcall entry is that same syscall at a page end, followed
        // on the next page by a jump to the real entry.
        uintptr_t c = pick_code_page();
        if (!pin_page(c, prw)) return unpin_all();
        find_page(c)->marked = false;
        write_bytes(c + page - 2, syscall_insn, 2);
        if (c + page < user_top) {
            pin_page(c + page, prw);
            find_page(c + page)->marked = false;
            uint8_t jump[12] = {0x48, 0xB8};   // movabs $entry, %rax; jmp *%rax
            memcpy(jump + 2, &entry, 8);
            jump[10] = 0xFF;
            jump[11] = 0xE0;
            write_bytes(c + page, jump, sizeof jump);
        }
        entry = c + page - 2;
        e = load_fault(g, unmapped_va(), 0, fault_present);
        break;
    }
    }
    bool rebound = entry != bound_entry || top != bound_stack_top;
    uintptr_t old_entry = bound_entry, old_top = bound_stack_top;
    if (rebound) bind_upcall(entry, top);
    run_fault(runner, g, e);
    if (rebound) bind_upcall(old_entry, old_top);
    // The frame and the handler wrote over a scratch stack: mark it afresh.
    for (size_t i = 0; i < page_count; ++i) {
        Page& p = pages[i];
        if (p.pinned && p.marked) *reinterpret_cast<volatile uint64_t*>(p.va) = marker(p.va);
    }
    unpin_all();
}

}  // namespace

uint64_t umain(uint64_t arg) {
    the_arg = arg;
    seed = arg & 0xFFFFFFFF;
    target_calls = arg >> 32 ? arg >> 32 : default_calls;
    rng.state = seed ^ 0x243F6A8885A308D3;
    own_id = sys_getenvid();

    program_end = (reinterpret_cast<uintptr_t>(end) + page - 1) & ~(page - 1);
    frame_count = frametable::count();

    // A few far pages, each in a GiB of its own, away from everything else.
    for (size_t i = 0; i < far_count;) {
        uintptr_t va = rng.below(user_top) & ~(page - 1);
        bool clash = va < (1ull << 32) || va >= user_stack_top - (1ull << 32) ||
                     in(va, scratch_base, scratch_base + (1ull << 30)) ||
                     in(va, hole_base, hole_base + (1ull << 30));
        for (size_t j = 0; j < i; ++j) clash = clash || (far_pages[j] >> 30) == (va >> 30);
        if (!clash) far_pages[i++] = va;
    }
    build_dictionaries();

    if (int r = set_pgfault_handler(on_fault); r < 0) fail(check_setup, "set_pgfault_handler", r, 0);
    bound_entry = reinterpret_cast<uintptr_t>(&pgfault_upcall);
    bound_stack_top = exception_stack_top;

    while (calls < target_calls) {
        ++iteration;
        uint64_t r = rng.below(64);
        if (r == 0) fault_action();
        else random_syscall(r < 5);
        if (iteration % 1024 == 0) verify_pages();
    }
    verify_pages();
    // The children never ran and would outlive us: destroy them, so that
    // every frame comes back (the grader counts them).
    while (child_count) {
        must_succeed(plain(SYS_env_destroy, static_cast<uint64_t>(children[0].id)), "env_destroy at the end");
        forget_child(&children[0]);
    }
    check_frame_owners();
    printf("fuzz: seed %lx: %lu calls (%lu from a hostile rsp and rflags), %lu faults, "
           "%lu handler visits with calls, %lu pages mapped, %lu children made\n",
           seed, calls, hostile_calls, faults_taken, handler_calls, page_count, children_made);
    printf("fuzz: random calls that succeeded:");
    for (const SyscallSpec& s : table) printf(" %s %lu/%lu", s.name, succeeded[s.num], made[s.num]);
    printf(", unknown numbers %lu\n", made[SYS_count]);

    // The last call: exit, single-stepping (TF), with the direction,
    // alignment-check and nested-task flags set and rsp unaligned. The
    // kernel must not take the single-step trap itself.
    uint64_t* slot = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(exit_flags_slot) + 3);
    uint64_t flags = fl_user_default | fl_tf | fl_df | fl_ac | fl_nt | fl_cf | fl_zf;
    memcpy(slot, &flags, sizeof flags);
    fuzz_exit_with_flags(arg ^ ok_status, SYS_exit, slot);
}
