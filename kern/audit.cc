#include "kern/audit.hh"
#include "lib/abi.hh"

AuditReport audit_report{};

namespace {

// audit_counts[n]: references found to frame n, with two marks on top.
constexpr uint32_t is_table = 1u << 31;
constexpr uint32_t is_mapped = 1u << 30;
constexpr uint32_t count_mask = is_mapped - 1;

struct Checker {
    FrameTable& table;
    const PageTableMemory& memory;
    const AuditSpace* spaces;
    size_t space_count;
    AuditFinding* out;

    bool fail(AuditProblem problem, uint64_t frame, uint32_t expected = 0) {
        *out = AuditFinding{};
        out->problem = problem;
        out->frame = frame;
        out->expected = expected;
        if (frame < table.count) {
            out->owner = table.frames[frame].owner;
            out->found = table.frames[frame].refcount;
            find_mappers(frame);
        }
        return false;
    }

    void find_mappers(uint64_t frame) {
        size_t n = 0;
        for (size_t s = 0; s < space_count; ++s) {
            PageTable pt(spaces[s].root, memory, spaces[s].id);
            pt.for_each_user_mapping([&](uintptr_t va, uint64_t entry) {
                if (n < 4 && pte::address(entry) / 4096 == frame) {
                    out->mappers[n] = spaces[s].id;
                    out->mapper_va[n++] = va;
                }
            });
        }
    }

    // Counts every table page and every mapping. False at a PTE that names
    // no frame the table has (counting it would write past the scratch).
    bool count_references() {
        uint32_t* counts = table.audit_counts;
        for (size_t n = 0; n < table.count; ++n) counts[n] = 0;
        // A flag, not a sentinel: frame number no_frame fits in a PTE too.
        bool past_ram = false;
        uint64_t beyond = 0;
        for (size_t s = 0; s < space_count; ++s) {
            PageTable pt(spaces[s].root, memory, spaces[s].id);
            pt.for_each_user_table([&](uintptr_t pa) {
                if (pa / 4096 < table.count) counts[pa / 4096] = (counts[pa / 4096] + 1) | is_table;
                else { past_ram = true; beyond = pa / 4096; }
            });
            pt.for_each_user_mapping([&](uintptr_t, uint64_t entry) {
                uint64_t n = pte::address(entry) / 4096;
                if (n < table.count) counts[n] = (counts[n] + 1) | is_mapped;
                else { past_ram = true; beyond = n; }
            });
        }
        return !past_ram || fail(AuditProblem::mapped_beyond_ram, beyond);
    }

    bool check_frames(bool (*alive)(int32_t)) {
        uint64_t free_frames = 0;
        for (size_t n = 0; n < table.count; ++n) {
            const FrameInfo& f = table.frames[n];
            uint32_t c = table.audit_counts[n];
            uint32_t refs = c & count_mask;
            if ((c & is_table) && (c & is_mapped)) return fail(AuditProblem::table_page_mapped, n, refs);
            if (f.owner == owner_free) {
                ++free_frames;
                if (refs != 0 || f.refcount != 0) return fail(AuditProblem::free_frame_in_use, n, refs);
            } else if (f.owner == owner_kernel) {
                if (refs != 0) return fail(AuditProblem::kernel_frame_in_use, n, refs);
            } else if (f.owner < 0) {
                return fail(AuditProblem::bad_owner, n, refs);
            } else if (!alive(f.owner)) {
                return fail(AuditProblem::owner_dead, n, refs);
            } else if (f.refcount != refs) {
                return fail(AuditProblem::refcount_wrong, n, refs);
            } else if (refs == 0) {
                return fail(AuditProblem::owned_unreferenced, n, refs);
            }
        }
        // The list must hold exactly the free frames: walk at most count
        // steps (a cycle must not hang the audit).
        uint64_t listed = 0;
        for (uint32_t n = table.free_head; n != no_frame; n = table.frames[n].next_free) {
            if (n >= table.count || table.frames[n].owner != owner_free || listed == table.count)
                return fail(AuditProblem::free_list_wrong, n < table.count ? n : no_frame, 0);
            ++listed;
        }
        if (listed != free_frames || listed != table.free_count)
            return fail(AuditProblem::free_list_wrong, no_frame, 0);
        return true;
    }
};

}  // namespace

namespace audit {

bool check(FrameTable& table, const PageTableMemory& memory, const AuditSpace* spaces, size_t count,
           bool (*alive)(int32_t id), AuditFinding* out) {
    Checker checker{table, memory, spaces, count, out};
    *out = AuditFinding{};
    return checker.count_references() && checker.check_frames(alive);
}

}  // namespace audit
