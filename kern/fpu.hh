// Each env's x87/SSE registers. They are user state like rax, and no env may
// read another's: the kernel saves them when the CPU passes to another env.
#pragma once
#include "lib/types.hh"

namespace fpu {

// An FXSAVE image: x87, MMX and SSE registers and MXCSR.
struct alignas(16) State {
    uint8_t image[512];
};

// The state a new env starts with: x87 and SSE as after reset, empty.
void reset(State& s);
// Makes s the live register state, saving the previous owner's first.
// Free when s is already live (the same env resuming).
void switch_to(State& s);
// Makes to a copy of from, which may be the live state (exofork).
void copy(const State& from, State& to);
// s is going away: its registers need no saving.
void forget(State& s);

}  // namespace fpu
