#include "kern/pic.hh"
#include "kern/x86.hh"

namespace {
constexpr uint16_t master_cmd = 0x20, master_data = 0x21, slave_cmd = 0xA0, slave_data = 0xA1;
constexpr uint16_t pit_channel0 = 0x40, pit_mode = 0x43;
constexpr uint32_t pit_hz = 1193182;
constexpr uint8_t end_of_interrupt_cmd = 0x20;
}  // namespace

namespace pic {

void init(unsigned ticks_per_second) {
    // ICW1..ICW4: edge triggered, cascaded, vectors from irq_base, 8086 mode.
    x86::outb(master_cmd, 0x11);
    x86::outb(slave_cmd, 0x11);
    x86::outb(master_data, irq_base);
    x86::outb(slave_data, irq_base + 8);
    x86::outb(master_data, 1 << 2);     // the slave sits on IRQ 2
    x86::outb(slave_data, 2);
    x86::outb(master_data, 0x01);
    x86::outb(slave_data, 0x01);
    x86::outb(master_data, static_cast<uint8_t>(~(1u << irq_timer)));
    x86::outb(slave_data, 0xFF);

    uint16_t divisor = static_cast<uint16_t>(pit_hz / ticks_per_second);
    x86::outb(pit_mode, 0x34);          // channel 0, lo/hi byte, rate generator
    x86::outb(pit_channel0, divisor & 0xFF);
    x86::outb(pit_channel0, divisor >> 8);
}

void end_of_interrupt(uint8_t irq) {
    if (irq >= 8) x86::outb(slave_cmd, end_of_interrupt_cmd);
    x86::outb(master_cmd, end_of_interrupt_cmd);
}

}  // namespace pic
