#include "kern/frames.hh"
#include "kern/assert.hh"
#include "kern/console.hh"
#include "lib/error.hh"
#include "kern/memlayout.hh"
#include "kern/pte.hh"
#include "kern/revoke.hh"
#include "lib/string.hh"

constinit FrameTable frame_table{};

extern "C" char kernel_end[];

namespace {
// The boot page tables map the first 1 GiB, and the table must be
// reachable through them before the kernel's own tables exist.
constexpr uint64_t max_physical = 1ull << 30;
constexpr uint64_t low_memory_end = 0x100000;  // BIOS, VGA and the like

struct Region {
    uint64_t base, length;
};
constexpr size_t max_regions = 32;

// Copies the usable regions out of the loader's memory map first: the
// frame table is about to be written over memory the loader may have put
// the map in.
size_t usable_regions(const multiboot::Info& info, Region* out) {
    if (!(info.flags & multiboot::has_memory_map)) {
        // Older loaders: one region from 1 MiB up.
        out[0] = Region{low_memory_end, uint64_t(info.mem_upper_kb) * 1024};
        return 1;
    }
    size_t n = 0;
    uintptr_t p = info.mmap_addr, end = info.mmap_addr + info.mmap_length;
    while (p < end && n < max_regions) {
        auto* region = phys_to_kva<const multiboot::MemoryRegion>(p);
        if (region->type == multiboot::region_usable) out[n++] = Region{region->base, region->length};
        p += region->size + sizeof(region->size);
    }
    return n;
}
}  // namespace

namespace frames {

void init(const multiboot::Info& info) {
    Region regions[max_regions];
    size_t region_count = usable_regions(info, regions);
    uint64_t top = 0;
    for (size_t r = 0; r < region_count; ++r) {
        if (regions[r].base + regions[r].length > top) top = regions[r].base + regions[r].length;
    }
    if (top > max_physical) {
        cprintf("memory: using the first %lu MiB of %lu MiB\n", max_physical >> 20, top >> 20);
        top = max_physical;
    }
    frame_table.count = top / 4096;
    // After the image: the header page and the frames (both exposed to
    // library OSes, so nothing else shares their pages), then the audit's
    // counters.
    uintptr_t header_pa = page_round_up(kernel_image_to_phys(kernel_end));
    uintptr_t table_pa = header_pa + 4096;
    uintptr_t counts_pa = page_round_up(table_pa + frame_table.count * sizeof(FrameInfo));
    uintptr_t first_free = page_round_up(counts_pa + frame_table.count * sizeof(uint32_t));
    assert(first_free < top);
    frame_table.header = phys_to_kva<FrameTableHeader>(header_pa);
    memset(frame_table.header, 0, 4096);
    frame_table.header->frame_count = frame_table.count;
    frame_table.frames = phys_to_kva<FrameInfo>(table_pa);
    frame_table.audit_counts = phys_to_kva<uint32_t>(counts_pa);

    for (size_t i = 0; i < frame_table.count; ++i)
        frame_table.frames[i] = FrameInfo{1, owner_kernel, no_frame, 0};
    frame_table.free_count = 0;
    frame_table.free_head = no_frame;
    // Push from the top down so the list hands out low frames first.
    for (size_t i = frame_table.count; i-- > 0;) {
        uint64_t pa = uint64_t(i) * 4096;
        if (pa < first_free) break;
        bool usable = false;
        for (size_t r = 0; r < region_count; ++r) {
            if (pa >= regions[r].base && pa + 4096 <= regions[r].base + regions[r].length) usable = true;
        }
        if (!usable) continue;
        frame_table.frames[i] = FrameInfo{0, owner_free, frame_table.free_head, 0};
        frame_table.free_head = static_cast<uint32_t>(i);
        ++frame_table.free_count;
    }
    cprintf("memory: %lu frames (%lu MiB), %lu free\n", frame_table.count,
            (frame_table.count * 4096) >> 20, frame_table.free_count);
}

int alloc(int32_t owner, uintptr_t* pa) {
    // BEGIN LAB 2
    if (frame_table.free_head == no_frame) return E_NO_MEM;
    uint32_t n = frame_table.free_head;
    FrameInfo& f = frame_table.frames[n];
    frame_table.free_head = f.next_free;
    --frame_table.free_count;
    f = FrameInfo{0, owner, no_frame, 0};
    *pa = uintptr_t(n) * 4096;
    memset(phys_to_kva(*pa), 0, 4096);
    return 0;
    // STUB LAB 2
    //~ // LAB 2: your code here. Take the frame at frame_table.free_head off
    //~ // the free list (its next_free is the new head), record the owner
    //~ // with refcount 0, zero its 4 KiB through the direct map
    //~ // (phys_to_kva) and return its physical address in *pa. An empty
    //~ // list is E_NO_MEM, never a panic.
    //~ (void) owner, (void) pa;
    //~ return E_NO_MEM;
    // END LAB 2
}

void free(uintptr_t pa) {
    FrameInfo& f = info(pa);
    assert(f.owner != owner_free);
    assert_eq(f.refcount, 0u);
    revoke::uncharged(f.owner);   // Lab 7: before the owner is forgotten
    // BEGIN LAB 2
    f = FrameInfo{0, owner_free, frame_table.free_head, 0};
    frame_table.free_head = static_cast<uint32_t>(number(pa));
    ++frame_table.free_count;
    // STUB LAB 2
    //~ // LAB 2: your code here. Mark the frame free and push it on the
    //~ // front of the free list; keep frame_table.free_count right.
    // END LAB 2
}

int take(int32_t owner, uint64_t number, uintptr_t* pa) {
    if (number >= frame_table.count) return E_INVAL;
    if (frame_table.frames[number].owner != owner_free) return E_BUSY;
    // Unlink it: find the free frame that points at it (or the head).
    uint32_t* link = &frame_table.free_head;
    while (*link != number) {
        assert(*link != no_frame);   // a free frame is on the list
        link = &frame_table.frames[*link].next_free;
    }
    *link = frame_table.frames[number].next_free;
    frame_table.free_count -= 1;
    frame_table.frames[number] = FrameInfo{0, owner, no_frame, 0};
    *pa = uintptr_t(number) * 4096;
    memset(phys_to_kva(*pa), 0, page_size);
    return 0;
}

void bad_frame(uintptr_t pa, const char* what) { panic("frame %lx: %s", pa, what); }

}  // namespace frames
