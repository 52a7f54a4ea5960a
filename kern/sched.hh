// Choosing who runs (Lab 6): the slice vector in order, each slot's owner
// for its slice; epilogues on borrowed time, the forced switch, and
// directed hand-offs. The vector itself is kern/slices.hh.
#pragma once
#include "kern/env.hh"

namespace sched {
// Ends the current slice and starts the next one, in vector order, whose
// owner can run. With none left, stops the run for the grader (boot
// argument idle=exit) or drops into the monitor.
[[noreturn]] void run_next();
// Whether this run ends when nothing is left to run (idle=exit), rather
// than dropping into the monitor.
bool exits_when_idle();

// A timer tick that interrupted e in user mode. Returns if e's slice (or
// its epilogue's budget) goes on; otherwise enters e's epilogue or
// switches away, and does not return.
void tick(Env& e);
// A timer tick that found the kernel idle (in the monitor).
void idle_tick();

// SYS_yield: ends e's epilogue, if it is in one, and its slice.
[[noreturn]] void yield(Env& e);
// SYS_yield_to: 0 in e (once it runs again), or E_BAD_ENV, E_INVAL (the
// target is e itself or not runnable, or e is in its epilogue).
int64_t yield_to(Env& e, uint64_t target);
// The rest of the current slice to `to`, a runnable env: SYS_yield_to's
// switch and IPC's. Counted as a hand-off.
[[noreturn]] void hand_off(Env& to);
}  // namespace sched
