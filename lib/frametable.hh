// The frame table, read without a system call at frame_table_view
// (lib/abi.hh): who owns each physical frame and how many mappings refer
// to it. A library OS picks a free frame here and asks for it by number
// with sys_page_alloc. Read-only: a write faults. The kernel may change an
// entry at any system call, so a frame seen free may be taken by then (the
// allocation then fails with E_BUSY).
#pragma once
#include "lib/abi.hh"

namespace frametable {

inline uint64_t count() {
    return reinterpret_cast<const volatile FrameTableHeader*>(frame_table_view)->frame_count;
}
inline const volatile FrameInfo& at(uint64_t frame) {
    return reinterpret_cast<const volatile FrameInfo*>(frame_table_view + 4096)[frame];
}
inline int32_t owner(uint64_t frame) { return at(frame).owner; }
inline uint32_t refcount(uint64_t frame) { return at(frame).refcount; }
inline bool is_free(uint64_t frame) { return owner(frame) == owner_free; }

}  // namespace frametable
