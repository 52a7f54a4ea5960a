// Memory as a revocable resource (Lab 7, after Aegis): frame quotas and the
// pool, visible revocation (a request the library OS answers by giving
// frames back), and the abort protocol (the kernel takes them by force at
// the deadline and says which in the env's repossession vector). The
// memory table is exposed read-only at memory_table_view (lib/abi.hh).
#pragma once
#include "kern/env.hh"

extern MemoryTable memory_table;

// Ticks a request gives the library OS (20 ms): a victim that owns a slot
// gets at least one slice in that time while fewer than 7 envs share the
// vector; one with no slot, or behind many, may not (the handout says why
// the deadline is in the clock's ticks all the same).
constexpr uint32_t revocation_grace_ticks = 40;
// Frames the pool asks of a victim when an allocation found it empty.
constexpr uint32_t pool_request_frames = 8;

namespace revoke {

void init();
inline EnvMemoryView& view(const Env& e) { return memory_table.env[env_index(e.id)]; }

// An env's life: its quota is its parent's (the pool's for the first env);
// at its end a carved quota goes back to the parent.
void env_started(EnvId id, EnvId parent);
void env_ended(Env& e);

// Every frame an env is charged for comes through here: within its quota
// and the pool (else E_NO_MEM; an env with a request open may not grow
// either), a free frame (frame_any) or the one named, charged to owner.
// Owners that are not envs (the kernel) are not counted.
int take_frame(int32_t owner, uint64_t frame, uintptr_t* pa);
// The frame table calls this as a frame charged to owner is freed.
void uncharged(int32_t owner);
// A frame's charge moves from one env to another (kern/env.cc's heirs).
void transfer(int32_t from, int32_t to);

// A request: e must give back frames, by the deadline.
void request(Env& e, uint32_t frames);
// Each timer tick: requests whose deadline has come are met by force.
void tick();

// System calls.
int64_t frame_release(Env& e, uintptr_t va);
int64_t quota_set(Env& parent, Env& child, uint64_t frames);
int64_t test_pressure(uint64_t what, uint64_t envid, uint64_t frames);

// The abort: takes up to count frames from e, removes every mapping of
// each in every env, records them. How many it took.
uint32_t repossess(Env& e, uint32_t count);

}  // namespace revoke
