// The kernel monitor: a small command line on the console for looking at
// the machine by hand (and for the grader to poke at).
#pragma once
#include "lib/types.hh"

namespace monitor {

// Reads and runs commands forever.
[[noreturn]] void run();

// Splits line (in place) into at most max_args words; runs the command
// they name. Returns false if the line named no known command.
bool run_command(char* line);

}  // namespace monitor
