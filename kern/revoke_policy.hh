// The decisions of visible revocation and the abort protocol (Lab 7), as
// pure functions over the memory table's entries, so that the host unit
// tests can drive them without a kernel: the request's life (open, met,
// due, closed by force), which env the pool asks, and which frames an
// abort takes. kern/revoke.cc applies them.
#pragma once
#include "lib/abi.hh"

namespace revoke_policy {

// A frame the abort may take: one the victim owns and maps at va.
struct Candidate {
    uintptr_t va;
    uint64_t frame;    // its number
    bool shared;       // some other mapping refers to it too
    bool accessed;     // its accessed bit is set: touched since the request
};

// Reorders c[0..n) so that c[0..take) are the frames the abort takes, in
// order of preference: frames nobody else maps before shared ones; among
// those, not accessed before accessed; then the lower va. Returns how many
// it chose: take, or n if there are fewer. A frame mapped at two addresses
// appears twice; both rows count as one frame (the first one chosen).
size_t choose_frames(Candidate* c, size_t n, size_t take);

// Sorts frames[0..n) by number, so that contains() can search it.
void sort_frames(uint64_t* frames, size_t n);
bool contains(const uint64_t* sorted, size_t n, uint64_t frame);

// The env the pool asks: among live envs (alive(id)) with no request open,
// other than exclude (0 for none), the one holding the most frames; a tie
// goes to the lowest index. Its index in views, or -1 if none holds any.
long choose_victim(const EnvMemoryView* views, size_t n, int32_t exclude, bool (*alive)(int32_t id));

// A request's life. open_request: v must give back `frames` more, by
// now + grace (an open request keeps its deadline and lowers its target).
// True if it opened a new request (an upcall is due).
bool open_request(EnvMemoryView& v, uint32_t frames, uint64_t now, uint64_t grace);
// After v.held dropped: closes an open request that is now met (held <=
// target) as complied. True if it closed it.
bool note_held(EnvMemoryView& v, uint64_t now);
// How many frames the abort must take from v at tick now: what it still
// holds above its target once the deadline has come; 0 otherwise.
uint32_t due(const EnvMemoryView& v, uint64_t now);
// Closes v's open request as met by force (before the frames are taken,
// so that their release does not count as compliance).
void close_by_force(EnvMemoryView& v, uint64_t now);

}  // namespace revoke_policy
