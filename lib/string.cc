#include "lib/string.hh"

extern "C" {

// Eight bytes a step with the string instructions, then the odd bytes:
// a page is 512 steps, not 4096 trips round a byte loop. Both the kernel
// (whose entry clears DF) and user code (DF is clear at every call, by the
// ABI) reach here with DF clear, so the copies run upwards.
void* memset(void* dst, int c, size_t n) {
    uint64_t pattern = 0x0101010101010101ull * static_cast<unsigned char>(c);
    void* d = dst;
    size_t words = n / 8, bytes = n % 8;
    asm volatile("rep stosq\n\tmov %[bytes], %%rcx\n\trep stosb"
                 : "+D"(d), "+c"(words)
                 : "a"(pattern), [bytes] "r"(bytes)
                 : "memory");
    return dst;
}

void* memcpy(void* dst, const void* src, size_t n) {
    void* d = dst;
    const void* s = src;
    size_t words = n / 8, bytes = n % 8;
    asm volatile("rep movsq\n\tmov %[bytes], %%rcx\n\trep movsb"
                 : "+D"(d), "+S"(s), "+c"(words)
                 : [bytes] "r"(bytes)
                 : "memory");
    return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d < s) {
        for (size_t i = 0; i < n; ++i) d[i] = s[i];
    } else {
        for (size_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
    }
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}

int strcmp(const char* a, const char* b) {
    for (; *a && *a == *b; ++a, ++b) {
    }
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

int strncmp(const char* a, const char* b, size_t n) {
    for (; n > 0; --n, ++a, ++b) {
        if (*a != *b || !*a) {
            return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
        }
    }
    return 0;
}

const char* strchr(const char* s, int c) {
    for (; *s; ++s) {
        if (*s == static_cast<char>(c)) return s;
    }
    return c == 0 ? s : nullptr;
}

}  // extern "C"
