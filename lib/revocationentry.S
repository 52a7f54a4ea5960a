# revocation_upcall: where the kernel enters an env with a revocation
# request or a repossession notice (Lab 7). rsp points at a UTrapFrame on
# the exception stack, as for a page fault (lib/pfentry.S): call the C++
# dispatcher, then resume the interrupted code through resume_frame.
.text
.globl revocation_upcall
.type revocation_upcall, @function
revocation_upcall:
    cld
    mov %rsp, %rdi
    call revocation_dispatch
    jmp resume_frame
.size revocation_upcall, . - revocation_upcall
