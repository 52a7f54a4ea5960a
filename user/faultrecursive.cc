// faultrecursive: a page fault inside the page-fault handler. Handling a
// fault on page A, the handler reads page B, which faults again while it
// is running on the exception stack. The kernel must push the nested
// frame below the handler's stack (leaving the 8-byte gap), and the
// return path must bring the outer handler back intact.
// Grader expects: exit arg ^ 0x600D; on the first failed check n, a line
// "faultrecursive: check n failed: ..." and exit arg ^ (0xBAD00 + n).
// Relies on [base, base + 64 pages) being unmapped at start.
#include "lib/console.hh"
#include "lib/pgfault.hh"
#include "lib/syscall.hh"

namespace {

// Shared with the handler; volatile because it runs between two
// instructions of whatever it interrupted.
volatile uint64_t the_arg;
volatile uintptr_t page_a, page_b;
volatile int depth, max_depth, faults_a, faults_b;

[[noreturn]] void fail(int n, const char* what) {
    printf("faultrecursive: check %d failed: %s\n", n, what);
    sys_exit(the_arg ^ (0xBAD00 + n));
}

void map_with_marker(uintptr_t page, int n) {
    if (sys_page_alloc(0, page, perm_present | perm_user | perm_writable) < 0)
        fail(n, "sys_page_alloc in the handler failed");
    *reinterpret_cast<volatile uint64_t*>(page) = page ^ the_arg;
}

bool on_exception_stack(uintptr_t sp) {
    return sp >= exception_stack_top - exception_stack_size && sp < exception_stack_top;
}

// Loads *addr with rsp at 8 past a 16-byte boundary. Frames are 16-byte
// aligned, and only at this rsp does a kernel that forgets the 8-byte gap
// put the nested frame's last word where the return path will write rip;
// at the other alignment the rounding leaves a gap by luck. r11 holds the
// real rsp: the upcall's return path restores every register.
uint64_t load_at_odd_rsp(uintptr_t addr) {
    uint64_t value;
    asm volatile("mov %%rsp, %%r11\n\t"
                 "and $-16, %%rsp\n\t"
                 "sub $8, %%rsp\n\t"
                 "mov (%1), %0\n\t"
                 "mov %%r11, %%rsp"
                 : "=&r"(value)
                 : "r"(addr)
                 : "r11", "cc", "memory");
    return value;
}

void handler(UTrapFrame* utf) {
    depth = depth + 1;
    if (depth > max_depth) max_depth = depth;
    const uintptr_t page = utf->fault_va & ~uintptr_t{4095};

    if (utf->vector == 14 && page == page_a) {
        // Checks 1-4: the outer invocation.
        faults_a = faults_a + 1;
        if (depth != 1) fail(1, "the fault on A is not the outer one");
        // Locals in memory on the exception stack, written before the
        // nested fault; a nested frame pushed over them would clobber them.
        volatile uint64_t local[4];
        for (int i = 0; i < 4; ++i) local[i] = the_arg * (i + 3) ^ page;
        // Our own frame must survive too: the return to umain reads it.
        const uint64_t saved_rip = utf->rip, saved_rsp = utf->rsp;
        const uint64_t saved_va = utf->fault_va, saved_rbx = utf->rbx;

        uint64_t b = load_at_odd_rsp(page_b + 8 * (the_arg % 512));
        // page B is fresh, so only its marker word is non-zero.
        const uint64_t want_b = the_arg % 512 == 0 ? page_b ^ the_arg : 0;
        if (b != want_b) fail(2, "the read of B after the nested fault saw the wrong value");
        for (int i = 0; i < 4; ++i)
            if (local[i] != (the_arg * (i + 3) ^ page))
                fail(3, "a local of the outer handler was clobbered by the nested fault");
        if (utf->rip != saved_rip || utf->rsp != saved_rsp || utf->fault_va != saved_va ||
            utf->rbx != saved_rbx)
            fail(4, "the outer UTrapFrame was clobbered by the nested fault");
        map_with_marker(page, 5);
    } else if (utf->vector == 14 && page == page_b) {
        // Checks 6-8: the nested invocation.
        faults_b = faults_b + 1;
        if (depth != 2) fail(6, "the fault on B is not nested in the one on A");
        if (!on_exception_stack(utf->rsp))
            fail(7, "the nested fault's rsp is not on the exception stack");
        // The frame must sit below the faulting rsp with at least the
        // 8-byte gap the return path writes rip into.
        if (reinterpret_cast<uintptr_t>(utf) + sizeof(UTrapFrame) > utf->rsp - 8)
            fail(8, "the nested frame leaves no 8-byte gap below the faulting rsp");
        map_with_marker(page, 5);
    } else {
        printf("faultrecursive: unexpected fault: vector %lu va %lx rip %lx\n",
               static_cast<uint64_t>(utf->vector), static_cast<uint64_t>(utf->fault_va),
               static_cast<uint64_t>(utf->rip));
        fail(9, "a fault outside pages A and B");
    }
    depth = depth - 1;
}

}  // namespace

uint64_t umain(uint64_t arg) {
    the_arg = arg;
    const uintptr_t base = 0x0000100000000000 + ((arg & 0xFF) << 24);
    // Two different pages, each picked by arg: A in the first half of the
    // region, B in the second.
    page_a = base + ((arg >> 8) % 32) * 4096;
    page_b = base + (32 + (arg >> 13) % 32) * 4096;

    if (int r = set_pgfault_handler(handler); r < 0) {
        printf("faultrecursive: set_pgfault_handler: %d\n", r);
        fail(10, "set_pgfault_handler failed");
    }

    // The one access that starts it all.
    uint64_t a = *reinterpret_cast<volatile uint64_t*>(page_a);
    if (a != (page_a ^ arg)) fail(11, "A does not hold its marker");
    if (faults_a != 1 || faults_b != 1) {
        printf("faultrecursive: %d faults on A, %d on B; want 1 each\n", faults_a, faults_b);
        fail(12, "not exactly one fault on each page");
    }
    if (max_depth != 2 || depth != 0) {
        printf("faultrecursive: max depth %d, depth now %d\n", max_depth, depth);
        fail(13, "the handler did not nest exactly twice deep");
    }
    // B is mapped now, with its marker: reading it faults no more.
    uint64_t b = *reinterpret_cast<volatile uint64_t*>(page_b);
    if (b != (page_b ^ arg) || faults_b != 1) fail(14, "B is not mapped with its marker");
    return arg ^ 0x600D;
}
