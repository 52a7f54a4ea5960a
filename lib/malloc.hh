// A small heap for programs. The kernel has no heap for users: malloc
// takes pages with sys_page_alloc as it grows, from heap_base up
// (lib/layout.hh). First fit over an address-ordered free list; free
// merges neighbours. Not for use by two envs sharing memory (sfork) at once.
#pragma once
#include "lib/types.hh"

// 16-byte aligned, or nullptr when n is 0 or no memory is left.
void* malloc(size_t n);
// p from malloc, or nullptr (nothing happens).
void free(void* p);
