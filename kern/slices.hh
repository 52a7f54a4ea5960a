// The CPU as a vector of time slices (Lab 6, after Aegis): who owns which
// slot, and what the kernel counts about each env's use of the CPU. The
// whole table is exposed read-only at slice_table_view (lib/abi.hh).
// Choosing who runs from it is kern/sched.cc's business.
#pragma once
#include "kern/env.hh"

extern SliceTable slice_table;

// A fixed clock: PIT ticks, slices and epilogue budgets counted in them.
constexpr uint32_t ticks_per_second = 2000;
constexpr uint32_t slice_ticks = 6;
constexpr uint32_t epilogue_budget = 3;
static_assert(epilogue_budget < slice_ticks, "a borrowed slice must keep a tick");

namespace slices {

void init();
inline EnvCpuView& view(const Env& e) { return slice_table.env[env_index(e.id)]; }
// The owner of slot, if it is a live env.
Env* owner(uint32_t slot);

// A new env: fresh counters and one free slot, if any is left, so that a
// program that never asks for slots still runs (the kernel's default).
void env_started(Env& e);
// An ending env gives its slots back; its counters stay readable until its
// table entry is reused.
void env_ended(Env& e);

// SYS_slice_alloc's work: slot (or slot_any: the first free one) becomes
// e's. The slot, or E_INVAL (no such slot), E_BUSY (taken), E_NO_SLOT.
int64_t alloc(Env& e, uint64_t slot);
// SYS_slice_free's: 0, or E_INVAL (no such slot), E_PERM (not e's).
int64_t free(Env& e, uint64_t slot);

}  // namespace slices
