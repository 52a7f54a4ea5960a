// The library OS's own use of the user half. The kernel fixes only what
// lib/abi.hh says (the null page, user_top, where a program is linked and
// where its first stack is); everything here is policy the library chose
// and may change without the kernel knowing.
#pragma once
#include "lib/abi.hh"

// malloc's pages grow up from here (lib/malloc.cc).
constexpr uintptr_t heap_base = 0x0000100000000000ull;
constexpr size_t heap_max = size_t(1) << 30;

// Pages a library routine maps for a moment to fill a frame before it binds
// the frame somewhere else. One each, so that a copy-on-write fault in the
// middle of another routine's copy cannot take its page away.
constexpr uintptr_t cow_scratch_va = 0x00007FFF00000000ull;    // lib/fork.cc's fault handler
constexpr uintptr_t copy_scratch_va = 0x00007FFF00001000ull;   // lib/fork.cc's eager copies
// lib/spawn.cc builds a child's image here, page for page, before the
// child runs (image page va sits at spawn_scratch_base + va - lowest va).
constexpr uintptr_t spawn_scratch_base = 0x00007FFE00000000ull;
constexpr size_t spawn_scratch_size = size_t(1) << 30;

// The user stack a program starts on (lib/abi.hh puts its top at
// user_stack_top); sfork shares everything else.
constexpr uintptr_t user_stack_bottom = user_stack_top - user_stack_pages * 4096;
constexpr uintptr_t exception_stack_bottom = exception_stack_top - exception_stack_size;
// Lab 6's slice save area (lib/slices.hh): the bottom of the exception
// stack page, which fork copies at once and never makes copy-on-write (the
// kernel writes the save area, and a kernel write does not fault into our
// copy-on-write handler: it just fails).
constexpr uintptr_t slice_save_va = exception_stack_bottom;

// Lab 6's user-level threads (lib/threads.cc): thread n's stack is the
// thread_stack_pages pages ending at thread_stack_base + n * span, with an
// unmapped guard page below each. Thread 0 is the program's own stack.
constexpr uintptr_t thread_stack_base = 0x00007FFD00000000ull;
constexpr size_t thread_stack_pages = 4;
constexpr size_t thread_stack_span = (thread_stack_pages + 1) * 4096;

// Lab 7's backing store (lib/pager.cc) keeps page i of the paged region
// at store_base + i * 4096 in its own address space; each side maps a
// page the other sends at the page after the region (the pager) or here.
constexpr uintptr_t store_base = 0x00007FFC00000000ull;
constexpr uintptr_t store_scratch_va = 0x00007FFBFFFFF000ull;
