#include "kern/kernel_vm.hh"
#include "kern/console.hh"
#include "lib/error.hh"
#include "kern/frames.hh"
#include "kern/memlayout.hh"
#include "kern/revoke.hh"
#include "kern/slices.hh"
#include "kern/userprogs.hh"
#include "kern/x86.hh"
#include "lib/string.hh"

extern "C" char kernel_text_start[], kernel_text_end[], kernel_rodata_end[], kernel_end[],
    kernel_stack_guard[], userprogs_start[], userprogs_end[];

uintptr_t kernel_pml4 = 0;

// PageTable's default owner, for tables made without one.
static_assert(owner_kernel == -1);

namespace {

uintptr_t alloc_table(int32_t owner) {
    uintptr_t pa;
    if (revoke::take_frame(owner, frame_any, &pa) < 0) return 0;
    frames::info(pa).refcount = 1;
    return pa;
}
void free_table(uintptr_t pa) {
    frames::info(pa).refcount = 0;
    frames::free(pa);
    // The live env may have read this table through its self-map (uvpt),
    // and the TLB may still translate that view to the freed frame, which
    // will soon hold someone else's data. One CPU, no PCIDs: reloading cr3
    // drops every non-global translation.
    asm volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
}
uint64_t* table_at(uintptr_t pa) { return phys_to_kva<uint64_t>(pa); }
void invalidate(uintptr_t root, uintptr_t va) {
    // Only the live table can have TLB entries (no PCIDs, one CPU).
    if ((x86::read_cr3() & pte::address_mask) == root) asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

uintptr_t image_va(const char* symbol) { return reinterpret_cast<uintptr_t>(symbol); }

}  // namespace

const PageTableMemory kernel_table_memory{alloc_table, free_table, table_at, invalidate, phys_map_base};

namespace kernel_vm {

int map_kernel(PageTable& pt) {
    // BEGIN LAB 2
    // All RAM at PHYS_MAP_BASE: data, never code.
    for (uintptr_t pa = 0; pa < frame_table.count * 4096; pa += 4096) {
        if (int r = pt.map(phys_map_base + pa, pa, pte::writable | pte::global | pte::no_execute); r < 0)
            return r;
    }
    // The image: text read-only and executable, read-only data not
    // executable, the rest writable data, except the stack's guard page.
    for (uintptr_t va = image_va(kernel_text_start); va < image_va(kernel_end); va += 4096) {
        uint64_t perm = pte::global;
        if (va >= image_va(kernel_text_end)) perm |= pte::no_execute;
        if (va >= image_va(kernel_rodata_end)) perm |= pte::writable;
        if (va == image_va(kernel_stack_guard)) continue;
        if (int r = pt.map(va, va - kernbase, perm); r < 0) return r;
    }
    return 0;
    // STUB LAB 2
    //~ // LAB 2: your code here. Map (1) every frame, 0 .. frame_table.count
    //~ // pages, at phys_map_base + pa: writable, global, no-execute; and (2)
    //~ // the kernel image from kernel_text_start to kernel_end at va ->
    //~ // va - kernbase: text not writable, everything from kernel_text_end
    //~ // on no-execute, writable from kernel_rodata_end on, and leave the
    //~ // page at kernel_stack_guard unmapped. Return the first error.
    //~ (void) pt, (void) image_va;
    //~ return E_INVAL;
    // END LAB 2
}

int expose_frame_table(PageTable& pt) {
    // The header page and the frames after it: user-readable, never
    // writable or executable. Global: the same in every address space.
    uintptr_t header_pa = kva_to_phys(frame_table.header);
    size_t bytes = 4096 + frame_table.count * sizeof(FrameInfo);
    for (size_t off = 0; off < bytes; off += 4096) {
        if (int r = pt.map(frame_table_view + off, header_pa + off, pte::user | pte::global | pte::no_execute);
            r < 0)
            return r;
    }
    return 0;
}

// Lab 5's spawn loads programs in the library OS, so the images the build
// embedded are exposed read-only, in place, behind a directory of names
// and offsets (lib/abi.hh's ProgramDirectory). Global, like the frame table.
int expose_programs(PageTable& pt) {
    constexpr uint64_t user_read_only = pte::user | pte::global | pte::no_execute;
    constexpr size_t directory_pages = program_directory_size / 4096;
    char* page[directory_pages];   // the directory's frames need not be contiguous
    for (size_t i = 0; i < directory_pages; ++i) {
        uintptr_t pa = alloc_table(owner_kernel);   // zeroed
        if (!pa) return E_NO_MEM;
        page[i] = phys_to_kva<char>(pa);
        if (int r = pt.map(program_table_view + i * 4096, pa, user_read_only); r < 0) return r;
    }
    uintptr_t images = image_va(userprogs_start);
    for (uintptr_t va = images; va < image_va(userprogs_end); va += 4096) {
        if (int r = pt.map(program_table_view + program_directory_size + (va - images), va - kernbase,
                           user_read_only);
            r < 0)
            return r;
    }
    // Entries are 64 bytes after a 64-byte header, so none straddles a page.
    auto at = [&](size_t offset) { return page[offset / 4096] + offset % 4096; };
    uint64_t count = 0;
    constexpr size_t capacity = sizeof ProgramDirectory::programs / sizeof(ProgramEntry);
    for (const UserProgram* p = user_programs(); p->name && count < capacity; ++p) {
        if (strlen(p->name) > program_name_max) continue;
        ProgramEntry entry{};
        memcpy(entry.name, p->name, strlen(p->name) + 1);
        entry.offset = program_directory_size + (reinterpret_cast<uintptr_t>(p->image) - images);
        entry.size = p->size();
        memcpy(at(offsetof(ProgramDirectory, programs) + count * sizeof entry), &entry, sizeof entry);
        ++count;
    }
    memcpy(at(0), &count, sizeof count);
    return 0;
}

// Kernel state a library OS reads where the kernel keeps it: the pages of
// an object in the image, mapped read-only at view. The kernel updates it
// in place and every env sees the update.
int expose_in_place(PageTable& pt, uintptr_t view, const void* object, size_t size) {
    uintptr_t start = reinterpret_cast<uintptr_t>(object);
    for (size_t off = 0; off < size; off += 4096) {
        if (int r = pt.map(view + off, start + off - kernbase, pte::user | pte::global | pte::no_execute); r < 0)
            return r;
    }
    return 0;
}

int init() {
    uintptr_t root = alloc_table(owner_kernel);
    if (!root) return E_NO_MEM;
    PageTable pt(root, kernel_table_memory);
    // On failure the boot tables stay in use; the few pages taken so far
    // are not worth a cleanup path.
    if (int r = map_kernel(pt); r < 0) return r;
    if (int r = expose_frame_table(pt); r < 0) return r;
    if (int r = expose_programs(pt); r < 0) return r;
    // Lab 6's slice vector and CPU counters; Lab 7's quotas, requests and
    // repossession vectors.
    if (int r = expose_in_place(pt, slice_table_view, &slice_table, sizeof slice_table); r < 0) return r;
    if (int r = expose_in_place(pt, memory_table_view, &memory_table, sizeof memory_table); r < 0) return r;
    asm volatile("mov %0, %%cr3" : : "r"(root) : "memory");
    kernel_pml4 = root;
    return 0;
}

}  // namespace kernel_vm
