// The VGA text screen, for `make qemu` with a window.
#pragma once

namespace vga {
void init();
void put(char c);
}  // namespace vga
