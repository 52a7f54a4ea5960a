// writeuvpt: the self-mapped page tables are read-only. Writing the PTE
// that maps our own text (through uvpt) would let us map any frame at all.
// Grader expects: killed by a page fault (a user write protection
// violation) at that PTE's address, 0xFFFFFE0000004000. If the env
// survives it exits arg ^ 0x5AFE.
#include "user/lab4.hh"

uint64_t umain(uint64_t arg) {
    auto* pte = const_cast<volatile uint64_t*>(uvpt::entry_at(user_text_base, 0));
    uint64_t entry = *pte;   // readable
    *pte = entry | perm_writable;
    printf("writeuvpt: survived the write\n");
    return arg ^ 0x5AFE;
}
