// threadcount: user-level threads preempted by the env's own epilogue.
// 2-4 threads (from arg) each count to their own target (from arg)
// without ever yielding, sampling the others' counts as they go; then a
// producer and a consumer pass 64-96 numbers (from arg) through a 4-slot
// buffer guarded by a mutex and two condition variables. The main thread
// joins them all and reports (report_value) each count with its target,
// how many counters saw another thread move while they ran, and the
// consumer's sum with the one expected. Last, two threads take and drop
// one mutex 100,000-165,535 times each (from arg), so that slices end
// inside the package's critical sections, and the shared count is
// reported with 2 x that.
// Grader expects: exit ok; every count at its target; every counter saw
// another move (preemption, since none yields); the sum right; the
// mutex-guarded count twice the rounds.
#include "user/lab6.hh"

namespace {
const char* program_name = "threadcount";
int check_number = 0;

constexpr int max_counters = 4;
struct Counter {
    volatile uint64_t count;
    uint64_t target;
    bool saw_others;
};
Counter counters[max_counters];
int ncounters;

uint64_t others_total(int me) {
    uint64_t total = 0;
    for (int i = 0; i < ncounters; ++i)
        if (i != me) total += counters[i].count;
    return total;
}

void count(void* arg) {
    int me = static_cast<int>(reinterpret_cast<uintptr_t>(arg));
    Counter& c = counters[me];
    uint64_t seen = others_total(me);
    while (c.count < c.target) {
        c.count = c.count + 1;
        if ((c.count & 0xFFF) == 0 && others_total(me) != seen) c.saw_others = true;
    }
}

// Two threads take and drop one mutex `rounds` times each: the thread
// package's critical sections are then so frequent that slices end inside
// them, which the epilogue must leave alone.
Mutex hammer_lock;
uint64_t hammered, hammer_rounds;
void hammer(void*) {
    for (uint64_t i = 0; i < hammer_rounds; ++i) {
        mutex_lock(&hammer_lock);
        hammered = hammered + 1;
        mutex_unlock(&hammer_lock);
    }
}

constexpr int slots = 4;
Mutex lock;
CondVar not_full, not_empty;
uint64_t buffer[slots];
int head, used;
uint64_t items, seed, sum;

void produce(void*) {
    for (uint64_t i = 0; i < items; ++i) {
        mutex_lock(&lock);
        while (used == slots) cond_wait(&not_full, &lock);
        buffer[(head + used) % slots] = seed * (i + 1);
        ++used;
        cond_signal(&not_empty);
        mutex_unlock(&lock);
    }
}

void consume(void*) {
    for (uint64_t i = 0; i < items; ++i) {
        mutex_lock(&lock);
        while (used == 0) cond_wait(&not_empty, &lock);
        sum += buffer[head];
        head = (head + 1) % slots;
        --used;
        cond_signal(&not_full);
        mutex_unlock(&lock);
        work(2000);
    }
}
}  // namespace

uint64_t umain(uint64_t arg) {
    ncounters = 2 + static_cast<int>(arg % 3);
    CHECK(threads_init(), 0);
    int ids[max_counters + 2];
    for (int i = 0; i < ncounters; ++i) {
        counters[i].target = (3 << 20) + ((arg >> (4 + 8 * i)) & 0xFFFFF);
        ids[i] = thread_create(count, reinterpret_cast<void*>(static_cast<uintptr_t>(i)));
        CHECK(ids[i] > 0, true);
    }
    items = 64 + (arg >> 40) % 33;
    seed = (arg >> 20) | 1;
    ids[ncounters] = thread_create(produce, nullptr);
    ids[ncounters + 1] = thread_create(consume, nullptr);
    CHECK(ids[ncounters] > 0 && ids[ncounters + 1] > 0, true);
    for (int i = 0; i < ncounters + 2; ++i) CHECK(thread_join(ids[i]), 0);
    hammer_rounds = 100000 + (arg & 0xFFFF);
    int hammers[2] = {thread_create(hammer, nullptr), thread_create(hammer, nullptr)};
    CHECK(hammers[0] > 0 && hammers[1] > 0, true);
    CHECK(thread_join(hammers[0]), 0);
    CHECK(thread_join(hammers[1]), 0);
    CHECK(thread_join(ids[0]), E_INVAL);   // already joined
    int saw = 0;
    for (int i = 0; i < ncounters; ++i) {
        grader_report(report_value, counters[i].count, counters[i].target);
        saw += counters[i].saw_others;
    }
    grader_report(report_value, saw, ncounters);
    uint64_t want = seed * items * (items + 1) / 2;
    grader_report(report_value, sum, want);
    grader_report(report_value, hammered, 2 * hammer_rounds);
    for (int i = 0; i < ncounters; ++i) CHECK(counters[i].count, counters[i].target);
    CHECK(saw, ncounters);
    CHECK(sum, want);
    CHECK(hammered, 2 * hammer_rounds);
    return arg ^ ok_status;
}
