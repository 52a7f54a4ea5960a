#include "kern/trap.hh"
#include "kern/assert.hh"
#include "kern/backtrace.hh"
#include "kern/console.hh"
#include "kern/env.hh"
#include "kern/gdt.hh"
#include "kern/pic.hh"
#include "kern/sched.hh"
#include "kern/syscall.hh"
#include "kern/upcall.hh"
#include "kern/x86.hh"

extern "C" char trap_entries[];

namespace {

struct [[gnu::packed]] Gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;           // present, DPL, 64-bit interrupt gate
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

constinit Gate idt[256]{};
constexpr unsigned ticks_per_second = 100;

void set_gate(uint64_t vector, unsigned dpl, uint8_t ist = 0) {
    uint64_t handler = reinterpret_cast<uint64_t>(trap_entries) + 16 * vector;
    // Interrupt gates (not trap gates): the kernel runs with interrupts off.
    idt[vector] = Gate{static_cast<uint16_t>(handler), gdt::kernel_code, ist,
                       static_cast<uint8_t>(0x8E | (dpl << 5)), static_cast<uint16_t>(handler >> 16),
                       static_cast<uint32_t>(handler >> 32), 0};
}

void print_frame(const TrapFrame& tf) {
    cprintf("  rip %016lx  rsp %016lx  rflags %016lx  cs %lx\n", tf.rip, tf.rsp, tf.rflags, tf.cs);
    cprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", tf.rax, tf.rbx, tf.rcx, tf.rdx);
    cprintf("  rsi %016lx  rdi %016lx  rbp %016lx  err %lx\n", tf.rsi, tf.rdi, tf.rbp, tf.error_code);
}

// A user exception: upcall it (page faults with an upcall), or end the env
// with a message that says what happened and where.
[[noreturn]] void user_exception(Env& e) {
    TrapFrame& tf = e.tf;
    uint64_t fault_va = tf.vector == trap_vector::page_fault ? x86::read_cr2() : 0;
    EnvEndHow how = EnvEndHow::killed_by_trap;
    if (tf.vector == trap_vector::page_fault && e.upcall_entry) {
        if (deliver_page_fault(e, fault_va, &how) == 0) env::run(e);
    }
    cprintf("[env %08x] killed: %s", e.id, traps::name(tf.vector));
    if (tf.vector == trap_vector::page_fault)
        cprintf(" at va %lx (%s, %s)", fault_va, (tf.error_code & 2) ? "write" : "read",
                (tf.error_code & 1) ? "protection" : "not present");
    if (how == EnvEndHow::bad_upcall) cprintf("; its upcall entry %lx is not user code", e.upcall_entry);
    if (how == EnvEndHow::no_exception_stack)
        cprintf("; no writable exception stack below %lx", e.upcall_stack_top);
    cprintf("\n");
    print_frame(tf);
    env::destroy(e, how, how == EnvEndHow::killed_by_trap ? tf.vector : trap_vector::page_fault,
                 fault_va);
    sched::run_next();
}

}  // namespace

namespace traps {

const char* name(uint64_t vector) {
    static const char* const names[] = {
        "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
        "invalid opcode", "device not available", "double fault", "coprocessor overrun",
        "invalid TSS", "segment not present", "stack fault", "general protection",
        "page fault", "reserved", "x87 error", "alignment check", "machine check",
        "SIMD error"};
    if (vector < sizeof names / sizeof names[0]) return names[vector];
    if (vector == trap_vector::syscall) return "system call";
    if (vector >= pic::irq_base && vector < pic::irq_base + 16) return "hardware interrupt";
    return "unknown trap";
}

void init() {
    gdt::init();
    for (uint64_t v = 0; v < 256; ++v) set_gate(v, 0);
    // User code may raise these on purpose.
    set_gate(trap_vector::breakpoint, 3);
    set_gate(trap_vector::syscall, 3);
    set_gate(trap_vector::double_fault, 0, gdt::double_fault_ist);
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } pointer{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" : : "m"(pointer));
    pic::init(ticks_per_second);
}

}  // namespace traps

extern "C" [[noreturn]] void trap(TrapFrame* frame) {
    if (frame->vector >= pic::irq_base && frame->vector < pic::irq_base + 16)
        pic::end_of_interrupt(static_cast<uint8_t>(frame->vector - pic::irq_base));

    if (!frame->from_user()) {
        // The kernel only takes interrupts while idle; anything else is a bug.
        if (frame->vector == pic::irq_base + pic::irq_timer) trap_return(frame);
        cprintf("kernel trap: %s (vector %lu)%s\n", traps::name(frame->vector), frame->vector,
                frame->vector == trap_vector::page_fault ? ", cr2 below" : "");
        if (frame->vector == trap_vector::page_fault) cprintf("  cr2 %016lx\n", x86::read_cr2());
        print_frame(*frame);
        print_backtrace_from(frame->rbp);
        panic("unexpected %s in the kernel", traps::name(frame->vector));
    }

    // Keep the user state in the env, where the scheduler can find it.
    assert(current_env && current_env->status == EnvStatus::running);
    Env& e = *current_env;
    e.tf = *frame;
    switch (e.tf.vector) {
    case trap_vector::syscall:
        dispatch_syscall(e);
        env::run(e);
    case pic::irq_base + pic::irq_timer:
        sched::run_next();
    default:
        if (e.tf.vector < 32) user_exception(e);
        env::run(e);   // a stray interrupt: just resume
    }
}
