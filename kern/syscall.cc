#include "kern/syscall.hh"
#include "kern/bind.hh"
#include "kern/guard.hh"
#include "kern/ipc.hh"
#include "kern/revoke.hh"
#include "kern/console.hh"
#include "kern/memlayout.hh"
#include "kern/frames.hh"
#include "kern/sched.hh"
#include "kern/serial.hh"
#include "kern/slices.hh"
#include "kern/usermem.hh"
#include "kern/gdt.hh"
#include "kern/x86.hh"
#include "lib/abi.hh"
#include "lib/error.hh"

namespace {

// Writes the first cputs_max bytes at most, so that no call holds the CPU
// for long. The whole range must lie in the user half (a length that
// wraps is an error, not a request for a prefix); the part written must be
// mapped, and is checked before anything is printed.
int64_t sys_cputs(Env& e, uintptr_t s, size_t len) {
    size_t n = len < cputs_max ? len : cputs_max;
    if (int r = user_mem_check(e, s, n, 0); r < 0) return r;
    if (s >= user_top || len > user_top - s) return E_FAULT;
    char chunk[256];
    for (size_t done = 0; done < n; done += sizeof chunk) {
        size_t piece = n - done < sizeof chunk ? n - done : sizeof chunk;
        if (int r = copy_from_user(e, chunk, s + done, piece); r < 0) return r;
        console::write(chunk, piece);
    }
    return static_cast<int64_t>(n);
}

}  // namespace

// A register holds 64 bits and an env id 32: a value that is not a
// sign-extended 32-bit id is refused, not truncated into some other env's.
namespace {
int lookup_checked(uint64_t raw_id, Env** target, bool only_self_or_child) {
    auto id = static_cast<EnvId>(raw_id);
    if (static_cast<uint64_t>(static_cast<int64_t>(id)) != raw_id) return E_BAD_ENV;
    return env::lookup(id, target, only_self_or_child);
}
}  // namespace

int lookup_target_by_id(uint64_t raw_id, Env** target) { return lookup_checked(raw_id, target, true); }
int lookup_any(uint64_t raw_id, Env** target) { return lookup_checked(raw_id, target, false); }

