# The first instructions of every user program. Lab 3's kernel enters here
# in ring 3 with rsp at the top of the user stack.
.section .text.entry, "ax"
.globl _start
_start:
    xor %ebp, %ebp          # end of the frame-pointer chain
    call libmain
1:  jmp 1b                  # libmain never returns
