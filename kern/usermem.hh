// Checked access to an environment's memory. The kernel never follows a
// user pointer directly: it translates each page through the env's own
// page table, demands the permissions, and copies through the direct map.
#pragma once
#include "kern/env.hh"
#include "kern/memlayout.hh"

// 0 if every byte of [va, va + len) is mapped in e with user access and all
// of perm; otherwise E_FAULT (a wrapping or kernel range included), with
// the first bad address in *bad_va if given.
int user_mem_check(Env& e, uintptr_t va, size_t len, uint64_t perm, uintptr_t* bad_va = nullptr);

// Copies into e's memory. With require_writable (the normal case) the
// destination must be user-writable; the ELF loader passes false to fill
// read-only pages. 0 or E_FAULT.
int copy_to_user(Env& e, uintptr_t va, const void* src, size_t len, bool require_writable = true);
int copy_from_user(Env& e, void* dst, uintptr_t va, size_t len);

// Most ranges the kernel touches (a trap frame, a system call's struct)
// lie in one page: then one lookup both checks and translates them. The
// kernel's address of [va, va + len) if it lies in one page of e mapped
// present, user and with all of perm; nullptr otherwise, len 0 included.
[[gnu::always_inline]] inline char* user_range_in_page(Env& e, uintptr_t va, size_t len, uint64_t perm) {
    if (va >= user_top || len == 0 || va % page_size + len > page_size) return nullptr;
    Mapping m = e.lookup(va);
    uint64_t need = perm | perm_user | perm_present;
    return m.present && (m.perm & need) == need ? phys_to_kva<char>(m.pa) : nullptr;
}

// The same for one object of type T at va.
template <typename T>
[[gnu::always_inline]] inline T* user_object_in_page(Env& e, uintptr_t va, uint64_t perm) {
    return reinterpret_cast<T*>(user_range_in_page(e, va, sizeof(T), perm));
}
