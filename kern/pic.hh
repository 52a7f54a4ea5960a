// The legacy 8259 interrupt controllers and the 8254 timer: enough for a
// periodic tick on one CPU.
#pragma once
#include "lib/types.hh"

namespace pic {
constexpr uint8_t irq_base = 32;     // IRQ n arrives as vector 32 + n
constexpr uint8_t irq_timer = 0;
// Remaps the controllers, masks everything but the timer and starts it at
// ticks_per_second.
void init(unsigned ticks_per_second);
void end_of_interrupt(uint8_t irq);
}  // namespace pic
