#include "kern/env.hh"
#include "kern/assert.hh"
#include "kern/audit.hh"
#include "kern/console.hh"
#include "kern/frames.hh"
#include "kern/gdt.hh"
#include "kern/kernel_vm.hh"
#include "kern/revoke.hh"
#include "kern/memlayout.hh"
#include "kern/sched.hh"
#include "kern/upcall.hh"
#include "kern/slices.hh"
#include "kern/usermem.hh"
#include "kern/x86.hh"
#include "lib/abi.hh"
#include "lib/error.hh"
#include "lib/printfmt.hh"
#include "lib/string.hh"

constinit Env envs[max_envs]{};
Env* current_env = nullptr;
constinit EnvEnd env_ends[env_end_log_size]{};
uint64_t env_end_count = 0;


namespace {

// Loads the program's segments into e's address space.
int load_program(Env& e, const UserProgram& program) {
    const elf::FileHeader* h = program.header();
    if (!h) return E_INVAL;
    // BEGIN LAB 3
    auto* phdrs = reinterpret_cast<const elf::ProgramHeader*>(program.image + h->phoff);
    for (size_t i = 0; i < h->phnum; ++i) {
        const elf::ProgramHeader& ph = phdrs[i];
        if (ph.type != elf::segment_load || ph.memsz == 0) continue;
        // Every size comes from the file: check each sum for overflow.
        if (ph.filesz > ph.memsz || ph.offset > program.size() ||
            ph.filesz > program.size() - ph.offset || ph.vaddr < page_size ||
            ph.vaddr >= user_top || ph.memsz > user_top - ph.vaddr)
            return E_INVAL;
        uint64_t perm = perm_user | ((ph.flags & 2) ? perm_writable : 0) |
                        ((ph.flags & 1) ? 0 : perm_no_execute);
        PageTable pt = e.page_table();
        for (uintptr_t va = page_round_down(ph.vaddr); va < ph.vaddr + ph.memsz; va += page_size) {
            if (pt.lookup(va).present) continue;  // shared with the previous segment
            if (int r = env::map_new_page(e, va, perm); r < 0) return r;
        }
        if (int r = copy_to_user(e, ph.vaddr, program.image + ph.offset, ph.filesz, false); r < 0)
            return r;
    }
    e.tf.rip = h->entry;
    return 0;
    // STUB LAB 3
    //~ // LAB 3: your code here. For each PT_LOAD program header with
    //~ // memsz > 0 (the array is at program.image + h->phoff, h->phnum
    //~ // entries), first refuse (E_INVAL) unless filesz <= memsz,
    //~ // [offset, offset + filesz) lies inside program.size(), vaddr >=
    //~ // page_size and [vaddr, vaddr + memsz) lies below user_top; write
    //~ // each test as a subtraction that cannot overflow (the file is
    //~ // untrusted). Map fresh pages over [page_round_down(vaddr), vaddr +
    //~ // memsz) with env::map_new_page (user, writable if flags has PF_W =
    //~ // 2, no-execute unless PF_X = 1), skipping a page that is already
    //~ // present (two segments may share one). Copy filesz bytes with
    //~ // copy_to_user(..., false) (the pages may be read-only). The frames
    //~ // start zeroed, so the bss needs nothing. Finally set e.tf.rip to
    //~ // the entry point. Return the first error.
    //~ (void) e;
    //~ return E_INVAL;
    // END LAB 3
}

void record_end(const Env& e, EnvEndHow how, uint64_t detail, uint64_t fault_va) {
    env_ends[env_end_count % env_end_log_size] =
        EnvEnd{e.id, e.parent_id, how, 0, detail, fault_va, e.tf.rip, e.tf.error_code};
    ++env_end_count;
}

// A frame e owned that others still map must not stay charged to a dead
// env. The rule: the charge moves to the live env in the lowest slot that
// maps it. One pass over every live address space, and only when needed.
void hand_over_shared_frames(EnvId dead) {
    for (Env& heir : envs) {
        if (!heir.alive()) continue;
        heir.page_table().for_each_user_mapping([&](uintptr_t, uint64_t entry) {
            FrameInfo& f = frames::info(pte::address(entry));
            if (f.owner != dead) return;
            f.owner = heir.id;
            revoke::transfer(dead, heir.id);
        });
    }
}

// Gives back everything e holds: its frames, its page-table pages, its slot.
void release(Env& e) {
    // Leave e's address space before tearing it down.
    if ((x86::read_cr3() & pte::address_mask) == e.pml4)
        asm volatile("mov %0, %%cr3" : : "r"(kernel_pml4) : "memory");
    PageTable pt = e.page_table();
    pt.for_each_user_mapping([&](uintptr_t, uint64_t entry) { frames::decref(pte::address(entry)); });
    pt.free_user_tables(true);
    fpu::forget(e.fpu);
    slices::env_ended(e);
    e.status = EnvStatus::free;
    e.pml4 = 0;
    if (current_env == &e) current_env = nullptr;
    // Whatever e still owns, someone else maps: not only frames e mapped
    // to the end, but also frames it unmapped while another env kept them,
    // which its own tables no longer show. Its charge (Lab 7's `held`,
    // kept for every frame it owns) says whether there are any, without
    // a scan of the whole frame table at every exit; the hand-over scans.
    if (revoke::view(e).held > 0) hand_over_shared_frames(e.id);
    revoke::env_ended(e);
}

// A free slot, its id, a root page table sharing the kernel half, and the
// registers and FPU state every env starts with. E_NO_FREE_ENV, E_NO_MEM.
int alloc_env(EnvId parent, Env** out) {
    if (!kernel_pml4) return E_NO_MEM;
    Env* e = nullptr;
    for (Env& candidate : envs) {
        if (!candidate.alive()) {
            e = &candidate;
            break;
        }
    }
    if (!e) return E_NO_FREE_ENV;
    size_t slot = e - envs;
    uint32_t generation = (e->generation + 1) & ((1u << (31 - env_index_bits)) - 1);
    if (generation == 0) generation = 1;  // ids stay positive and nonzero
    auto id = static_cast<EnvId>((generation << env_index_bits) | slot);

    // Every page of the address space, the root included, is charged to
    // the env it serves.
    uintptr_t root;
    revoke::env_started(id, parent);
    if (int r = revoke::take_frame(id, frame_any, &root); r < 0) return r;
    frames::info(root).refcount = 1;
    // The upper half is the kernel's, shared by every address space (the
    // exposed frame table included).
    uint64_t* root_table = phys_to_kva<uint64_t>(root);
    memcpy(root_table + entries_per_table / 2, phys_to_kva<uint64_t>(kernel_pml4) + entries_per_table / 2,
           sizeof(uint64_t) * entries_per_table / 2);
    // BEGIN LAB 4
    // The self-map: the root as its own child, read-only to the env.
    root_table[uvpt_slot] = root | pte::present | pte::user | pte::no_execute;
    // STUB LAB 4
    //~ // LAB 4: your code here. Make PML4 slot uvpt_slot (lib/abi.hh) point
    //~ // at the root itself, so the env reads every table page of its tree
    //~ // at uvpt_base: present, user, and neither writable nor executable.
    // END LAB 4

    *e = Env{};
    e->generation = generation;
    e->id = id;
    e->parent_id = parent;
    e->pml4 = root;
    e->status = EnvStatus::runnable;
    e->tf.cs = gdt::user_code;
    e->tf.ss = gdt::user_data;
    e->tf.rflags = x86::rflags::interrupt | x86::rflags::reserved_one;
    fpu::reset(e->fpu);
    slices::env_started(*e);
    *out = e;
    return 0;
}

// The start convention of lib/abi.hh: argv = { name, arg in hex } at the
// top of the stack, rdi = argc, rsi = argv, rsp 16-aligned at argv.
int push_arguments(Env& e, const char* name, uint64_t arg) {
    char arg_text[24];
    snprintf(arg_text, sizeof arg_text, "0x%lx", arg);
    const char* strings[] = {name, arg_text};
    uint64_t argv[3] = {0, 0, 0};
    uintptr_t sp = user_stack_top;
    for (size_t i = 0; i < 2; ++i) {
        size_t len = strlen(strings[i]) + 1;
        sp -= len;
        if (int r = copy_to_user(e, sp, strings[i], len); r < 0) return r;
        argv[i] = sp;
    }
    sp = (sp - sizeof argv) & ~uintptr_t(15);
    if (int r = copy_to_user(e, sp, argv, sizeof argv); r < 0) return r;
    e.tf.rsp = sp;
    e.tf.rdi = 2;
    e.tf.rsi = sp;
    return 0;
}

}  // namespace