namespace {

int64_t sys_page_alloc(uint64_t id, uintptr_t va, uint64_t perm, uint64_t frame) {
    // BEGIN LAB 3
    Env* target;
    if (int r = lookup_target(id, &target); r < 0) return r;
    if (int r = guard::user_page(va); r < 0) return r;
    if (int r = guard::perm(perm); r < 0) return r;
    return bind::page_alloc(*target, va, perm, frame);
    // STUB LAB 3
    //~ // LAB 3: your code here. Look up the target (lookup_target above),
    //~ // refuse a va that is not a page-aligned user address (guard::user_page)
    //~ // and a bad perm (guard::perm, which you write in kern/guard.cc),
    //~ // then let bind::page_alloc(*target, va, perm, frame) map the page.
    //~ // (frame is frame_any until Lab 4, which lets a program name one.)
    //~ (void) id, (void) va, (void) perm, (void) frame;
    //~ return E_NO_SYS;
    // END LAB 3
}

int64_t sys_page_unmap(uint64_t id, uintptr_t va) {
    Env* target;
    if (int r = lookup_target(id, &target); r < 0) return r;
    if (int r = guard::user_page(va); r < 0) return r;
    env::unmap_page(*target, va);
    return 0;
}

int64_t sys_set_upcall(uint64_t id, uintptr_t entry, uintptr_t stack_top) {
    Env* target;
    if (int r = lookup_target(id, &target); r < 0) return r;
    // Recorded as given: the binding is checked when a fault uses it, since
    // the library OS may map the pages afterwards.
    target->upcalls.fault_entry = entry;
    target->upcalls.stack_top = stack_top;
    return 0;
}

int64_t sys_exofork(Env& e) {
    Env* child;
    if (int r = env::exofork(e, &child); r < 0) return r;
    return child->id;
}

// Only a child: an env that is running has no status or registers to set
// but its own, and it sets those by running.
int child_target(Env& e, uint64_t raw_id, Env** child) {
    if (int r = lookup_target(raw_id, child); r < 0) return r;
    return *child == &e ? E_INVAL : 0;
}

int64_t sys_env_set_status(Env& e, uint64_t id, uint64_t status) {
    Env* child;
    if (int r = child_target(e, id, &child); r < 0) return r;
    // A receiver wakes only by a message: waking it here would return
    // from ipc_recv with no message in its registers.
    if (child->status == EnvStatus::receiving) return E_BUSY;
    if (status == env_runnable) child->status = EnvStatus::runnable;
    else if (status == env_not_runnable) child->status = EnvStatus::not_runnable;
    else return E_INVAL;
    return 0;
}

// The kernel decides the privilege: ring 3 selectors, interrupts on, IOPL
// 0; of rflags only the arithmetic flags and the direction flag are the
// caller's to set. rip must be a user address, rsp at most user_top: an
// iretq to a non-canonical rip would fault in ring 0.
int64_t sys_env_set_trapframe(Env& e, uint64_t id, uintptr_t regs_va) {
    Env* child;
    if (int r = child_target(e, id, &child); r < 0) return r;
    UTrapFrame regs;
    if (int r = copy_from_user(e, &regs, regs_va, sizeof regs); r < 0) return r;
    if (regs.rip >= user_top || regs.rsp > user_top) return E_INVAL;
    constexpr uint64_t user_flags = x86::rflags::carry | x86::rflags::parity | x86::rflags::adjust |
                                    x86::rflags::zero | x86::rflags::sign | x86::rflags::direction |
                                    x86::rflags::overflow;
    TrapFrame& tf = child->tf;
    tf.r15 = regs.r15, tf.r14 = regs.r14, tf.r13 = regs.r13, tf.r12 = regs.r12;
    tf.r11 = regs.r11, tf.r10 = regs.r10, tf.r9 = regs.r9, tf.r8 = regs.r8;
    tf.rbp = regs.rbp, tf.rdi = regs.rdi, tf.rsi = regs.rsi, tf.rdx = regs.rdx;
    tf.rcx = regs.rcx, tf.rbx = regs.rbx, tf.rax = regs.rax;
    tf.rip = regs.rip, tf.rsp = regs.rsp;
    tf.rflags = (regs.rflags & user_flags) | x86::rflags::interrupt | x86::rflags::reserved_one;
    tf.cs = gdt::user_code;
    tf.ss = gdt::user_data;
    return 0;
}

// Lab 6. Slots for the caller or a child; the vector decides when they run.
int64_t sys_slice_alloc(uint64_t id, uint64_t slot) {
    Env* target;
    if (int r = lookup_target(id, &target); r < 0) return r;
    return slices::alloc(*target, slot);
}

int64_t sys_slice_free(uint64_t id, uint64_t slot) {
    Env* target;
    if (int r = lookup_target(id, &target); r < 0) return r;
    return slices::free(*target, slot);
}

// Entries are checked when a slice uses them, as for the fault upcall (the
// library OS may map them later); their shape is checked now. All three 0
// give the kernel's default save and restore back; a prologue needs an
// epilogue (it restores what an epilogue saved), and an epilogue needs a
// save area in the user half, 8-aligned.
int64_t sys_set_slice_upcalls(uint64_t id, uintptr_t epilogue, uintptr_t prologue, uintptr_t save_area) {
    Env* target;
    if (int r = lookup_target(id, &target); r < 0) return r;
    if (epilogue == 0) {
        if (prologue != 0 || save_area != 0) return E_INVAL;
    } else if (epilogue >= user_top || prologue >= user_top || save_area == 0 || save_area % 8 != 0 ||
               save_area >= user_top || sizeof(UTrapFrame) > user_top - save_area) {
        return E_INVAL;
    }
    target->upcalls.epilogue_entry = epilogue;
    target->upcalls.prologue_entry = prologue;
    target->upcalls.save_area = save_area;
    if (!prologue) target->cpu.enter_prologue = false;
    return 0;
}

// Lab 7. The entry is checked when an upcall uses it, like the others.
int64_t sys_set_revocation_upcall(uint64_t id, uintptr_t entry) {
    Env* target;
    if (int r = lookup_target(id, &target); r < 0) return r;
    if (entry >= user_top) return E_INVAL;
    target->upcalls.revocation_entry = entry;
    return 0;
}

int64_t sys_quota_set(Env& e, uint64_t id, uint64_t frames) {
    Env* child;
    if (int r = child_target(e, id, &child); r < 0) return r;
    return revoke::quota_set(e, *child, frames);
}

// For the grader only: pressure on demand. `make TEST_SYSCALLS=0` builds a
// kernel without it (after `make clean`).
int64_t sys_test_pressure(uint64_t what, uint64_t id, uint64_t frames) {
#if EXOKIT_TEST_SYSCALLS
    return revoke::test_pressure(what, id, frames);
#else
    (void) what, (void) id, (void) frames;
    return E_NO_SYS;
#endif
}

// One handler a system call, indexed by number: the dispatch is one
// bounds check and one indirect call, and the call that only reads state
// (SYS_getenvid) costs a few instructions beyond the entry and exit.
// Handlers read their arguments from tf (rdi, rsi, rdx, r10, r8) and
// return the result for rax; those that switch away never return.
using SyscallHandler = int64_t (*)(Env& e, TrapFrame& tf);

struct SyscallTable {
    SyscallHandler at[SYS_count];
};

constexpr SyscallTable make_syscall_table() {
    SyscallTable t{};
    t.at[SYS_cputs] = [](Env& e, TrapFrame& tf) { return sys_cputs(e, tf.rdi, tf.rsi); };
    t.at[SYS_cgetc] = [](Env&, TrapFrame&) -> int64_t {
        int c = serial::try_get();
        return c < 0 ? 0 : c;
    };
    t.at[SYS_getenvid] = [](Env& e, TrapFrame&) -> int64_t { return e.id; };
    t.at[SYS_exit] = [](Env& e, TrapFrame& tf) -> int64_t {
        cprintf("[env %08x] exited with status 0x%lx\n", e.id, tf.rdi);
        env::destroy(e, EnvEndHow::exited, tf.rdi);
        sched::run_next();
    };
    t.at[SYS_env_destroy] = [](Env& e, TrapFrame& tf) -> int64_t {
        Env* target;
        if (int r = lookup_target(tf.rdi, &target); r < 0) return r;
        cprintf("[env %08x] destroyed by env %08x\n", target->id, e.id);
        env::destroy(*target, EnvEndHow::destroyed, static_cast<uint32_t>(e.id));
        if (target == &e) sched::run_next();
        return 0;
    };
    t.at[SYS_yield] = [](Env& e, TrapFrame&) -> int64_t { sched::yield(e); };
    t.at[SYS_page_alloc] = [](Env&, TrapFrame& tf) { return sys_page_alloc(tf.rdi, tf.rsi, tf.rdx, tf.r10); };
    t.at[SYS_page_unmap] = [](Env&, TrapFrame& tf) { return sys_page_unmap(tf.rdi, tf.rsi); };
    t.at[SYS_set_upcall] = [](Env&, TrapFrame& tf) { return sys_set_upcall(tf.rdi, tf.rsi, tf.rdx); };
    t.at[SYS_exofork] = [](Env& e, TrapFrame&) { return sys_exofork(e); };
    t.at[SYS_env_set_status] = [](Env& e, TrapFrame& tf) { return sys_env_set_status(e, tf.rdi, tf.rsi); };
    t.at[SYS_env_set_trapframe] = [](Env& e, TrapFrame& tf) { return sys_env_set_trapframe(e, tf.rdi, tf.rsi); };
    t.at[SYS_page_map] = [](Env&, TrapFrame& tf) -> int64_t {
        return bind::page_map(tf.rdi, tf.rsi, tf.rdx, tf.r10, tf.r8);
    };
    // Both switch away on success and set the registers themselves. An
    // epilogue (Lab 6) runs after its slice: it may neither block nor hand
    // a slice on, so it ends with SYS_yield, not in IPC.
    t.at[SYS_ipc_recv] = [](Env& e, TrapFrame& tf) -> int64_t {
        return slices::view(e).in_epilogue ? int64_t{E_INVAL} : ipc::recv(e, tf.rdi);
    };
    t.at[SYS_ipc_send] = [](Env& e, TrapFrame& tf) -> int64_t {
        return slices::view(e).in_epilogue ? int64_t{E_INVAL} : ipc::send(e, tf.rdi, tf.rsi, tf.rdx, tf.r10);
    };
    t.at[SYS_slice_alloc] = [](Env&, TrapFrame& tf) { return sys_slice_alloc(tf.rdi, tf.rsi); };
    t.at[SYS_slice_free] = [](Env&, TrapFrame& tf) { return sys_slice_free(tf.rdi, tf.rsi); };
    t.at[SYS_set_slice_upcalls] = [](Env&, TrapFrame& tf) {
        return sys_set_slice_upcalls(tf.rdi, tf.rsi, tf.rdx, tf.r10);
    };
    t.at[SYS_yield_to] = [](Env& e, TrapFrame& tf) -> int64_t { return sched::yield_to(e, tf.rdi); };
    t.at[SYS_set_revocation_upcall] = [](Env&, TrapFrame& tf) { return sys_set_revocation_upcall(tf.rdi, tf.rsi); };
    t.at[SYS_frame_release] = [](Env& e, TrapFrame& tf) -> int64_t { return revoke::frame_release(e, tf.rdi); };
    t.at[SYS_quota_set] = [](Env& e, TrapFrame& tf) { return sys_quota_set(e, tf.rdi, tf.rsi); };
    t.at[SYS_test_pressure] = [](Env&, TrapFrame& tf) { return sys_test_pressure(tf.rdi, tf.rsi, tf.rdx); };
    return t;
}

constinit const SyscallTable syscall_table = make_syscall_table();

consteval bool every_syscall_has_a_handler() {
    for (SyscallHandler h : make_syscall_table().at)
        if (!h) return false;
    return true;
}
static_assert(every_syscall_has_a_handler());

}  // namespace

extern "C" void syscall_trap() {
    // Only user mode runs `syscall`, and only while an env runs.
    Env& e = *current_env;
    TrapFrame& tf = e.tf;
    tf.rax = static_cast<uint64_t>(tf.rax < SYS_count ? syscall_table.at[tf.rax](e, tf) : int64_t{E_NO_SYS});
    env::run(e);
}
