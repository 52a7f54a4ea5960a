# Boot path: QEMU (or GRUB) loads us as a Multiboot 1 kernel and jumps to
# boot_entry32 in 32-bit protected mode with paging off. We build a minimal
# page table, switch to 64-bit long mode and jump to the kernel's high
# virtual address. Everything in .boot runs at its physical address.

#include "kern/memlayout.hh"

.set MB_MAGIC,      0x1BADB002
.set MB_FLAGS,      0x00000003       # page-align modules, want a memory map
.set MB_CHECKSUM,   -(MB_MAGIC + MB_FLAGS)

.set CR0_PE,        0x00000001
.set CR0_WP,        0x00010000
.set CR0_PG,        0x80000000
.set CR4_PAE,       0x00000020
.set EFER_MSR,      0xC0000080
.set EFER_LME,      0x00000100
.set EFER_NXE,      0x00000800
.set PTE_P,         0x001
.set PTE_W,         0x002
.set PTE_PS,        0x080

.section .multiboot, "a"
.align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long MB_CHECKSUM

.section .boot.text, "ax"
.code32
.globl boot_entry32
boot_entry32:
    cli
    cld
    # Multiboot hands us its magic in eax and the info block in ebx; keep
    # them in registers the 64-bit code will pass to kernel_main.
    mov %eax, %edi
    mov %ebx, %esi
    mov $boot_stack_top_phys, %esp

    # One page directory of 2 MiB pages maps the first 1 GiB. It is
    # reachable from three places: identity (so this code survives turning
    # paging on), the direct map at PHYS_MAP_BASE, and KERNBASE.
    mov $boot_pd, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_P | PTE_W | PTE_PS), %eax
    mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b

    movl $(boot_pd + PTE_P + PTE_W), boot_pdpt_low
    movl $(boot_pd + PTE_P + PTE_W), boot_pdpt_high + 8 * 510
    movl $(boot_pdpt_low + PTE_P + PTE_W), boot_pml4
    movl $(boot_pdpt_low + PTE_P + PTE_W), boot_pml4 + 8 * 256
    movl $(boot_pdpt_high + PTE_P + PTE_W), boot_pml4 + 8 * 511

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $EFER_MSR, %ecx
    rdmsr
    or $(EFER_LME | EFER_NXE), %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PE | CR0_PG | CR0_WP), %eax
    mov %eax, %cr0

    # Paging is on and we are in compatibility mode; a far jump through a
    # 64-bit code segment enters long mode proper.
    lgdt boot_gdt_desc
    ljmp $8, $boot_entry64_low

.code64
boot_entry64_low:
    mov $16, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $kernel_entry64, %rax
    jmp *%rax

.section .boot.data, "a"
.align 16
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF        # 64-bit code, ring 0
    .quad 0x00CF92000000FFFF        # data, ring 0
boot_gdt_desc:
    .word boot_gdt_desc - boot_gdt - 1
    .long boot_gdt

.section .boot.bss, "aw", @nobits
.align 4096
boot_pml4:      .space 4096
boot_pdpt_low:  .space 4096
boot_pdpt_high: .space 4096
boot_pd:        .space 4096
boot_stack:     .space 4096
boot_stack_top_phys:

# Now at the kernel's high address. Switch to the real boot stack, clear
# the frame pointer so backtraces end here, and enter C++.
.section .text.entry64, "ax"
.globl kernel_entry64
.type kernel_entry64, @function
kernel_entry64:
    movabs $kernel_stack_top, %rsp
    xor %ebp, %ebp
    # edi = multiboot magic, esi = physical address of the info block
    call kernel_main
2:  hlt
    jmp 2b
.size kernel_entry64, . - kernel_entry64

.section .bss
.align 4096
# Left unmapped in the kernel's page tables, so running off the bottom of
# the stack faults instead of overwriting whatever lies below.
.globl kernel_stack_guard, kernel_stack_bottom, kernel_stack_top
kernel_stack_guard:
    .space 4096
kernel_stack_bottom:
    .space KERNEL_STACK_SIZE
kernel_stack_top:
