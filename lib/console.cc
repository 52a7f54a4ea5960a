#include "lib/console.hh"
#include "lib/error.hh"
#include "lib/printfmt.hh"
#include "lib/string.hh"
#include "lib/syscall.hh"

namespace {

// Small: this also runs on the one-page exception stack.
constexpr size_t console_buffer_size = 128;

struct ConsoleSink {
    FormatSink base;  // first, so a FormatSink* is a ConsoleSink*
    size_t used;
    char buf[console_buffer_size];
};

void flush(ConsoleSink* s) {
    if (s->used > 0) cputs(s->buf, s->used);
    s->used = 0;
}

void console_put(FormatSink* self, char c) {
    auto* s = reinterpret_cast<ConsoleSink*>(self);
    s->buf[s->used++] = c;
    // One syscall per line (or per full buffer), not per character.
    if (c == '\n' || s->used == sizeof s->buf) flush(s);
}

}  // namespace

int vprintf(const char* fmt, va_list ap) {
    ConsoleSink s;
    s.base.put = console_put;
    s.used = 0;
    int n = vformat(&s.base, fmt, ap);
    flush(&s);
    return n;
}

int printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char* s) {
    size_t len = strlen(s);
    int64_t r = cputs(s, len);
    if (r >= 0) r = cputs("\n", 1);
    return r < 0 ? static_cast<int>(r) : static_cast<int>(len + 1);
}

int64_t cputs(const char* s, size_t len) {
    for (size_t done = 0; done < len;) {
        int64_t r = sys_cputs(s + done, len - done);
        if (r < 0) return r;
        if (r == 0) return E_FAULT;   // no progress: never loop forever
        done += static_cast<size_t>(r);
    }
    return static_cast<int64_t>(len);
}
