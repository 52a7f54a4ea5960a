// printf-style formatting, shared by the kernel, the library OS and the
// host unit tests. It writes through a caller-supplied sink, so it knows
// nothing about consoles or buffers.
#pragma once
#include "lib/types.hh"

struct FormatSink {
    void (*put)(FormatSink* self, char c);
};

// Supported: %d %i %u %x %X %o %b %p %s %c %%, the flags - 0 + and space,
// a width and a precision (a number or *), and the sizes hh h l ll z t.
// Returns the number of characters produced.
int vformat(FormatSink* sink, const char* fmt, va_list ap);

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap);
int snprintf(char* buf, size_t size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Writes the digits of value in base (2..16) into buf, most significant
// first, with no terminator; returns how many. buf must hold 64 chars.
size_t format_digits(uint64_t value, unsigned base, bool upper, char* buf);
