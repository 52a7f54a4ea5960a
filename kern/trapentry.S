# Interrupt and exception entry. Each of the 256 vectors has a 16-byte stub
# at trap_entries + 16 * vector that makes the stack look the same for
# every vector (an error code, real or 0, then the vector number) and jumps
# to trap_common, which saves the registers as a TrapFrame and calls trap().

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

trap_common:
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
    mov %rsp, %rdi
    cld
    # A zero frame pointer ends kernel backtraces at the trap boundary.
    xor %ebp, %ebp
    call trap
1:  hlt                     # trap() never returns
    jmp 1b

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
    iretq
.size trap_return, . - trap_return
