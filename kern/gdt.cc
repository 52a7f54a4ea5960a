#include "kern/gdt.hh"
#include "kern/memlayout.hh"

extern "C" char kernel_stack_top[];

namespace {

struct [[gnu::packed]] TaskState {
    uint32_t reserved0;
    uint64_t rsp[3];        // stacks for traps from rings 0..2 into ring 0
    uint64_t reserved1;
    uint64_t ist[7];        // interrupt stack table
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

constinit TaskState tss{};
alignas(16) char double_fault_stack[4096];
alignas(16) char nmi_stack[4096];

// Descriptors: flat 64-bit code, flat data, each for ring 0 and ring 3,
// then the 16-byte TSS descriptor (filled in at run time: its address is
// not a constant expression).
constinit uint64_t descriptors[7] = {
    0,
    0x00AF9A000000FFFF,     // kernel code: present, DPL 0, long mode
    0x00CF92000000FFFF,     // kernel data
    0x00CFF2000000FFFF,     // user data: DPL 3
    0x00AFFA000000FFFF,     // user code: DPL 3, long mode
    0, 0,
};

struct [[gnu::packed]] Pointer {
    uint16_t limit;
    uint64_t base;
};

}  // namespace

namespace gdt {

void init() {
    tss.rsp[0] = reinterpret_cast<uint64_t>(kernel_stack_top);
    tss.ist[double_fault_ist - 1] = reinterpret_cast<uint64_t>(double_fault_stack + sizeof double_fault_stack);
    tss.ist[nmi_ist - 1] = reinterpret_cast<uint64_t>(nmi_stack + sizeof nmi_stack);
    tss.iomap_base = sizeof(TaskState);  // no I/O permission bitmap
    uint64_t base = reinterpret_cast<uint64_t>(&tss), limit = sizeof(TaskState) - 1;
    descriptors[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                     (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    descriptors[6] = base >> 32;

    Pointer p{sizeof(descriptors) - 1, reinterpret_cast<uint64_t>(descriptors)};
    asm volatile(
        "lgdt %0\n"
        "mov %1, %%ds\n mov %1, %%es\n mov %1, %%ss\n"
        "xor %%eax, %%eax\n mov %%ax, %%fs\n mov %%ax, %%gs\n"
        // Reload cs with a far return.
        "pushq %2\n lea 1f(%%rip), %%rax\n pushq %%rax\n lretq\n1:\n"
        "ltr %w3\n"
        :
        : "m"(p), "r"(kernel_data), "i"(kernel_code), "r"(tss_selector)
        : "rax", "memory");
}

void set_user_trap_stack(uintptr_t top) { tss.rsp[0] = top; }

}  // namespace gdt
