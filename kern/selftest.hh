// Self-tests the grader selects with the boot argument test=NAME. Each ends
// the QEMU run with an exit status (qemu_exit.hh), so the verdict does not
// rest on what the kernel prints; many also stop at selftest_checkpoint so
// the grader can inspect the machine over GDB.
#pragma once
#include "lib/types.hh"

namespace selftest {

enum class Stage {
    early,          // right after the console: needs nothing else
    memory,         // after the frame table and kernel address space
};

// Runs the named test if it belongs to stage (it then exits QEMU).
void run(const char* name, Stage stage);
// True if some stage has a test of that name.
bool exists(const char* name);

// The boot argument nonce=, or 0.
uint64_t nonce_arg();

// Lab 1 (selftest_lab1.cc)
void printf_formats();
void backtrace();
void panic_chain();
void embed();
// Lab 2 (selftest_lab2.cc)
void frames();
void pagetable();
void tlb();
void kernel_address_space();
// Lab 3 (selftest_lab3.cc)
void user_memory();
void loader();

}  // namespace selftest

// The grader puts a breakpoint here to read kernel state at a known point;
// stage and value say which point and what to look at.
extern "C" void selftest_checkpoint(uint64_t stage, uint64_t value);
