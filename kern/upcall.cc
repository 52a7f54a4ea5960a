#include "kern/upcall.hh"
#include "kern/usermem.hh"
#include "lib/abi.hh"
#include "lib/error.hh"

int deliver_page_fault(Env& e, uint64_t fault_va, EnvEndHow* failure) {
    // BEGIN LAB 3
    // The entry must be code the env could run itself.
    if (!e.upcalls.fault_entry || user_mem_check(e, e.upcalls.fault_entry, 1, 0) < 0 ||
        (e.page_table().lookup(e.upcalls.fault_entry).perm & perm_no_execute)) {
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
    UTrapFrame frame{fault_va, tf.error_code, tf.vector,
                     tf.r15, tf.r14, tf.r13, tf.r12, tf.r11, tf.r10, tf.r9, tf.r8,
                     tf.rbp, tf.rdi, tf.rsi, tf.rdx, tf.rcx, tf.rbx, tf.rax,
                     tf.rip, tf.rflags, tf.rsp};
    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||
        copy_to_user(e, frame_va, &frame, sizeof frame) < 0) {
        *failure = EnvEndHow::no_exception_stack;
        return E_FAULT;
    }
    tf.rip = e.upcalls.fault_entry;
    tf.rsp = frame_va;
    return 0;
    // STUB LAB 3
    //~ // LAB 3: your code here. Check that e.upcalls.fault_entry passes
    //~ // user_mem_check(e, entry, 1, 0) and that its PTE
    //~ // (e.page_table().lookup(entry).perm) lacks perm_no_execute, else
    //~ // *failure = EnvEndHow::bad_upcall. Place a UTrapFrame (lib/abi.hh)
    //~ // at the top of the exception stack [bottom, e.upcalls.stack_top),
    //~ // bottom = upcalls.stack_top - exception_stack_size (which wraps if
    //~ // upcalls.stack_top is that small: then there is no stack), or, if
    //~ // e.tf.rsp is already inside it (a fault in the handler), below
    //~ // e.tf.rsp - 8; align it down to 16 bytes. If it does not fit above
    //~ // bottom or copy_to_user fails: EnvEndHow::no_exception_stack. On
    //~ // failure leave e.tf untouched (its rip is recorded). Then resume at
    //~ // the entry with rsp at the frame.
    //~ (void) e, (void) fault_va, (void) failure;
    //~ return E_FAULT;
    // END LAB 3
}
