#include "kern/bind.hh"
#include "kern/guard.hh"
#include "kern/syscall.hh"
#include "lib/error.hh"

namespace bind {

int64_t page_alloc(Env& target, uintptr_t va, uint64_t perm, uint64_t frame) {
    if (int r = guard::frame_request(frame_table, frame); r < 0) return r;
    return env::map_new_page(target, va, perm, frame);
}

int64_t page_map(uint64_t srcenv, uintptr_t srcva, uint64_t dstenv, uintptr_t dstva, uint64_t perm) {
    // BEGIN LAB 4
    Env *src, *dst;
    if (int r = lookup_target(srcenv, &src); r < 0) return r;
    if (int r = lookup_target(dstenv, &dst); r < 0) return r;
    PageTable src_pt = src->page_table();
    Mapping source;
    if (int r = guard::map(src_pt, srcva, dstva, perm, &source); r < 0) return r;
    return env::map_frame(*dst, dstva, page_round_down(source.pa), perm);
    // STUB LAB 4
    //~ // LAB 4: your code here. Find both envs with lookup_target (each must
    //~ // be the caller or its child), run every check with guard::map on
    //~ // src's page table (it hands back the source mapping), then bind:
    //~ // env::map_frame(*dst, dstva, <the source's frame>, perm).
    //~ (void) srcenv, (void) srcva, (void) dstenv, (void) dstva, (void) perm;
    //~ return E_NO_SYS;
    // END LAB 4
}

}  // namespace bind
