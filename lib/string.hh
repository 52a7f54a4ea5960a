// The few C string and memory routines freestanding code needs. The
// compiler itself may emit calls to memcpy, memmove and memset.
#pragma once
#include "lib/types.hh"

extern "C" {
void* memset(void* dst, int c, size_t n);
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
const char* strchr(const char* s, int c);
}
