// The VGA text screen, for `make qemu` with a window.
#pragma once
#include "lib/types.hh"

namespace vga {
void init();
void put(char c);
// Like put for each byte, with one cursor update and batched scrolling.
void write(const char* s, size_t n);
// Gives n cells of the line just finished (the one above the cursor),
// from column on, these colours (foreground | background << 4): the
// monitor's memmap colours its grid this way, after printing it as text.
void color_previous_line(int column, const uint8_t* colors, size_t n);
}  // namespace vga
