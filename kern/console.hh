// The kernel console: output to serial and VGA, input from serial.
#pragma once
#include "lib/types.hh"

namespace console {
void init();
void put(char c);
void write(const char* s, size_t n);
// Blocks until a byte arrives on the serial port.
char get();
// Reads a line with echo and backspace into buf (NUL-terminated, at most
// size - 1 chars). Returns the length.
size_t readline(const char* prompt, char* buf, size_t size);
}  // namespace console

// The kernel's printf. Format strings are checked by the compiler.
int cprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int vcprintf(const char* fmt, va_list ap);
