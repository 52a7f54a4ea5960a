# The library's slice upcalls (Lab 6). The kernel enters both with rsp at
# the top of the exception stack and rdi = the save area (lib/slices.hh).
# While rsp is on the exception stack the kernel delivers no epilogue, so
# the state being resumed is copied there first: a slice that ends in the
# middle of the copy or the pops is saved by the kernel and resumed as it
# was, never half-restored by another epilogue.

.set UTF_WORDS, 21          # sizeof(UTrapFrame) / 8; lib/slices.cc checks
.set SYS_YIELD, 5           # lib/abi.hh; lib/slices.cc checks
.set SAVE_AREA, 0x7FFFFFFFD000   # lib/layout.hh's slice_save_va; lib/slices.cc checks

.text
.globl epilogue_upcall
.type epilogue_upcall, @function
epilogue_upcall:
    cld
    mov epilogue_handler(%rip), %rax
    test %rax, %rax
    jz 1f
    call *%rax                  # handler(save area): rdi as the kernel set it
1:  mov $SYS_YIELD, %eax        # ends the epilogue; what it took is borrowed
    syscall
    # With a prologue registered the next slice starts there instead; with
    # none, the kernel resumes us here and we restore the state ourselves.
    jmp resume_save_area
.size epilogue_upcall, . - epilogue_upcall

.globl prologue_upcall
.type prologue_upcall, @function
prologue_upcall:
    cld
    mov prologue_handler(%rip), %rax
    test %rax, %rax
    jz resume_save_area
    call *%rax                  # handler(save area)
    # Falls through.

# Copies the save area onto the exception stack and resumes it.
resume_save_area:
    movabs $SAVE_AREA, %rsi
    sub $UTF_WORDS * 8, %rsp
    mov %rsp, %rdi
    mov $UTF_WORDS, %ecx
    rep movsq
    jmp resume_frame
.size prologue_upcall, . - prologue_upcall
