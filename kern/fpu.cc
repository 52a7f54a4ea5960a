#include "kern/fpu.hh"
#include "lib/string.hh"

// Eager switching: the registers are saved and loaded when a different env
// resumes, not trapped on first use (CR0.TS and #NM). One FXSAVE and one
// FXRSTOR are small beside the CR3 switch they ride with, the same env
// resuming costs nothing, and lazy switching has leaked registers through
// speculative execution on real CPUs (CVE-2018-3665).

namespace {
fpu::State* live = nullptr;   // whose registers the CPU holds
}  // namespace

namespace fpu {

void reset(State& s) {
    memset(&s, 0, sizeof s);
    constexpr uint16_t x87_control_default = 0x037F;   // all exceptions masked, 64-bit precision
    constexpr uint32_t mxcsr_default = 0x1F80;         // all SSE exceptions masked
    memcpy(&s.image[0], &x87_control_default, sizeof x87_control_default);
    memcpy(&s.image[24], &mxcsr_default, sizeof mxcsr_default);
}

void switch_to(State& s) {
    if (live == &s) return;
    if (live) asm volatile("fxsave64 %0" : "=m"(*live));
    asm volatile("fxrstor64 %0" : : "m"(s));
    live = &s;
}

void copy(const State& from, State& to) {
    if (live == &from) asm volatile("fxsave64 %0" : "=m"(to));
    else memcpy(&to, &from, sizeof to);
}

void forget(State& s) {
    if (live == &s) live = nullptr;
}

}  // namespace fpu
