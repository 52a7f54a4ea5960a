// Memory from the library OS's side (Lab 7): the memory table (quotas,
// requests, repossession vectors) read without a system call, and the
// upcall through which the kernel asks for frames back and says what it
// took by force (lib/abi.hh, "Memory").
#pragma once
#include "lib/abi.hh"

namespace revocation {

// Read-only; the kernel changes it as frames come and go.
inline const volatile MemoryTable& table() {
    return *reinterpret_cast<const volatile MemoryTable*>(memory_table_view);
}
// envid's entry; 0 means the caller, as in the system calls.
const volatile EnvMemoryView& of(int32_t envid = 0);

// What the upcall calls. A request: give back `frames` frames by tick
// `deadline` (SYS_frame_release them, or unmap them). A notice: the kernel
// took frames by force; new_repossessions() says which. Either may be
// null (then a request is ignored: the kernel takes frames at the
// deadline). They run on the exception stack, interrupting the program
// wherever it was; they may use IPC and fault, but not return to code that
// waits for the very frames being taken.
using RequestHandler = void (*)(uint32_t frames, uint64_t deadline);
using NoticeHandler = void (*)();
// Registers both (allocating the exception stack if need be). 0 or an Error.
int set_handlers(RequestHandler request, NoticeHandler notice);

// Calls fn(va) for each address the kernel has repossessed from this env
// since the last call, oldest first. Returns how many more there were
// that the ring no longer holds (0 unless the library fell far behind).
template <typename Fn>
uint64_t new_repossessions(Fn fn);
// Whether va is among the addresses in this env's vector (the last
// repossession_slots taken): repossessed, not merely never mapped.
bool repossessed(uintptr_t va);

// Implementation detail of new_repossessions: how far the library has read.
extern uint64_t vector_seen;

template <typename Fn>
uint64_t new_repossessions(Fn fn) {
    const volatile EnvMemoryView& v = of();
    uint64_t count = v.vector_count, lost = 0;
    if (count - vector_seen > repossession_slots) {
        lost = count - vector_seen - repossession_slots;
        vector_seen = count - repossession_slots;
    }
    for (; vector_seen < count; ++vector_seen) fn(static_cast<uintptr_t>(v.vector[vector_seen % repossession_slots]));
    return lost;
}

}  // namespace revocation

extern "C" {
// The assembly entry the kernel jumps to (lib/revocationentry.S).
void revocation_upcall();
// What the entry calls: the frame the kernel pushed.
void revocation_dispatch(UTrapFrame* frame);
}
