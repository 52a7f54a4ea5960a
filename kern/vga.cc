#include "kern/vga.hh"
#include "kern/memlayout.hh"
#include "kern/x86.hh"
#include "lib/string.hh"

namespace {
constexpr int columns = 80, rows = 25;
constexpr uint16_t attribute = 0x0700;  // light grey on black
constexpr uint16_t crtc_index = 0x3D4, crtc_data = 0x3D5;
constexpr uintptr_t screen_phys = 0xB8000;
int position = 0;

uint16_t* screen() { return phys_to_kva<uint16_t>(screen_phys); }

void move_cursor() {
    x86::outb(crtc_index, 14);
    x86::outb(crtc_data, static_cast<uint8_t>(position >> 8));
    x86::outb(crtc_index, 15);
    x86::outb(crtc_data, static_cast<uint8_t>(position));
}
}  // namespace

namespace vga {

void init() {
    for (int i = 0; i < columns * rows; ++i) screen()[i] = attribute | ' ';
    position = 0;
    move_cursor();
}

void put(char c) {
    switch (c) {
    case '\n': position += columns - position % columns; break;
    case '\r': position -= position % columns; break;
    case '\b': if (position % columns) screen()[--position] = attribute | ' '; break;
    case '\t': position = (position + 8) & ~7; break;
    default: screen()[position++] = attribute | static_cast<uint8_t>(c); break;
    }
    if (position >= columns * rows) {
        memmove(screen(), screen() + columns, sizeof(uint16_t) * columns * (rows - 1));
        for (int i = columns * (rows - 1); i < columns * rows; ++i) screen()[i] = attribute | ' ';
        position -= columns;
    }
    move_cursor();
}

}  // namespace vga
