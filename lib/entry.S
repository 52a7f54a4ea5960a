# The first instructions of every user program. The kernel (or lib/spawn.cc)
# enters here in ring 3 with rdi = argc, rsi = argv and rsp 16-byte aligned
# (lib/abi.hh, "How a program starts"). We leave rdi and rsi alone, so they
# are libmain's arguments, and `call` leaves rsp 8 below a 16-byte
# boundary, as the ABI expects at a function's entry.
.section .text.entry, "ax"
.globl _start
_start:
    xor %ebp, %ebp          # end of the frame-pointer chain
    call libmain
    ud2                     # libmain never returns; trap if it somehow does