namespace env {

int create(const UserProgram& program, uint64_t arg, EnvId parent, Env** out) {
    Env* e;
    if (int r = alloc_env(parent, &e); r < 0) return r;

    int r = load_program(*e, program);
    for (uintptr_t va = user_stack_top - user_stack_pages * page_size; r == 0 && va < user_stack_top;
         va += page_size)
        r = map_new_page(*e, va, perm_user | perm_writable | perm_no_execute);
    if (r == 0) r = push_arguments(*e, program.name, arg);
    if (r < 0) {
        cprintf("env: cannot load '%s': %s\n", program.name, error_name(r));
        release(*e);  // it never ran: no ending to record
        return r;
    }
    *out = e;
    return 0;
}

int exofork(Env& parent, Env** out) {
    // BEGIN LAB 4
    Env* child;
    if (int r = alloc_env(parent.id, &child); r < 0) return r;
    child->tf = parent.tf;
    child->tf.rax = 0;
    fpu::copy(parent.fpu, child->fpu);
    child->status = EnvStatus::not_runnable;
    *out = child;
    return 0;
    // STUB LAB 4
    //~ // LAB 4: your code here. alloc_env (above) gives a fresh env with
    //~ // parent.id as its parent. Give it the parent's registers, with rax
    //~ // 0 so that it sees 0 where the parent sees its id, and the
    //~ // parent's FPU state (fpu::copy: the parent's may be live in the
    //~ // CPU). It must not run until its parent says so: not_runnable.
    //~ (void) parent, (void) out;
    //~ return E_NO_SYS;
    // END LAB 4
}

int lookup(EnvId id, Env** out, bool check_perm) {
    if (id == 0) {
        if (!current_env) return E_BAD_ENV;
        *out = current_env;
        return 0;
    }
    if (id < 0) return E_BAD_ENV;
    Env& e = envs[id & (max_envs - 1)];
    if (!e.alive() || e.id != id) return E_BAD_ENV;
    if (check_perm && &e != current_env && (!current_env || e.parent_id != current_env->id))
        return E_BAD_ENV;
    *out = &e;
    return 0;
}

int map_new_page(Env& e, uintptr_t va, uint64_t perm, uint64_t frame) {
    uintptr_t pa;
    if (int r = revoke::take_frame(e.id, frame, &pa); r < 0) return r;
    PageTable pt = e.page_table();
    Mapping old = pt.lookup(va);
    if (int r = pt.map(va, pa, perm); r < 0) {
        frames::free(pa);
        pt.free_empty_tables(va);   // any tables the failed map built
        return r;
    }
    frames::info(pa).refcount = 1;
    if (old.present) frames::decref(page_round_down(old.pa));
    return 0;
}

int map_frame(Env& e, uintptr_t va, uintptr_t pa, uint64_t perm) {
    // BEGIN LAB 4
    PageTable pt = e.page_table();
    Mapping old = pt.lookup(va);
    // The new reference first: if va already maps this very frame, the
    // old one's release must not free it.
    ++frames::info(pa).refcount;
    if (int r = pt.map(va, pa, perm); r < 0) {
        frames::decref(pa);
        pt.free_empty_tables(va);
        return r;
    }
    if (old.present) frames::decref(page_round_down(old.pa));   // the binding it replaced
    return 0;
    // STUB LAB 4
    //~ // LAB 4: your code here. Map pa at va in e's page table with perm,
    //~ // and keep the frame table's counts true: the frame gains a
    //~ // reference, and whatever va mapped before loses one (frames::decref,
    //~ // which frees a frame at 0). va may already map pa itself: that
    //~ // frame must survive. If the map fails (E_NO_MEM), undo the count
    //~ // and free any table pages it built (pt.free_empty_tables(va)).
    //~ // The owner never changes here.
    //~ (void) e, (void) va, (void) pa, (void) perm;
    //~ return E_NO_SYS;
    // END LAB 4
}

void unmap_page(Env& e, uintptr_t va) {
    PageTable pt = e.page_table();
    Mapping m = pt.lookup(va);
    if (!m.present) return;
    pt.unmap(va);
    pt.free_empty_tables(va);
    frames::decref(page_round_down(m.pa));
}

void destroy(Env& e, EnvEndHow how, uint64_t detail, uint64_t fault_va) {
    record_end(e, how, detail, fault_va);
    release(e);
    if (audit::enabled()) audit::run();
}

namespace {
// Hands the CPU to e: the previous env's state stays in its Env, and e's
// address space, FPU registers and trap frame become the live ones. While
// an env stays current these stay loaded, so resuming it costs nothing.
void switch_to(Env& e) {
    if (current_env && current_env->status == EnvStatus::running)
        current_env->status = EnvStatus::runnable;
    current_env = &e;
    if ((x86::read_cr3() & pte::address_mask) != e.pml4)
        asm volatile("mov %0, %%cr3" : : "r"(e.pml4) : "memory");
    fpu::switch_to(e.fpu);
    traps::set_user_frame(e.tf);
}
}  // namespace

void run_full(Env& e) {
    // iretq to a non-canonical rip raises #GP in ring 0 on real hardware
    // (TCG lets it pass), with the kernel's state half unwound. No path
    // should leave one (user_top keeps the last page unmappable, and an
    // upcall entry must be mapped), so one here means a kernel bug or a
    // register set some future system call failed to check: end the env,
    // never the kernel.
    if (!is_canonical(e.tf.rip)) [[unlikely]] {
        cprintf("[env %08x] killed: its return address %lx is not canonical\n", e.id, e.tf.rip);
        destroy(e, EnvEndHow::noncanonical_rip, e.tf.rip);
        sched::run_next();
    }
    if (&e != current_env) [[unlikely]] switch_to(e);
    // Lab 7: a revocation request or notice is an upcall on its way back.
    if (e.memory.request_due || e.memory.notice_due) [[unlikely]] {
        EnvEndHow how;
        if (deliver_revocation(e, &how) < 0) {
            cprintf("[env %08x] killed: its revocation upcall at %lx cannot run (%s)\n", e.id,
                    e.upcalls.revocation_entry,
                    how == EnvEndHow::no_exception_stack ? "no exception stack" : "not user code");
            destroy(e, how, e.upcalls.revocation_entry);
            sched::run_next();
        }
    }
    e.status = EnvStatus::running;
    trap_return(&e.tf);
}

}  // namespace env
