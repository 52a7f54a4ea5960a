#include "kern/console.hh"
#include "kern/serial.hh"
#include "kern/vga.hh"
#include "kern/x86.hh"
#include "lib/printfmt.hh"

namespace console {

void init() {
    serial::init();
    vga::init();
}

namespace {
void serial_put(char c) {
    // Terminals want CR LF; the VGA driver treats '\n' as both.
    if (c == '\n') serial::put('\r');
    serial::put(c);
}
}  // namespace

void put(char c) {
    serial_put(c);
    vga::put(c);
}

void write(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) serial_put(s[i]);
    vga::write(s, n);
}

char get() {
    int c;
    // Idle until the next interrupt (a timer tick, half a millisecond
    // away at most) rather than spin: the monitor waits for people.
    while ((c = serial::try_get()) < 0) x86::wait_for_interrupt();
    return static_cast<char>(c);
}

size_t readline(const char* prompt, char* buf, size_t size) {
    if (prompt) cprintf("%s", prompt);
    size_t n = 0;
    for (;;) {
        char c = get();
        if (c == '\r' || c == '\n') {
            put('\n');
            buf[n] = '\0';
            return n;
        }
        if (c == '\b' || c == 0x7F) {
            if (n > 0) {
                --n;
                cprintf("\b \b");
            }
        } else if (c >= ' ' && n + 1 < size) {
            buf[n++] = c;
            put(c);
        }
    }
}

}  // namespace console

namespace {
void console_sink_put(FormatSink*, char c) { console::put(c); }
}  // namespace

int vcprintf(const char* fmt, va_list ap) {
    FormatSink sink{console_sink_put};
    return vformat(&sink, fmt, ap);
}

int cprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vcprintf(fmt, ap);
    va_end(ap);
    return n;
}
