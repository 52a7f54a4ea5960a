#include "kern/trap.hh"
#include "kern/assert.hh"
#include "kern/backtrace.hh"
#include "kern/console.hh"
#include "kern/env.hh"
#include "kern/gdt.hh"
#include "kern/pic.hh"
#include "kern/sched.hh"
#include "kern/slices.hh"
#include "kern/syscall.hh"
#include "kern/upcall.hh"
#include "kern/x86.hh"

extern "C" char trap_entries[], syscall_entry[];
extern "C" uintptr_t user_frame_top;

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

// trapentry.S has its own copies of these.
static_assert(gdt::user_data == 0x1b && gdt::user_code == 0x23 && trap_vector::syscall == 0x30);

namespace msr {
constexpr uint32_t efer = 0xC0000080, star = 0xC0000081, lstar = 0xC0000082, fmask = 0xC0000084;
constexpr uint64_t efer_syscall_enable = 1;
}

// `syscall` loads cs from STAR[47:32] and ss = that + 8; `sysret` (which
// we do not use, but the layout must allow) would load ss from
// STAR[63:48] + 8 and cs from + 16, which is why the GDT puts user data
// before user code.
void enable_syscall_instruction() {
    static_assert(gdt::kernel_data == gdt::kernel_code + 8);
    static_assert((gdt::user_data & ~3) == gdt::kernel_data + 8 && (gdt::user_code & ~3) == gdt::kernel_data + 16);
    x86::wrmsr(msr::star, (uint64_t(gdt::kernel_data) << 48) | (uint64_t(gdt::kernel_code) << 32));
    x86::wrmsr(msr::lstar, reinterpret_cast<uint64_t>(syscall_entry));
    // Cleared on entry: the kernel runs with interrupts off, the C++ ABI
    // wants DF clear, and TF clear means no single-step trap in ring 0.
    namespace rf = x86::rflags;
    x86::wrmsr(msr::fmask, rf::trap | rf::interrupt | rf::direction | rf::iopl | rf::nested_task |
                               rf::alignment_check);
    x86::wrmsr(msr::efer, x86::rdmsr(msr::efer) | msr::efer_syscall_enable);
}

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
    if (tf.vector == trap_vector::page_fault && e.upcalls.fault_entry) {
        if (deliver_page_fault(e, fault_va, &how) == 0) env::run(e);
    }
    cprintf("[env %08x] killed: %s", e.id, traps::name(tf.vector));
    if (tf.vector == trap_vector::page_fault)
        cprintf(" at va %lx (%s, %s)", fault_va, (tf.error_code & 2) ? "write" : "read",
                (tf.error_code & 1) ? "protection" : "not present");
    if (how == EnvEndHow::bad_upcall) cprintf("; its upcall entry %lx is not user code", e.upcalls.fault_entry);
    if (how == EnvEndHow::no_exception_stack)
        cprintf("; no writable exception stack below %lx", e.upcalls.stack_top);
    cprintf("\n");
    print_frame(tf);
    if (tf.rip == reinterpret_cast<uintptr_t>(syscall_entry))
        cprintf("  The CPU entered syscall_entry still in ring 3 (cs %lx): `syscall` was run wrongly.\n"
                "  Some hypervisors do this (this host's KVM, perhaps): boot under TCG (ACCEL=tcg).\n",
                tf.cs);
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

void set_user_frame(TrapFrame& tf) {
    auto top = reinterpret_cast<uintptr_t>(&tf + 1);
    gdt::set_user_trap_stack(top);
    user_frame_top = top;
}

void init() {
    gdt::init();
    for (uint64_t v = 0; v < 256; ++v) set_gate(v, 0);
    // User code may raise this one on purpose (int3).
    set_gate(trap_vector::breakpoint, 3);
    set_gate(trap_vector::double_fault, 0, gdt::double_fault_ist);
    set_gate(trap_vector::nmi, 0, gdt::nmi_ist);
    set_gate(trap_vector::machine_check, 0, gdt::nmi_ist);
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } pointer{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" : : "m"(pointer));
    enable_syscall_instruction();
    pic::init(ticks_per_second);
}

}  // namespace traps

extern "C" [[noreturn]] void trap(TrapFrame* frame) {
    bool irq = frame->vector >= pic::irq_base && frame->vector < pic::irq_base + 16;
    if (frame->from_user()) [[likely]] {
        // The user state is already in the env (trapentry.S built the
        // frame there), except after a trap on its own stack (NMI, double
        // fault).
        assert(current_env && current_env->status == EnvStatus::running);
        Env& e = *current_env;
        if (frame != &e.tf) [[unlikely]] e.tf = *frame;
        if (e.tf.vector < 32) user_exception(e);
        if (irq) pic::end_of_interrupt(static_cast<uint8_t>(e.tf.vector - pic::irq_base));
        if (e.tf.vector == pic::irq_base + pic::irq_timer) sched::tick(e);
        env::run(e);   // a stray interrupt: just resume
    }

    if (irq) pic::end_of_interrupt(static_cast<uint8_t>(frame->vector - pic::irq_base));
    // The kernel runs with interrupts off except where it idles (`sti;
    // hlt` in the monitor): a tick there is the only trap from ring 0 that
    // is not a bug.
    if (frame->vector == pic::irq_base + pic::irq_timer) {
        sched::idle_tick();
        trap_return(frame);
    }
    cprintf("kernel trap: %s (vector %lu)%s\n", traps::name(frame->vector), frame->vector,
            frame->vector == trap_vector::page_fault ? ", cr2 below" : "");
    if (frame->vector == trap_vector::page_fault) cprintf("  cr2 %016lx\n", x86::read_cr2());
    print_frame(*frame);
    print_backtrace_from(frame->rbp);
    panic("unexpected %s in the kernel", traps::name(frame->vector));
}
