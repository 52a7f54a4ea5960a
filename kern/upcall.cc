#include "kern/upcall.hh"
#include "kern/gdt.hh"
#include "kern/revoke.hh"
#include "kern/slices.hh"
#include "kern/usermem.hh"
#include "kern/x86.hh"
#include "lib/abi.hh"
#include "lib/error.hh"
#include "lib/string.hh"

bool on_exception_stack(const Env& e) {
    uintptr_t top = e.upcalls.stack_top;
    return top >= exception_stack_size && e.tf.rsp >= top - exception_stack_size && e.tf.rsp <= top;
}

namespace {
// A trap frame as a handler in user space reads it (lib/abi.hh).
// Both frames keep the general registers in the same order, r15 to rax,
// so they go across as one block.
[[gnu::always_inline]] inline void fill_user_frame(UTrapFrame& frame, const TrapFrame& tf, uint64_t fault_va, uint64_t vector) {
    static_assert(offsetof(UTrapFrame, rax) - offsetof(UTrapFrame, r15) == offsetof(TrapFrame, rax) &&
                  offsetof(TrapFrame, r15) == 0);
    frame.fault_va = fault_va;
    frame.error_code = tf.error_code;
    frame.vector = vector;
    const uint64_t* from = &tf.r15;
    uint64_t* to = &frame.r15;
    size_t words = 15;
    asm volatile("rep movsq" : "+D"(to), "+S"(from), "+c"(words) : : "memory");
    frame.rip = tf.rip;
    frame.rflags = tf.rflags;
    frame.rsp = tf.rsp;
}

UTrapFrame user_frame(const TrapFrame& tf, uint64_t fault_va, uint64_t vector) {
    UTrapFrame frame;
    fill_user_frame(frame, tf, fault_va, vector);
    return frame;
}

// How an upcall starts: at entry, on a fresh exception stack (16-aligned,
// as at a call), rdi = arg, interrupts on and every other flag clear.
void enter_upcall(Env& e, uintptr_t entry, uint64_t arg) {
    e.tf.rip = entry;
    e.tf.rsp = e.upcalls.stack_top & ~uintptr_t(15);
    e.tf.rdi = arg;
    e.tf.rflags = x86::rflags::interrupt | x86::rflags::reserved_one;
}
}  // namespace

namespace {
[[gnu::noinline]] int write_user_frame_across_pages(Env& e, uintptr_t va, uint64_t fault_va, uint64_t vector) {
    UTrapFrame frame = user_frame(e.tf, fault_va, vector);
    return copy_to_user(e, va, &frame, sizeof frame);
}
}  // namespace

int write_user_frame(Env& e, uintptr_t va, uint64_t fault_va, uint64_t vector) {
    if (auto* frame = user_object_in_page<UTrapFrame>(e, va, perm_writable)) {
        fill_user_frame(*frame, e.tf, fault_va, vector);
        return 0;
    }
    return write_user_frame_across_pages(e, va, fault_va, vector);
}

int deliver_page_fault(Env& e, uint64_t fault_va, EnvEndHow* failure) {
    // BEGIN LAB 3
    // The entry must be code the env could run itself.
    if (!is_user_code(e, e.upcalls.fault_entry)) {
        *failure = EnvEndHow::bad_upcall;
        return E_FAULT;
    }
    TrapFrame& tf = e.tf;
    uintptr_t stack_bottom = e.upcalls.stack_top - exception_stack_size;
    // A fault inside the handler stacks a new frame below the current one,
    // leaving 8 bytes for the trampoline to push the return address into.
    uintptr_t above = (tf.rsp >= stack_bottom && tf.rsp < e.upcalls.stack_top) ? tf.rsp - 8
                                                                              : e.upcalls.stack_top;
    uintptr_t frame_va = (above - sizeof(UTrapFrame)) & ~uintptr_t(15);
    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||
        write_user_frame(e, frame_va, fault_va, tf.vector) < 0) {
        *failure = EnvEndHow::no_exception_stack;
        return E_FAULT;
    }
    tf.rip = e.upcalls.fault_entry;
    tf.rsp = frame_va;
    return 0;
    // STUB LAB 3
    //~ // LAB 3: your code here. Check that e.upcalls.fault_entry is code
    //~ // the env could run (is_user_code above: present, user, not
    //~ // no-execute, in one page-table walk), else
    //~ // *failure = EnvEndHow::bad_upcall. Place a UTrapFrame (lib/abi.hh;
    //~ // write_user_frame(e, va, fault_va, e.tf.vector) writes it) at the
    //~ // top of the exception stack [bottom, e.upcalls.stack_top),
    //~ // bottom = upcalls.stack_top - exception_stack_size (which wraps if
    //~ // upcalls.stack_top is that small: then there is no stack), or, if
    //~ // e.tf.rsp is already inside it (a fault in the handler), below
    //~ // e.tf.rsp - 8; align it down to 16 bytes. If it does not fit above
    //~ // bottom or write_user_frame fails: EnvEndHow::no_exception_stack. On
    //~ // failure leave e.tf untouched (its rip is recorded). Then resume at
    //~ // the entry with rsp at the frame.
    //~ (void) e, (void) fault_va, (void) failure;
    //~ return E_FAULT;
    // END LAB 3
}

