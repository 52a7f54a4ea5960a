// Choosing who runs next. Round robin for now; lab 6 hands time slices to
// the library OS with prologue and epilogue upcalls.
#pragma once

namespace sched {
// Runs the next runnable env after the current one (the current one last).
// With none left, stops the run for the grader (boot argument idle=exit)
// or drops into the monitor.
[[noreturn]] void run_next();
// Whether this run ends when nothing is left to run (idle=exit), rather
// than dropping into the monitor.
bool exits_when_idle();
}  // namespace sched
