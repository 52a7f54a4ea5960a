#include "kern/revoke_policy.hh"

namespace revoke_policy {

namespace {
// Whether a comes before b in the abort's order of preference.
bool before(const Candidate& a, const Candidate& b) {
    if (a.shared != b.shared) return !a.shared;
    if (a.accessed != b.accessed) return !a.accessed;
    return a.va < b.va;
}

void swap(Candidate& a, Candidate& b) {
    Candidate t = a;
    a = b;
    b = t;
}
}  // namespace

size_t choose_frames(Candidate* c, size_t n, size_t take) {
    // BEGIN LAB 7
    // Selection: the abort takes few frames from a bounded list, and this
    // runs in the kernel with no allocator.
    size_t chosen = 0;
    for (size_t i = 0; i < n && chosen < take; ++i) {
        size_t best = i;
        for (size_t j = i + 1; j < n; ++j)
            if (before(c[j], c[best])) best = j;
        swap(c[i], c[best]);
        // A second mapping of a frame already chosen takes nothing more.
        bool again = false;
        for (size_t k = 0; k < chosen; ++k) again = again || c[k].frame == c[i].frame;
        if (again) continue;
        swap(c[chosen], c[i]);
        ++chosen;
    }
    return chosen;
    // STUB LAB 7
    //~ // LAB 7: your code here. Move the frames the abort takes to the
    //~ // front of c, best first, and return how many: take of them, or
    //~ // fewer if c runs out. Best: a frame nobody else maps (!shared)
    //~ // before a shared one; then one not accessed before an accessed one;
    //~ // then the lower va (the helper before() says exactly that). A frame
    //~ // mapped at two addresses has two rows with the same frame number:
    //~ // it is one frame, chosen once (its best row). No allocator here: a
    //~ // selection sort over the bounded list is fine (swap() helps).
    //~ (void) c, (void) n, (void) take, (void) before, (void) swap;
    //~ return 0;
    // END LAB 7
}

void sort_frames(uint64_t* frames, size_t n) {
    for (size_t i = 1; i < n; ++i) {
        uint64_t f = frames[i];
        size_t j = i;
        for (; j > 0 && frames[j - 1] > f; --j) frames[j] = frames[j - 1];
        frames[j] = f;
    }
}

bool contains(const uint64_t* sorted, size_t n, uint64_t frame) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] == frame) return true;
        if (sorted[mid] < frame) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

long choose_victim(const EnvMemoryView* views, size_t n, int32_t exclude, bool (*alive)(int32_t id)) {
    long victim = -1;
    for (size_t i = 0; i < n; ++i) {
        const EnvMemoryView& v = views[i];
        if (v.env_id == 0 || v.env_id == exclude || v.pending || v.held == 0 || !alive(v.env_id)) continue;
        if (victim < 0 || v.held > views[victim].held) victim = static_cast<long>(i);
    }
    return victim;
}

bool open_request(EnvMemoryView& v, uint32_t frames, uint64_t now, uint64_t grace) {
    uint32_t target = frames < v.held ? v.held - frames : 0;
    if (v.pending) {
        if (target < v.target) {
            v.requested += v.target - target;
            v.target = target;
        }
        return false;
    }
    v.pending = 1;
    v.requested = v.held - target;
    v.target = target;
    v.requested_at = now;
    v.deadline = now + grace;
    v.request_released = 0;
    ++v.requests;
    return true;
}

bool note_held(EnvMemoryView& v, uint64_t now) {
    if (!v.pending || v.held > v.target) return false;
    v.pending = 0;
    v.answered_at = now;
    ++v.complied;
    return true;
}

uint32_t due(const EnvMemoryView& v, uint64_t now) {
    if (!v.pending || now < v.deadline || v.held <= v.target) return 0;
    return v.held - v.target;
}

void close_by_force(EnvMemoryView& v, uint64_t now) {
    v.pending = 0;
    v.answered_at = now;
    ++v.aborts;
}

}  // namespace revoke_policy
