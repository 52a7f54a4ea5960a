// The VGA text screen, for `make qemu` with a window.
#pragma once
#include "lib/types.hh"

namespace vga {
void init();
void put(char c);
// Like put for each byte, with one cursor update and batched scrolling.
void write(const char* s, size_t n);
}  // namespace vga
