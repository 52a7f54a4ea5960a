// Number parsing for command lines and boot arguments. Header-only so the
// host unit tests can use it without the freestanding string routines.
#pragma once
#include "lib/types.hh"

// Parses an unsigned number in base 10, or 16 with a 0x prefix. Returns
// false unless the whole string is a number that fits in 64 bits.
inline bool parse_u64(const char* s, uint64_t* out) {
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s) return false;
    uint64_t v = 0;
    for (; *s; ++s) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return false;
        if (d >= base || v > (UINT64_MAX - d) / base) return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}
