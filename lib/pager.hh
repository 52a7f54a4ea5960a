// A pager (Lab 7): demand paging of one region of memory through a
// backing-store env, so that a program keeps working when the kernel takes
// frames back. Touch any page of the region and it is there with what was
// last written to it. When the kernel asks for frames (a revocation
// request), the pager picks its victims (a clock over the accessed bits it
// reads through uvpt), writes them to the store over IPC, and gives the
// frames back; it pages them in again on the next touch, and keeps within
// its quota by evicting before it pages in.
//
// If the kernel takes region pages by force instead (the abort protocol),
// the pager learns which from the repossession vector: a page whose
// contents the store holds comes back on its next touch as if nothing had
// happened; a page written since it was last saved is lost, and comes back
// zeroed after the lost handler has been told.
#pragma once
#include "lib/types.hh"

namespace pager {

// What it did, for programs and benchmarks.
struct Stats {
    uint64_t page_outs;   // pages written to the store (evictions that had to save)
    uint64_t evictions;   // frames given back
    uint64_t page_ins;    // pages read back from the store
    uint64_t zero_fills;  // first touches
    uint64_t requests;    // revocation requests answered
    uint64_t restored;    // repossessed pages restored from the store
    uint64_t lost;        // repossessed pages whose contents were lost
};
const Stats& stats();

// Pages [base, base + pages * 4096): base 2 MiB-aligned, 0 < pages < 512,
// nothing mapped there yet. Forks the store first (an eager copy of the
// program; call it before the region holds anything), then takes the page faults in the region (others
// go to the handler that was installed before) and the revocation upcall.
// 0 or an Error.
int start(uintptr_t base, size_t pages);
// Ends the store. The region's resident pages stay mapped.
void stop();

// Told of each page whose contents the kernel took by force before they
// were saved, just before the pager maps a zeroed page there.
using LostHandler = void (*)(uintptr_t va);
void on_lost(LostHandler handler);

}  // namespace pager
