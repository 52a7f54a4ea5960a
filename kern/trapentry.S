# Interrupt, exception and system-call entry. Each of the 256 vectors has
# a 16-byte stub at trap_entries + 16 * vector that makes the stack look
# the same for every vector (an error code, real or 0, then the vector
# number) and jumps to trap_common, which saves the registers as a
# TrapFrame and calls trap(). syscall_entry builds the same frame.
#
# From user mode the frame is built in place in the running env's
# Env::tf: TSS.rsp0 and user_frame_top point just past it (env::run sets
# both), so the CPU's pushes and ours land where the scheduler keeps the
# env's registers, and nothing is copied. Only then do we move to the
# kernel stack. A trap from ring 0 stays on the stack it came from.

# Must match gdt.hh and trap.hh (kern/trap.cc static_asserts them).
.set USER_DATA_SELECTOR, 0x1b
.set USER_CODE_SELECTOR, 0x23
.set SYSCALL_VECTOR, 0x30
.set TF_CS, 18 * 8      # TrapFrame::cs, after 15 registers, vector, error code, rip

.macro push_registers
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.altmacro
.macro trap_stub n
    .balign 16
    # The CPU pushes an error code for these vectors only.
    .if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
        pushq $0
    .endif
    pushq $\n
    jmp trap_common
.endm

.text
.balign 16
.globl trap_entries
trap_entries:
.set vector, 0
.rept 256
    trap_stub %vector
    .set vector, vector + 1
.endr

# The `syscall` instruction's entry (MSR_LSTAR). The CPU has put the user
# rip in rcx and rflags in r11, masked rflags (interrupts off, TF and DF
# clear) and loaded the kernel cs/ss, but left rsp alone: it is still the
# user's, and must not be trusted. Build the same frame an interrupt gate
# would, tagged with trap_vector::syscall, so one trap() and one return
# path (iretq) serve every frame. One CPU and interrupts off: a global
# can hold the user rsp for the two instructions until it is in the frame.
# FMASK has cleared AC and DF, so none of trap_common's flag work is due,
# and syscall_trap() goes straight to the dispatcher.
.globl syscall_entry
.type syscall_entry, @function
syscall_entry:
    mov %rsp, syscall_user_rsp(%rip)
    mov user_frame_top(%rip), %rsp
    pushq $USER_DATA_SELECTOR       # ss
    pushq syscall_user_rsp(%rip)    # rsp
    pushq %r11                      # rflags
    pushq $USER_CODE_SELECTOR       # cs
    pushq %rcx                      # rip
    pushq $0                        # error code
    pushq $SYSCALL_VECTOR
    push_registers
    mov $kernel_stack_top, %rsp
    # A zero frame pointer ends kernel backtraces at the trap boundary.
    xor %ebp, %ebp
    call syscall_trap
1:  hlt                     # syscall_trap() never returns
    jmp 1b
.size syscall_entry, . - syscall_entry

trap_common:
    push_registers
    mov %rsp, %rdi
    # From user mode the frame is in the env: leave it before pushing
    # anything more (below it is the env before, or whatever precedes
    # envs[]).
    testb $3, TF_CS(%rsp)
    jz 1f
    mov $kernel_stack_top, %rsp
1:  # Interrupt gates leave AC as user code set it, and AC set would turn
    # SMAP off for the kernel (`syscall` clears it through FMASK).
    pushfq
    andq $~0x40000, (%rsp)
    popfq
    cld
    xor %ebp, %ebp
    call trap
2:  hlt                     # trap() never returns
    jmp 2b

.globl trap_return
.type trap_return, @function
trap_return:
    mov %rdi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    add $16, %rsp           # the vector and error code
    # iretq, not sysretq, even after a syscall: one path for every frame,
    # every register restored, and no sysretq hazard (on Intel, sysretq to
    # a non-canonical rip faults in ring 0 with the user's rsp). iretq to a
    # non-canonical rip faults in ring 0 too, on the kernel stack: env::run
    # refuses one before we get here.
    iretq
.size trap_return, . - trap_return

.bss
.balign 8
syscall_user_rsp:
    .quad 0
# Just past the running env's TrapFrame (traps::set_user_frame).
.globl user_frame_top
user_frame_top:
    .quad 0
