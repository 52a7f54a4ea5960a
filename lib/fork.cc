#include "lib/fork.hh"
#include "lib/console.hh"
#include "lib/error.hh"
#include "lib/layout.hh"
#include "lib/pgfault.hh"
#include "lib/slices.hh"
#include "lib/string.hh"
#include "lib/syscall.hh"
#include "lib/uvpt.hh"

namespace {

// The bits of a PTE a binding request may carry (lib/abi.hh's perm_allowed).
uint64_t request_bits(uint64_t pte) { return pte & perm_allowed; }

// A fault fork's policy does not explain is a real bug in the program: say
// so, drop the handler and return. The access faults again with no upcall
// registered, and the kernel ends the env with the fault on record.
void not_copy_on_write(const UTrapFrame* utf, const char* why) {
    printf("[%08x] page fault at %lx (rip %lx, error %lx): %s\n", sys_getenvid(), utf->fault_va, utf->rip,
           utf->error_code, why);
    sys_set_upcall(0, 0, 0);
}

// Fills a fresh frame at scratch with the page at va and binds it at va in
// env with perm, leaving scratch unmapped. 0 or the first error.
int64_t copy_page(int32_t env, uintptr_t va, uintptr_t scratch, uint64_t perm) {
    // Executable only if the copy will be: page_map may not add rights.
    uint64_t scratch_perm = perm_present | perm_user | perm_writable | (perm & perm_no_execute);
    int64_t r = sys_page_alloc(0, scratch, scratch_perm);
    if (r < 0) return r;
    memcpy(reinterpret_cast<void*>(scratch), reinterpret_cast<const void*>(va), 4096);
    r = sys_page_map(0, scratch, env, va, perm);
    int64_t u = sys_page_unmap(0, scratch);
    return r < 0 ? r : u;
}

// The page-fault handler fork installs: a write to a copy-on-write page
// gets a private, writable copy; anything else is fatal.
void cow_fault(UTrapFrame* utf) {
    // BEGIN LAB 5
    uintptr_t va = utf->fault_va & ~uintptr_t(4095);
    uint64_t pte = uvpt::pte_of(va);
    if (!(utf->error_code & fault_write)) return not_copy_on_write(utf, "not a write");
    if (!(pte & perm_present) || !(pte & perm_cow)) return not_copy_on_write(utf, "not a copy-on-write page");
    uint64_t perm = (request_bits(pte) & ~perm_cow) | perm_writable;
    if (int64_t r = copy_page(0, va, cow_scratch_va, perm); r < 0) {
        printf("[%08x] copy-on-write of %lx failed: %s\n", sys_getenvid(), va, error_name(static_cast<int>(r)));
        sys_exit(0xC0DE);
    }
    // STUB LAB 5
    //~ // LAB 5: your code here. utf->fault_va and utf->error_code say what
    //~ // happened; uvpt::pte_of(page) says what the page is. Unless it is a
    //~ // write (fault_write) to a present perm_cow page, call
    //~ // not_copy_on_write(utf, <why>) and return. Otherwise bind a private
    //~ // copy at the page: copy_page(0, page, cow_scratch_va, perm) with
    //~ // perm = the PTE's request_bits without perm_cow, plus writable. If
    //~ // that fails, say so and sys_exit: returning would fault again.
    //~ not_copy_on_write(utf, "copy-on-write is not written yet");
    // END LAB 5
}

enum class Sharing { copy_on_write, share };

// Gives child the page at va (our PTE is pte) under the policy.
int64_t duppage(int32_t child, uintptr_t va, uint64_t pte, Sharing sharing) {
    // BEGIN LAB 5
    uint64_t perm = request_bits(pte);
    bool writable = perm & (perm_writable | perm_cow);
    if (!writable || (perm & perm_share) || (sharing == Sharing::share && !(perm & perm_cow)))
        return sys_page_map(0, va, child, va, perm);
    uint64_t cow = (perm & ~perm_writable) | perm_cow;
    // The child first: the moment our own page turns read-only, our next
    // write (a push onto this very stack, say) copies it, and the child
    // must already hold the frame as it was.
    if (int64_t r = sys_page_map(0, va, child, va, cow); r < 0) return r;
    return sys_page_map(0, va, 0, va, cow);
    // STUB LAB 5
    //~ // LAB 5: your code here. perm = request_bits(pte). Bind the child's
    //~ // va to our frame (sys_page_map(0, va, child, va, ...)):
    //~ // - read-only pages (neither writable nor perm_cow), perm_share
    //~ //   pages, and, under Sharing::share, every page not already
    //~ //   perm_cow: as they are, with perm;
    //~ // - the rest: copy-on-write, perm without writable, with perm_cow,
    //~ //   in the child AND then in ourselves (sys_page_map(0, va, 0, va,
    //~ //   ...)). Mind that order: once our page is read-only, our next
    //~ //   write to it (this stack!) gives us a copy, and the child must
    //~ //   already hold the frame as it was.
    //~ // Return the first error.
    //~ (void) child, (void) va, (void) pte, (void) sharing;
    //~ return E_NO_SYS;
    // END LAB 5
}

// What fork does with each of our pages (but the exception stack): gives
// child that page, one way or another. 0 or an error.
using PagePolicy = int64_t (*)(int32_t child, uintptr_t va, uint64_t pte);

int32_t fork_with(PagePolicy give) {
    if (int r = set_pgfault_handler(cow_fault); r < 0) return r;
    int64_t child = sys_exofork();
    if (child <= 0) return static_cast<int32_t>(child);   // 0: we are the child
    auto id = static_cast<int32_t>(child);
    int64_t r = 0;
    uvpt::for_each_mapped(user_bottom, user_top, [&](uintptr_t va, uint64_t pte) {
        if (r == 0 && va != exception_stack_bottom) r = give(id, va, pte);
    });
    // The exception stack is copied now, never shared: the copy-on-write
    // handler runs on it, so a fault there could not be handled.
    if (r == 0) r = copy_page(id, exception_stack_bottom, copy_scratch_va, request_bits(uvpt::pte_of(exception_stack_bottom)));
    if (r == 0) r = sys_set_upcall(id, reinterpret_cast<uintptr_t>(&pgfault_upcall), exception_stack_top);
    if (r == 0) r = slices::inherit(id);
    if (r == 0) r = sys_env_set_status(id, env_runnable);
    if (r < 0) {
        sys_env_destroy(id);
        return static_cast<int32_t>(r);
    }
    return id;
}

int64_t everything_cow(int32_t child, uintptr_t va, uint64_t pte) {
    return duppage(child, va, pte, Sharing::copy_on_write);
}
int64_t all_but_stack(int32_t child, uintptr_t va, uint64_t pte) {
    bool stack = va >= user_stack_bottom && va < user_stack_top;
    return duppage(child, va, pte, stack ? Sharing::copy_on_write : Sharing::share);
}
// Read-only and shared pages need no copy; a copy-on-write page is ours to
// write once copied.
int64_t copy_now(int32_t child, uintptr_t va, uint64_t pte) {
    uint64_t perm = request_bits(pte);
    if (!(perm & (perm_writable | perm_cow)) || (perm & perm_share)) return sys_page_map(0, va, child, va, perm);
    return copy_page(child, va, copy_scratch_va, (perm & ~perm_cow) | perm_writable);
}

}  // namespace

int32_t fork() { return fork_with(everything_cow); }
int32_t sfork() { return fork_with(all_but_stack); }
int32_t fork_eager() { return fork_with(copy_now); }
