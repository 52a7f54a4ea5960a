# thread_switch(UTrapFrame* save, const UTrapFrame* next, uint32_t* critical):
# a voluntary switch between user-level threads (lib/threads.cc). Saves
# the caller as a frame that resumes at our return address with the
# registers a call must preserve (the others a call may clobber anyway),
# then resumes `next`, a frame saved here or by the epilogue.
#
# `next` is copied onto the exception stack and resumed from there: while
# rsp is on that stack the kernel delivers no epilogue, so a slice that
# ends in the middle is saved by the kernel and resumed as it was. That
# is also what makes it safe to clear *critical (the library's "do not
# preempt" flag) before the last instruction: from then on the epilogue
# may take the new thread, whose frame is whole.

.set UTF_WORDS, 21              # lib/threads.cc checks these
.set UTF_R15, 3 * 8
.set UTF_R14, 4 * 8
.set UTF_R13, 5 * 8
.set UTF_R12, 6 * 8
.set UTF_RBP, 11 * 8
.set UTF_RBX, 16 * 8
.set UTF_RIP, 18 * 8
.set UTF_RFLAGS, 19 * 8
.set UTF_RSP, 20 * 8
.set EXCEPTION_STACK_TOP, 0x00007FFFFFFFE000

.text
.globl thread_switch
.type thread_switch, @function
thread_switch:
    mov (%rsp), %rax
    mov %rax, UTF_RIP(%rdi)
    lea 8(%rsp), %rax
    mov %rax, UTF_RSP(%rdi)
    mov %rbx, UTF_RBX(%rdi)
    mov %rbp, UTF_RBP(%rdi)
    mov %r12, UTF_R12(%rdi)
    mov %r13, UTF_R13(%rdi)
    mov %r14, UTF_R14(%rdi)
    mov %r15, UTF_R15(%rdi)
    pushfq
    pop %rax
    mov %rax, UTF_RFLAGS(%rdi)

    movabs $EXCEPTION_STACK_TOP - UTF_WORDS * 8, %rax
    mov %rax, %rsp
    mov %rax, %rdi
    mov $UTF_WORDS, %ecx
    rep movsq                   # DF is clear: the ABI says so at a call
    movl $0, (%rdx)
    jmp resume_frame
.size thread_switch, . - thread_switch
