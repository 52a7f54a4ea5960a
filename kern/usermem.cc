#include "kern/usermem.hh"
#include "kern/memlayout.hh"
#include "lib/abi.hh"
#include "lib/error.hh"
#include "lib/string.hh"

int user_mem_check(Env& e, uintptr_t va, size_t len, uint64_t perm, uintptr_t* bad_va) {
    // BEGIN LAB 3
    uintptr_t bad = va;
    int result = 0;
    if (va >= user_top || len > user_top - va) {
        result = E_FAULT;   // reaches past the user half, or wraps around
    } else {
        uint64_t need = perm | perm_user | perm_present;
        PageTable pt = e.page_table();
        // An empty range touches no page, whatever va's alignment.
        for (uintptr_t page = page_round_down(va); len > 0 && page < va + len; page += page_size) {
            Mapping m = pt.lookup(page);
            if (!m.present || (m.perm & need) != need) {
                bad = page < va ? va : page;
                result = E_FAULT;
                break;
            }
        }
    }
    if (result < 0 && bad_va) *bad_va = bad;
    return result;
    // STUB LAB 3
    //~ // LAB 3: your code here. Refuse (E_FAULT) a range that starts at or
    //~ // reaches past user_top, or wraps around (write the test so that
    //~ // va + len cannot overflow); then look up every page the range
    //~ // touches in e.page_table() (PageTable::lookup(va).present and .perm):
    //~ // each must be present, user, and carry all of perm. len == 0 touches
    //~ // no page and succeeds for any va below user_top, aligned or not.
    //~ // Report the first bad address (va itself, never below it, if the
    //~ // first page is bad) in *bad_va when bad_va is not null.
    //~ (void) e, (void) va, (void) len, (void) perm, (void) bad_va;
    //~ return E_FAULT;
    // END LAB 3
}

namespace {
// Copies between kernel memory and e's pages, one page piece at a time,
// through the direct map. The range must already have been checked.
template <typename CopyPiece>
void copy_pages(Env& e, uintptr_t va, size_t len, CopyPiece copy) {
    PageTable pt = e.page_table();
    size_t done = 0;
    while (done < len) {
        uintptr_t at = va + done;
        size_t piece = page_size - at % page_size;
        if (piece > len - done) piece = len - done;
        copy(phys_to_kva<char>(pt.lookup(at).pa), done, piece);
        done += piece;
    }
}
}  // namespace

int copy_to_user(Env& e, uintptr_t va, const void* src, size_t len, bool require_writable) {
    if (int r = user_mem_check(e, va, len, require_writable ? perm_writable : 0); r < 0) return r;
    copy_pages(e, va, len, [src](char* user, size_t offset, size_t n) {
        memcpy(user, static_cast<const char*>(src) + offset, n);
    });
    return 0;
}

int copy_from_user(Env& e, void* dst, uintptr_t va, size_t len) {
    if (int r = user_mem_check(e, va, len, 0); r < 0) return r;
    copy_pages(e, va, len, [dst](char* user, size_t offset, size_t n) {
        memcpy(static_cast<char*>(dst) + offset, user, n);
    });
    return 0;
}
