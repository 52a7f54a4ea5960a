#include "kern/serial.hh"
#include "kern/x86.hh"

namespace {
constexpr uint16_t com1 = 0x3F8;
// Register offsets from the port base.
constexpr uint16_t data = 0, int_enable = 1, fifo_ctrl = 2, line_ctrl = 3,
                   modem_ctrl = 4, line_status = 5;
constexpr uint8_t line_status_data_ready = 0x01, line_status_tx_empty = 0x20;
bool present = false;
}  // namespace

namespace serial {

void init() {
    x86::outb(com1 + int_enable, 0x00);   // we poll; no interrupts yet
    x86::outb(com1 + line_ctrl, 0x80);    // DLAB on to set the divisor
    x86::outb(com1 + data, 1);            // 115200 baud
    x86::outb(com1 + int_enable, 0);
    x86::outb(com1 + line_ctrl, 0x03);    // 8 bits, no parity, 1 stop bit
    x86::outb(com1 + fifo_ctrl, 0xC7);    // FIFOs on and cleared
    x86::outb(com1 + modem_ctrl, 0x03);   // DTR and RTS
    // A missing port reads back 0xFF.
    present = x86::inb(com1 + line_status) != 0xFF;
}

void put(char c) {
    if (!present) return;
    // Bounded wait, so a stuck UART slows us down instead of hanging us.
    for (int i = 0; i < 100000 && !(x86::inb(com1 + line_status) & line_status_tx_empty); ++i)
        x86::pause();
    x86::outb(com1 + data, static_cast<uint8_t>(c));
}

int try_get() {
    if (!present || !(x86::inb(com1 + line_status) & line_status_data_ready)) return -1;
    return x86::inb(com1 + data);
}

}  // namespace serial
