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
// A range of user memory, checked and translated in one walk: each page
// is looked up once, its permissions demanded and its kernel address kept
// for the copy. Nothing is copied unless the whole range passes, so a copy
// that fails has written nothing. Ranges longer than the pieces kept here
// are checked whole first and translated again as they are copied.
constexpr size_t kept_pieces = 4;

inline size_t piece_at(uintptr_t va, size_t done, size_t len) {
    size_t piece = page_size - (va + done) % page_size;
    return piece < len - done ? piece : len - done;
}

template <typename CopyPiece>
[[gnu::noinline]] int copy_checked(Env& e, uintptr_t va, size_t len, uint64_t perm, CopyPiece copy) {
    if (va >= user_top || len > user_top - va) return E_FAULT;
    uint64_t need = perm | perm_user | perm_present;
    PageTable pt = e.page_table();
    char* kept[kept_pieces];
    size_t i = 0;
    for (size_t done = 0; done < len; done += piece_at(va, done, len), ++i) {
        Mapping m = pt.lookup(va + done);
        if (!m.present || (m.perm & need) != need) return E_FAULT;
        if (i < kept_pieces) kept[i] = phys_to_kva<char>(m.pa);
    }
    i = 0;
    for (size_t done = 0; done < len; done += piece_at(va, done, len), ++i) {
        char* kva = i < kept_pieces ? kept[i] : phys_to_kva<char>(pt.lookup(va + done).pa);
        copy(kva, done, piece_at(va, done, len));
    }
    return 0;
}

}  // namespace

int copy_to_user(Env& e, uintptr_t va, const void* src, size_t len, bool require_writable) {
    if (char* kva = user_range_in_page(e, va, len, require_writable ? perm_writable : 0)) {
        memcpy(kva, src, len);
        return 0;
    }
    return copy_checked(e, va, len, require_writable ? perm_writable : 0,
                        [src](char* user, size_t offset, size_t n) {
                            memcpy(user, static_cast<const char*>(src) + offset, n);
                        });
}

int copy_from_user(Env& e, void* dst, uintptr_t va, size_t len) {
    if (char* kva = user_range_in_page(e, va, len, 0)) {
        memcpy(dst, kva, len);
        return 0;
    }
    return copy_checked(e, va, len, 0, [dst](char* user, size_t offset, size_t n) {
        memcpy(static_cast<char*>(dst) + offset, user, n);
    });
}