int deliver_epilogue(Env& e, EnvEndHow* failure) {
    // BEGIN LAB 6
    if (!e.upcalls.epilogue_entry || on_exception_stack(e)) return 0;
    if (!is_user_code(e, e.upcalls.epilogue_entry)) {
        *failure = EnvEndHow::bad_upcall;
        return E_FAULT;
    }
    if (e.upcalls.stack_top < exception_stack_size) {
        *failure = EnvEndHow::no_exception_stack;
        return E_FAULT;
    }
    UTrapFrame state = user_frame(e.tf, 0, timer_vector);
    if (copy_to_user(e, e.upcalls.save_area, &state, sizeof state) < 0) {
        *failure = EnvEndHow::bad_save_area;
        return E_FAULT;
    }
    enter_upcall(e, e.upcalls.epilogue_entry, e.upcalls.save_area);
    return 1;
    // STUB LAB 6
    //~ // LAB 6: your code here. No epilogue registered
    //~ // (e.upcalls.epilogue_entry 0), or e in an upcall already
    //~ // (on_exception_stack): return 0 and the kernel keeps e.tf itself.
    //~ // Otherwise the entry must be user code (is_user_code; else
    //~ // *failure = EnvEndHow::bad_upcall) and e must have an exception
    //~ // stack (e.upcalls.stack_top >= exception_stack_size; else
    //~ // EnvEndHow::no_exception_stack). Write user_frame(e.tf, 0,
    //~ // timer_vector) to e.upcalls.save_area with copy_to_user (failing:
    //~ // EnvEndHow::bad_save_area). Return
    //~ // E_FAULT on any failure, leaving e.tf alone. Then
    //~ // enter_upcall(e, entry, save area) and return 1.
    //~ (void) e, (void) failure, (void) enter_upcall, (void) user_frame;
    //~ return 0;
    // END LAB 6
}

int enter_prologue(Env& e, EnvEndHow* failure) {
    // BEGIN LAB 6
    if (!e.cpu.enter_prologue) return 0;
    e.cpu.enter_prologue = false;
    if (!is_user_code(e, e.upcalls.prologue_entry)) {
        *failure = EnvEndHow::bad_upcall;
        return E_FAULT;
    }
    enter_upcall(e, e.upcalls.prologue_entry, e.upcalls.save_area);
    ++slices::view(e).prologues;
    return 0;
    // STUB LAB 6
    //~ // LAB 6: your code here. Only if e.cpu.enter_prologue (its epilogue
    //~ // yielded; clear the flag: one prologue a slice): the entry must be
    //~ // user code (else *failure = EnvEndHow::bad_upcall, return E_FAULT).
    //~ // Then enter_upcall(e, entry, save area), and count it in
    //~ // slices::view(e).prologues. Without a prologue the kernel resumes
    //~ // e.tf: the epilogue, just after its SYS_yield.
    //~ (void) e, (void) failure;
    //~ return 0;
    // END LAB 6
}

int deliver_revocation(Env& e, EnvEndHow* failure) {
    EnvMemory& m = e.memory;
    if (!m.request_due && !m.notice_due) return 0;
    EnvMemoryView& v = revoke::view(e);
    // BEGIN LAB 7
    // Nobody to tell: the env polls its entry, if it looks at all.
    if (!e.upcalls.revocation_entry) {
        m.request_due = m.notice_due = false;
        return 0;
    }
    if (on_exception_stack(e)) return 0;   // it will hear when it leaves
    if (!is_user_code(e, e.upcalls.revocation_entry)) {
        *failure = EnvEndHow::bad_upcall;
        return E_FAULT;
    }
    // A request met before it could be told is no longer news.
    if (!v.pending && !m.notice_due) {
        m.request_due = false;
        return 0;
    }
    bool request = m.request_due && v.pending;
    UTrapFrame frame = request ? user_frame(e.tf, v.requested, revocation_request_vector)
                               : user_frame(e.tf, v.vector_count, revocation_notice_vector);
    frame.error_code = request ? v.deadline : 0;
    uintptr_t top = e.upcalls.stack_top;
    uintptr_t frame_va = (top - sizeof frame) & ~uintptr_t(15);
    if (top < exception_stack_size || copy_to_user(e, frame_va, &frame, sizeof frame) < 0) {
        *failure = EnvEndHow::no_exception_stack;
        return E_FAULT;
    }
    if (request) {
        m.request_due = false;
        ++v.upcalls;
    } else {
        m.request_due = false;
        m.notice_due = false;
        ++v.notices;
    }
    e.tf.rip = e.upcalls.revocation_entry;
    e.tf.rsp = frame_va;
    e.tf.rflags = x86::rflags::interrupt | x86::rflags::reserved_one;
    return 1;
    // STUB LAB 7
    //~ // LAB 7: your code here. With no revocation entry registered, clear
    //~ // both flags and return 0 (the env may poll). On its exception stack
    //~ // (on_exception_stack), return 0 and keep them: it hears when it
    //~ // leaves. A request that closed before it was told (v.pending 0) with
    //~ // no notice due: clear its flag, return 0. The entry must be user
    //~ // code (is_user_code; else *failure =
    //~ // EnvEndHow::bad_upcall). A request goes first, if one is still open
    //~ // (v.pending): user_frame(e.tf, v.requested,
    //~ // revocation_request_vector) with error_code = v.deadline; else the
    //~ // notice: user_frame(e.tf, v.vector_count, revocation_notice_vector).
    //~ // Copy it to the top of the exception stack, (stack_top -
    //~ // sizeof(UTrapFrame)) rounded down to 16 bytes; no stack
    //~ // (stack_top < exception_stack_size) or a failed copy_to_user is
    //~ // EnvEndHow::no_exception_stack. Return E_FAULT on any failure, e.tf
    //~ // untouched. Then clear the flag you delivered (a notice clears a
    //~ // stale request too), count it (v.upcalls or v.notices), and resume
    //~ // at the entry with rsp at the frame, rflags interrupts on only.
    //~ (void) v, (void) failure;
    //~ m.request_due = m.notice_due = false;
    //~ return 0;
    // END LAB 7
}
