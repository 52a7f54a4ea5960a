#include "kern/slices.hh"
#include "lib/error.hh"
#include "lib/string.hh"

// Page-aligned: kernel_vm maps these very pages read-only into user space.
alignas(4096) constinit SliceTable slice_table{};
static_assert(sizeof(SliceTable) % 4096 == 0);
static_assert(offsetof(SliceTable, env) == 4096);

namespace slices {

void init() {
    slice_table.slice_ticks = slice_ticks;
    slice_table.epilogue_budget = epilogue_budget;
    slice_table.ticks_per_second = ticks_per_second;
    slice_table.slot_count = slice_slots;
    // The first walk of the vector starts at slot 0.
    slice_table.current_slot = slice_slots - 1;
}

Env* owner(uint32_t slot) {
    EnvId id = slice_table.owner[slot];
    if (id == owner_free) return nullptr;
    Env& e = envs[env_index(id)];
    return e.alive() && e.id == id ? &e : nullptr;
}

void env_started(Env& e) {
    view(e) = EnvCpuView{};
    view(e).env_id = e.id;
    alloc(e, slot_any);   // no slot left: it runs only when handed one
}

void env_ended(Env& e) {
    for (int32_t& owner : slice_table.owner)
        if (owner == e.id) owner = owner_free;
    view(e).slots = 0;
}

int64_t alloc(Env& e, uint64_t slot) {
    if (slot == slot_any) {
        for (slot = 0; slot < slice_slots && slice_table.owner[slot] != owner_free; ++slot) {}
        if (slot == slice_slots) return E_NO_SLOT;
    } else if (slot >= slice_slots) {
        return E_INVAL;
    } else if (slice_table.owner[slot] != owner_free) {
        return E_BUSY;
    }
    slice_table.owner[slot] = e.id;
    ++view(e).slots;
    return static_cast<int64_t>(slot);
}

int64_t free(Env& e, uint64_t slot) {
    if (slot >= slice_slots) return E_INVAL;
    if (slice_table.owner[slot] != e.id) return E_PERM;
    slice_table.owner[slot] = owner_free;
    --view(e).slots;
    return 0;
}

}  // namespace slices
