// Ending a QEMU run with a status the grader can trust. QEMU's
// isa-debug-exit device (port 0xf4) exits with status (value << 1) | 1, so
// every status it produces is odd, and 0 can only mean something else
// (a triple fault under -no-reboot, or QEMU stopped by a signal).
#pragma once
#include "lib/types.hh"

namespace qemu {

// Values the kernel writes; the grader expects (value << 1) | 1.
enum class ExitCode : uint8_t {
    success = 0x10,     // a self-test or program finished and checked out
    failure = 0x11,     // a self-test found a wrong result
    panic = 0x12,       // the kernel panicked
};

// Exits QEMU if the device is present (it is under the grader); on a real
// machine or without the device the write is ignored and we halt.
[[noreturn]] void exit(uint8_t value);
[[noreturn]] inline void exit(ExitCode code) { exit(static_cast<uint8_t>(code)); }

}  // namespace qemu
