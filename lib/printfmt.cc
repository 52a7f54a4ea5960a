#include "lib/printfmt.hh"

namespace {

struct Spec {
    bool left = false;       // '-'
    bool zero_pad = false;   // '0'
    char sign_char = 0;      // '+' or ' ' for signed conversions
    int width = 0;
    int precision = -1;      // -1: none given
    int size = 0;            // -2 hh, -1 h, 0 int, 1 long, 2 long long
};

struct Emitter {
    FormatSink* sink;
    int count = 0;
    void put(char c) {
        sink->put(sink, c);
        ++count;
    }
    void repeat(char c, int n) {
        for (; n > 0; --n) put(c);
    }
};

// Pads around a body of len chars preceded by an optional prefix.
void emit_padded(Emitter& e, const Spec& s, const char* prefix, const char* body,
                 int len, int zeros) {
    int prefix_len = 0;
    while (prefix[prefix_len]) ++prefix_len;
    int pad = s.width - prefix_len - zeros - len;
    if (!s.left && !(s.zero_pad && s.precision < 0)) e.repeat(' ', pad);
    for (int i = 0; i < prefix_len; ++i) e.put(prefix[i]);
    if (!s.left && s.zero_pad && s.precision < 0) e.repeat('0', pad);
    e.repeat('0', zeros);
    for (int i = 0; i < len; ++i) e.put(body[i]);
    if (s.left) e.repeat(' ', pad);
}

void emit_number(Emitter& e, const Spec& s, uint64_t magnitude, bool negative,
                 unsigned base, bool upper, const char* alt_prefix) {
    char digits[64] = {};
    int len = static_cast<int>(format_digits(magnitude, base, upper, digits));
    // C says a zero with precision 0 prints no digits.
    if (magnitude == 0 && s.precision == 0) len = 0;
    int zeros = s.precision > len ? s.precision - len : 0;
    char prefix[4] = {0, 0, 0, 0};
    int p = 0;
    if (negative) {
        prefix[p++] = '-';
    } else if (s.sign_char) {
        prefix[p++] = s.sign_char;
    }
    for (const char* a = alt_prefix; *a; ++a) prefix[p++] = *a;
    emit_padded(e, s, prefix, digits, len, zeros);
}

uint64_t take_unsigned(const Spec& s, va_list& ap) {
    switch (s.size) {
    case -2: return static_cast<unsigned char>(va_arg(ap, unsigned));
    case -1: return static_cast<unsigned short>(va_arg(ap, unsigned));
    case 0: return va_arg(ap, unsigned);
    case 1: return va_arg(ap, unsigned long);
    default: return va_arg(ap, unsigned long long);
    }
}

int64_t take_signed(const Spec& s, va_list& ap) {
    switch (s.size) {
    case -2: return static_cast<signed char>(va_arg(ap, int));
    case -1: return static_cast<short>(va_arg(ap, int));
    case 0: return va_arg(ap, int);
    case 1: return va_arg(ap, long);
    default: return va_arg(ap, long long);
    }
}

}  // namespace

size_t format_digits(uint64_t value, unsigned base, bool upper, char* buf) {
    // BEGIN LAB 1
    const char* digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char reversed[64];
    size_t n = 0;
    do {
        reversed[n++] = digit_chars[value % base];
        value /= base;
    } while (value != 0);
    for (size_t i = 0; i < n; ++i) buf[i] = reversed[n - 1 - i];
    return n;
    // STUB LAB 1
    //~ // LAB 1: your code here. Produce the digits of value in the given
    //~ // base, most significant first (0 is "0"). Dividing by base yields
    //~ // them least significant first, so reverse them at the end.
    //~ (void) value, (void) base, (void) upper, (void) buf;
    //~ return 0;
    // END LAB 1
}

int vformat(FormatSink* sink, const char* fmt, va_list ap_in) {
    Emitter e{sink};
    va_list ap;
    va_copy(ap, ap_in);
    for (const char* f = fmt; *f; ++f) {
        if (*f != '%') {
            e.put(*f);
            continue;
        }
        const char* conversion_start = f;
        Spec s;
        for (bool more = true; more;) {
            switch (*++f) {
            case '-': s.left = true; break;
            case '0': s.zero_pad = true; break;
            case '+': s.sign_char = '+'; break;
            case ' ': if (!s.sign_char) s.sign_char = ' '; break;
            default: more = false; --f; break;
            }
        }
        ++f;
        if (*f == '*') {
            s.width = va_arg(ap, int);
            if (s.width < 0) {
                s.left = true;
                s.width = -s.width;
            }
            ++f;
        } else {
            for (; *f >= '0' && *f <= '9'; ++f) s.width = s.width * 10 + (*f - '0');
        }
        if (*f == '.') {
            ++f;
            s.precision = 0;
            if (*f == '*') {
                s.precision = va_arg(ap, int);
                if (s.precision < 0) s.precision = -1;
                ++f;
            } else {
                for (; *f >= '0' && *f <= '9'; ++f)
                    s.precision = s.precision * 10 + (*f - '0');
            }
        }
        for (;; ++f) {
            if (*f == 'h') --s.size;
            else if (*f == 'l') ++s.size;
            else if (*f == 'z' || *f == 't') s.size = 1;
            else break;
        }
        switch (*f) {
        case 'd':
        case 'i': {
            int64_t v = take_signed(s, ap);
            uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : v;
            emit_number(e, s, magnitude, v < 0, 10, false, "");
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
        case 'b': {
            s.sign_char = 0;  // only signed conversions take + or space
            unsigned base = *f == 'u' ? 10 : *f == 'o' ? 8 : *f == 'b' ? 2 : 16;
            emit_number(e, s, take_unsigned(s, ap), false, base, *f == 'X', "");
            break;
        }
        case 'p': {
            Spec ps = s;
            ps.sign_char = 0;
            ps.size = 1;
            emit_number(e, ps, reinterpret_cast<uintptr_t>(va_arg(ap, void*)), false, 16,
                        false, "0x");
            break;
        }
        case 'c': {
            char c = static_cast<char>(va_arg(ap, int));
            emit_padded(e, s, "", &c, 1, 0);
            break;
        }
        case 's': {
            const char* str = va_arg(ap, const char*);
            if (!str) str = "(null)";
            int len = 0;
            // Precision first: it may be all the bytes that exist.
            while ((s.precision < 0 || len < s.precision) && str[len]) ++len;
            Spec ss = s;
            ss.zero_pad = false;
            ss.precision = -1;
            emit_padded(e, ss, "", str, len, 0);
            break;
        }
        case '%': e.put('%'); break;
        default:
            // Unknown conversion: show it verbatim so the mistake is visible.
            for (const char* c = conversion_start; c <= f && *c; ++c) e.put(*c);
            if (!*f) --f;
            break;
        }
    }
    va_end(ap);
    return e.count;
}

namespace {
struct BufferSink {
    FormatSink base;
    char* buf;
    size_t size;
    size_t used;
};
void buffer_put(FormatSink* self, char c) {
    auto* b = reinterpret_cast<BufferSink*>(self);
    if (b->used + 1 < b->size) b->buf[b->used] = c;
    ++b->used;
}
}  // namespace

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
    BufferSink b{{buffer_put}, buf, size, 0};
    int n = vformat(&b.base, fmt, ap);
    if (size > 0) buf[b.used < size ? b.used : size - 1] = '\0';
    return n;
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
