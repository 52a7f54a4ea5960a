#include "kern/guard.hh"
#include "lib/abi.hh"
#include "lib/error.hh"

namespace guard {

int perm(uint64_t perm) {
    // BEGIN LAB 3
    constexpr uint64_t required = perm_present | perm_user;
    if ((perm & ~perm_allowed) || (perm & required) != required) return E_INVAL;
    return 0;
    // STUB LAB 3
    //~ // LAB 3: your code here. E_INVAL if perm lacks present or user, or
    //~ // has any bit outside perm_allowed (lib/abi.hh); else 0.
    //~ (void) perm;
    //~ return E_NO_SYS;
    // END LAB 3
}

int no_amplification(uint64_t have, uint64_t want) {
    // BEGIN LAB 4
    if ((want & perm_writable) && !(have & perm_writable)) return E_PERM;
    if (!(want & perm_no_execute) && (have & perm_no_execute)) return E_PERM;
    return 0;
    // STUB LAB 4
    //~ // LAB 4: your code here. E_PERM if want is writable and have is not,
    //~ // or if want is executable (no perm_no_execute) and have is not
    //~ // (has perm_no_execute); else 0. Nothing else is a right.
    //~ (void) have, (void) want;
    //~ return E_NO_SYS;
    // END LAB 4
}

int frame_request(const FrameTable& table, uint64_t frame) {
    // BEGIN LAB 4
    if (frame == frame_any) return 0;
    if (frame >= table.count) return E_INVAL;
    if (table.frames[frame].owner != owner_free) return E_BUSY;
    return 0;
    // STUB LAB 4
    //~ // LAB 4: your code here. frame_any is always fine. Any other value
    //~ // is a frame number: E_INVAL if the table has no such frame (there
    //~ // are table.count), E_BUSY unless its owner is owner_free.
    //~ (void) table;
    //~ return frame == frame_any ? 0 : E_NO_SYS;
    // END LAB 4
}

int map(PageTable& src, uintptr_t srcva, uintptr_t dstva, uint64_t perm, Mapping* source) {
    if (int r = user_page(srcva); r < 0) return r;
    if (int r = user_page(dstva); r < 0) return r;
    if (int r = guard::perm(perm); r < 0) return r;
    *source = src.lookup(srcva);
    if (!source->present) return E_INVAL;
    return no_amplification(source->perm, perm);
}

}  // namespace guard
