// Time slices from the library OS's side (Lab 6): the slice vector and
// every env's CPU counters, read without a system call (lib/abi.hh, "Time
// slices"), and the library's own context switch at slice boundaries.
#pragma once
#include "lib/abi.hh"

namespace slices {

// Read-only; the kernel changes it at every tick.
inline const volatile SliceTable& table() {
    return *reinterpret_cast<const volatile SliceTable*>(slice_table_view);
}
// envid's CPU counters; 0 means the caller, as in the system calls.
const volatile EnvCpuView& of(int32_t envid);
// Where the kernel writes the interrupted state at a slice's end
// (lib/layout.hh's slice_save_va).
UTrapFrame* save_area();

// The slots envid owns: a slot number per call, from `after` + 1 on;
// slice_slots when there are no more.
uint32_t next_owned(int32_t envid, uint32_t after = ~0u);
// Frees every slot envid (the caller or a child) owns. 0 or an Error.
int release_all(int32_t envid);

// The library's slice upcalls. At a slice's end the epilogue handler gets
// the interrupted state (the save area) and may keep it or change it; the
// library then yields. At the next slice's start the prologue handler gets
// the same save area, and whatever it then holds is resumed. Either
// handler may be null. They run on the exception stack: keep them short
// (an epilogue has epilogue_budget ticks before the kernel aborts it) and
// never yield or block in them.
using SliceHandler = void (*)(UTrapFrame* state);
// Registers both (allocating the exception stack if need be). 0 or an Error.
int set_handlers(SliceHandler epilogue, SliceHandler prologue);
// Back to the kernel's default save and restore.
int clear_handlers();
// Gives a child made by fork the same slice upcalls, if this env has any
// (the save area and handlers are at the same addresses in its copy).
int inherit(int32_t child);

}  // namespace slices

extern "C" {
// The assembly entries the kernel jumps to (lib/sliceentry.S).
void epilogue_upcall();
void prologue_upcall();
// What the entries call; set by slices::set_handlers.
extern slices::SliceHandler epilogue_handler, prologue_handler;
}
