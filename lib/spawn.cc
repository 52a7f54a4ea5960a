#include "lib/spawn.hh"
#include "lib/elf.hh"
#include "lib/error.hh"
#include "lib/layout.hh"
#include "lib/string.hh"
#include "lib/syscall.hh"
#include "lib/uvpt.hh"

const uint8_t* program_image(const char* name, size_t* size) {
    auto* directory = reinterpret_cast<const ProgramDirectory*>(program_table_view);
    for (uint64_t i = 0; i < directory->count; ++i) {
        const ProgramEntry& p = directory->programs[i];
        if (strcmp(p.name, name) == 0) {
            *size = p.size;
            return reinterpret_cast<const uint8_t*>(program_table_view + p.offset);
        }
    }
    return nullptr;
}

namespace {

constexpr uint64_t scratch_perm = perm_present | perm_user | perm_writable;

// Where the loader fills the page the child will see at va.
[[maybe_unused]] uintptr_t scratch_of(uintptr_t va, uintptr_t lowest) { return spawn_scratch_base + (va - lowest); }

void unmap_scratch() {
    uvpt::for_each_mapped(spawn_scratch_base, spawn_scratch_base + spawn_scratch_size,
                          [](uintptr_t va, uint64_t) { sys_page_unmap(0, va); });
}

// The ELF header, or nullptr unless image is a static x86-64 executable
// whose program headers lie inside it.
const elf::FileHeader* header_of(const uint8_t* image, size_t size) {
    if (size < sizeof(elf::FileHeader)) return nullptr;
    auto* h = reinterpret_cast<const elf::FileHeader*>(image);
    if (h->magic != elf::magic || h->elf_class != elf::class64 || h->type != elf::type_exec ||
        h->machine != elf::machine_x86_64 || h->phentsize != sizeof(elf::ProgramHeader))
        return nullptr;
    if (h->phoff > size || h->phnum > (size - h->phoff) / sizeof(elf::ProgramHeader)) return nullptr;
    return h;
}

// Maps every PT_LOAD segment of image into child, with the segment's
// rights, and sets *entry. Each page the file has bytes for is filled in
// our scratch area (spawn_scratch_base) while the child already maps the
// same frame. The caller unmaps the scratch area.
int64_t load_segments(int32_t child, const uint8_t* image, size_t size, uintptr_t* entry) {
    const elf::FileHeader* h = header_of(image, size);
    if (!h) return E_INVAL;
    auto* phdrs = reinterpret_cast<const elf::ProgramHeader*>(image + h->phoff);
    // BEGIN LAB 5
    uintptr_t lowest = user_top;
    for (size_t i = 0; i < h->phnum; ++i)
        if (phdrs[i].type == elf::segment_load && phdrs[i].memsz && phdrs[i].vaddr < lowest)
            lowest = phdrs[i].vaddr & ~uintptr_t(4095);
    for (size_t i = 0; i < h->phnum; ++i) {
        const elf::ProgramHeader& ph = phdrs[i];
        if (ph.type != elf::segment_load || ph.memsz == 0) continue;
        // Every number comes from the file: no sum may overflow.
        if (ph.filesz > ph.memsz || ph.offset > size || ph.filesz > size - ph.offset || ph.vaddr < user_bottom ||
            ph.vaddr >= user_top || ph.memsz > user_top - ph.vaddr || ph.vaddr + ph.memsz - lowest > spawn_scratch_size)
            return E_INVAL;
        uint64_t perm = perm_present | perm_user | ((ph.flags & elf::segment_write) ? perm_writable : 0) |
                        ((ph.flags & elf::segment_execute) ? 0 : perm_no_execute);
        uintptr_t file_end = ph.vaddr + ph.filesz;
        for (uintptr_t va = ph.vaddr & ~uintptr_t(4095); va < ph.vaddr + ph.memsz; va += 4096) {
            uintptr_t scratch = scratch_of(va, lowest);
            if (va >= file_end) {   // bss only: a zeroed frame is all it needs
                if (!uvpt::mapped(scratch))
                    if (int64_t r = sys_page_alloc(child, va, perm); r < 0) return r;
                continue;
            }
            if (!uvpt::mapped(scratch)) {   // else an earlier segment shares this page
                if (int64_t r = sys_page_alloc(0, scratch, scratch_perm); r < 0) return r;
                if (int64_t r = sys_page_map(0, scratch, child, va, perm); r < 0) return r;
            }
            uintptr_t from = va > ph.vaddr ? va : ph.vaddr;
            uintptr_t to = va + 4096 < file_end ? va + 4096 : file_end;
            memcpy(reinterpret_cast<void*>(scratch_of(from, lowest)), image + ph.offset + (from - ph.vaddr), to - from);
        }
    }
    *entry = h->entry;
    return 0;
    // STUB LAB 5
    //~ // LAB 5: your code here. For each PT_LOAD header with memsz > 0 (the
    //~ // file is untrusted: refuse with E_INVAL unless filesz <= memsz,
    //~ // [offset, offset + filesz) lies inside size, and [vaddr, vaddr +
    //~ // memsz) lies in [user_bottom, user_top), each test written so that
    //~ // no sum can overflow), give the child every page of [vaddr rounded
    //~ // down, vaddr + memsz) with the segment's rights: present, user,
    //~ // writable if flags has elf::segment_write, no-execute unless it has
    //~ // elf::segment_execute.
    //~ // - A page the file has no bytes for (bss) needs only a zeroed
    //~ //   frame: sys_page_alloc(child, va, perm), unless an earlier
    //~ //   segment already gave it one (its scratch page is mapped).
    //~ // - A page with file bytes: allocate it at scratch_of(va, lowest)
    //~ //   (lowest: the lowest segment's page; also refuse a program
    //~ //   spanning more than spawn_scratch_size), bind the child's va to
    //~ //   that same frame with perm, then copy the bytes in through the
    //~ //   scratch page. Two segments may share a page: if its scratch page
    //~ //   is already mapped (uvpt::mapped), just copy more bytes in.
    //~ // Set *entry to the entry point. Return the first error.
    //~ (void) child, (void) phdrs, (void) entry;
    //~ return E_NO_SYS;
    // END LAB 5
}

// The child's stack: user_stack_pages pages under user_stack_top, with the
// argument strings and argv at its top (lib/abi.hh). Sets *argc and the
// child's *argv and *rsp.
int64_t build_stack(int32_t child, const char* const* args, uint64_t* argc, uintptr_t* argv, uintptr_t* rsp) {
    size_t n = 0, bytes = 0;
    for (; args && args[n]; ++n) {
        bytes += strlen(args[n]) + 1;
        if (bytes > 4096 || n > 4096 / 8) return E_INVAL;
    }
    uintptr_t array_size = (n + 1) * 8;
    if (bytes + array_size + 16 > 4096) return E_INVAL;
    uintptr_t top_page = user_stack_top - 4096;
    uintptr_t scratch = spawn_scratch_base;   // the loader's pages are gone by now
    if (int64_t r = sys_page_alloc(0, scratch, scratch_perm); r < 0) return r;
    // Addresses as the child will see them, written through the scratch page.
    auto in_scratch = [&](uintptr_t child_va) { return reinterpret_cast<char*>(scratch + (child_va - top_page)); };
    uintptr_t strings = user_stack_top - bytes;
    uintptr_t array = (strings - array_size) & ~uintptr_t(15);
    uintptr_t at = strings;
    for (size_t i = 0; i < n; ++i) {
        size_t len = strlen(args[i]) + 1;
        memcpy(in_scratch(at), args[i], len);
        reinterpret_cast<uint64_t*>(in_scratch(array))[i] = at;
        at += len;
    }
    reinterpret_cast<uint64_t*>(in_scratch(array))[n] = 0;
    int64_t r = sys_page_map(0, scratch, child, top_page, scratch_perm | perm_no_execute);
    sys_page_unmap(0, scratch);
    for (uintptr_t va = user_stack_bottom; r == 0 && va < top_page; va += 4096)
        r = sys_page_alloc(child, va, scratch_perm | perm_no_execute);
    *argc = n, *argv = array, *rsp = array;
    return r;
}

}  // namespace

int32_t spawn(const char* name, const char* const* argv) {
    size_t size;
    const uint8_t* image = program_image(name, &size);
    if (!image) return E_INVAL;
    int64_t child = sys_exofork();
    if (child < 0) return static_cast<int32_t>(child);
    // The child never runs this far: it gets fresh registers below before
    // it is made runnable.
    auto id = static_cast<int32_t>(child);
    UTrapFrame regs{};
    int64_t r = load_segments(id, image, size, &regs.rip);
    unmap_scratch();
    if (r == 0) r = build_stack(id, argv, &regs.rdi, &regs.rsi, &regs.rsp);
    if (r == 0) r = sys_env_set_trapframe(id, &regs);
    if (r == 0) r = sys_env_set_status(id, env_runnable);
    if (r < 0) {
        sys_env_destroy(id);
        return static_cast<int32_t>(r);
    }
    return id;
}
