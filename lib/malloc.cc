#include "lib/malloc.hh"
#include "lib/layout.hh"
#include "lib/syscall.hh"
#include <stddef.h>

namespace {

// Every block, used or free, starts with this header; size counts it.
struct Block {
    size_t size;
    Block* next;   // the next free block by address (free blocks only)
};
static_assert(sizeof(Block) == 16);

Block* free_list = nullptr;
uintptr_t heap_end = heap_base;   // the first byte not yet mapped

// Maps enough new pages at heap_end for n bytes and frees them into the
// list as one block. false when out of memory or address space.
bool grow(size_t n) {
    size_t bytes = (n + 4095) & ~size_t(4095);
    if (bytes > heap_base + heap_max - heap_end) return false;
    for (size_t off = 0; off < bytes; off += 4096) {
        if (sys_page_alloc(0, heap_end + off, perm_present | perm_user | perm_writable | perm_no_execute) < 0) {
            bytes = off;   // keep what we got
            break;
        }
    }
    if (bytes == 0) return false;
    auto* b = reinterpret_cast<Block*>(heap_end);
    b->size = bytes;
    heap_end += bytes;
    free(b + 1);
    return bytes >= n;
}

}  // namespace

void* malloc(size_t n) {
    if (n == 0 || n > heap_max) return nullptr;
    size_t need = (n + sizeof(Block) + 15) & ~size_t(15);
    for (int attempt = 0; attempt < 2; ++attempt) {
        for (Block **link = &free_list, *b = *link; b; link = &b->next, b = *link) {
            if (b->size < need) continue;
            if (b->size - need >= 2 * sizeof(Block)) {   // split: the tail stays free
                auto* rest = reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(b) + need);
                rest->size = b->size - need;
                rest->next = b->next;
                *link = rest;
                b->size = need;
            } else {
                *link = b->next;
            }
            return b + 1;
        }
        if (!grow(need)) return nullptr;
    }
    return nullptr;
}

void free(void* p) {
    if (!p) return;
    Block* b = static_cast<Block*>(p) - 1;
    Block** link = &free_list;
    while (*link && *link < b) link = &(*link)->next;
    b->next = *link;
    *link = b;
    // Merge with the next block, then with the previous one.
    if (b->next && reinterpret_cast<uintptr_t>(b) + b->size == reinterpret_cast<uintptr_t>(b->next)) {
        b->size += b->next->size;
        b->next = b->next->next;
    }
    if (link != &free_list) {
        Block* prev = reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(link) - offsetof(Block, next));
        if (reinterpret_cast<uintptr_t>(prev) + prev->size == reinterpret_cast<uintptr_t>(b)) {
            prev->size += b->size;
            prev->next = b->next;
        }
    }
}
