#include "kern/qemu_exit.hh"
#include "kern/x86.hh"

namespace qemu {

void exit(uint8_t value) {
    constexpr uint16_t isa_debug_exit_port = 0xF4;
    x86::outb(isa_debug_exit_port, value);
    x86::halt_forever();
}

}  // namespace qemu
