# pgfault_upcall: where the kernel resumes an env after a page fault it
# reflects to user space. rsp points at a UTrapFrame (lib/abi.hh), 16-byte
# aligned, on the exception stack. We call the C++ handler, then go back to
# the faulting instruction without entering the kernel: the trap-time rip
# is written just below the trap-time rsp (an 8-byte gap the kernel leaves
# for this when the fault was already on the exception stack, and the
# ordinary stack otherwise: user code has no red zone), so that after
# restoring everything else, switching to that stack and `ret` resume it.

# UTrapFrame field offsets. They must match lib/abi.hh; lib/pgfault.cc
# static_asserts each one, with the order r15 .. rax, rip, rflags, rsp.
.set UTF_R15, 3 * 8         # after fault_va, error_code, vector
.set UTF_RIP, 18 * 8
.set UTF_RSP, 20 * 8

.text
.globl pgfault_upcall
.type pgfault_upcall, @function
pgfault_upcall:
    # The C ABI wants DF clear on entry; the faulting code may have set it.
    # popfq below puts its own value back.
    cld
    mov %rsp, %rdi              # the handler argument: the frame
    call *pgfault_handler(%rip) # rsp is 16-aligned here, as the ABI wants
    # Falls through: the frame is at (%rsp) again.

# resume_frame: resumes the state in the UTrapFrame at (%rsp), with no
# system call. Lab 6's slice upcalls (lib/sliceentry.S) and threads
# (lib/threadswitch.S) end here too, after copying a frame onto the
# exception stack.
.globl resume_frame
.type resume_frame, @function
resume_frame:
# BEGIN LAB 3
    # Push the trap-time rip onto the trap-time stack by hand, and make the
    # frame say so: the final `pop %rsp; ret` then lands on the faulting
    # instruction. rax and rbx are free: their frame copies come back below.
    mov UTF_RIP(%rsp), %rax
    mov UTF_RSP(%rsp), %rbx
    sub $8, %rbx
    mov %rax, (%rbx)
    mov %rbx, UTF_RSP(%rsp)

    add $UTF_R15, %rsp          # skip fault_va, error_code, vector
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $8, %rsp                # skip rip: it is on the other stack now
    # From here on nothing may change the flags, so no add or sub.
    popfq
    pop %rsp                    # the trap-time rsp, less the 8 bytes for rip
    ret                         # pops rip, leaving rsp as at the fault
# STUB LAB 3
#~ # LAB 3: your code here. Return to the faulting context with no syscall,
#~ # with every register and rflags as they were at the fault. The frame at
#~ # (%rsp) holds them all (the handler was free to clobber the registers).
#~ # Trick: store the trap-time rip in the 8 bytes just below the trap-time
#~ # rsp and write that lowered rsp back into the frame; then the last two
#~ # instructions can be `pop %rsp` and `ret`. Before that, skip the first
#~ # three fields, pop the general registers in frame order (UTF_R15 and
#~ # friends above give the offsets), skip rip, and popfq. Mind the order:
#~ # after popfq no instruction may change the flags.
#~ ud2
# END LAB 3
.size pgfault_upcall, . - pgfault_upcall
.size resume_frame, . - resume_frame
