# The first instructions of every user program. The kernel enters here in
# ring 3 with rsp = user_stack_top (16-byte aligned) and the program's
# argument in rdi. We leave rdi alone, so it is libmain's first argument,
# and `call` leaves rsp 8 below a 16-byte boundary, as the ABI expects at
# a function's entry.
.section .text.entry, "ax"
.globl _start
_start:
    xor %ebp, %ebp          # end of the frame-pointer chain
    call libmain
    ud2                     # libmain never returns; trap if it somehow does
