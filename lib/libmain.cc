// The library OS's start-up: set up what a program needs, run umain.
// Lab 3 adds the syscall layer, and with it a real exit.
#include "lib/types.hh"

int umain();

extern "C" [[noreturn]] void libmain() {
    umain();
    for (;;) {
        // Until lab 3 gives environments an exit syscall, a finished
        // program has nowhere to go.
    }
}
