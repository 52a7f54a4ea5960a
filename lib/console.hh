// Console output for user programs, through sys_cputs.
#pragma once
#include "lib/types.hh"

// Formats like the kernel's printf (see lib/printfmt.hh for what is
// supported). Output is buffered per call and flushed at each newline, so
// a line from one env is not interleaved with another's mid-line.
int printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char* fmt, va_list ap);

// Like C's puts: writes s and a newline.
int puts(const char* s);

// Writes all len bytes of s, in as many sys_cputs calls as it takes.
// len, or the first negative error.
int64_t cputs(const char* s, size_t len);
