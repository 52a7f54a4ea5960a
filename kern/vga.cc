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

// Four port writes, each a trip into the emulator under QEMU: once per
// write, never once per character.
void move_cursor() {
    x86::outb(crtc_index, 14);
    x86::outb(crtc_data, static_cast<uint8_t>(position >> 8));
    x86::outb(crtc_index, 15);
    x86::outb(crtc_data, static_cast<uint8_t>(position));
}

void scroll(int lines) {
    if (lines > rows) lines = rows;
    memmove(screen(), screen() + columns * lines, sizeof(uint16_t) * columns * (rows - lines));
    for (int i = columns * (rows - lines); i < columns * rows; ++i) screen()[i] = attribute | ' ';
    position -= columns * lines;
}

// Lines the rest of a write will start: one per newline.
int newlines(const char* s, size_t n) {
    int count = 0;
    for (size_t i = 0; i < n && count < rows; ++i) count += s[i] == '\n';
    return count;
}
}  // namespace

namespace vga {

void init() {
    for (int i = 0; i < columns * rows; ++i) screen()[i] = attribute | ' ';
    position = 0;
    move_cursor();
}

void write(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (position >= columns * rows) {
            // Make room for this line and every line the write still
            // holds at once: one memmove a screenful, not one a line.
            scroll(1 + newlines(s + i, n - i));
        }
        switch (s[i]) {
        case '\n': position += columns - position % columns; break;
        case '\r': position -= position % columns; break;
        case '\b': if (position % columns) screen()[--position] = attribute | ' '; break;
        case '\t': position = (position + 8) & ~7; break;
        default: screen()[position++] = attribute | static_cast<uint8_t>(s[i]); break;
        }
    }
    if (position >= columns * rows) scroll(1);
    move_cursor();
}

void put(char c) { write(&c, 1); }

void color_previous_line(int column, const uint8_t* colors, size_t n) {
    int line = position / columns - 1;
    if (line < 0) return;
    uint16_t* cells = screen() + line * columns;
    for (size_t i = 0; i < n && column + static_cast<int>(i) < columns; ++i) {
        uint16_t& cell = cells[column + i];
        cell = static_cast<uint16_t>((cell & 0xFF) | (colors[i] << 8));
    }
}

}  // namespace vga
