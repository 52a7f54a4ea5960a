#include "kern/assert.hh"
#include "kern/backtrace.hh"
#include "kern/bootargs.hh"
#include "kern/console.hh"
#include "kern/monitor.hh"
#include "kern/qemu_exit.hh"
#include "kern/x86.hh"

namespace {
bool panicking = false;
}

void panic_at(const char* file, int line, const char* fmt, ...) {
    asm volatile("cli");
    // A panic inside a panic (say, in the backtrace) must not recurse.
    if (panicking) qemu::exit(qemu::ExitCode::panic);
    panicking = true;

    cprintf("kernel panic at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vcprintf(fmt, ap);
    va_end(ap);
    cprintf("\n");
    print_backtrace();

    // Under the grader (panic=exit) the exit status is the verdict; by hand,
    // the monitor lets you look around.
    const char* mode = boot_args.get("panic");
    if (mode && mode[0] == 'e') qemu::exit(qemu::ExitCode::panic);
    monitor::run();
    x86::halt_forever();
}
