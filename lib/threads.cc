#include "lib/threads.hh"
#include "lib/console.hh"
#include "lib/error.hh"
#include "lib/layout.hh"
#include "lib/slices.hh"
#include "lib/syscall.hh"
#include <stddef.h>

// lib/threadswitch.S's constants.
static_assert(sizeof(UTrapFrame) == 21 * 8);
static_assert(offsetof(UTrapFrame, r15) == 3 * 8 && offsetof(UTrapFrame, r12) == 6 * 8);
static_assert(offsetof(UTrapFrame, rbp) == 11 * 8 && offsetof(UTrapFrame, rbx) == 16 * 8);
static_assert(offsetof(UTrapFrame, rip) == 18 * 8 && offsetof(UTrapFrame, rsp) == 20 * 8);
static_assert(exception_stack_top == 0x00007FFFFFFFE000);

extern "C" void thread_switch(UTrapFrame* save, const UTrapFrame* next, volatile uint32_t* critical);

enum class ThreadState : uint8_t { free, ready, running, blocked, done };

struct Thread {
    UTrapFrame context;     // its registers while another thread runs
    ThreadState state;
    bool stack_mapped;
    int id;
    ThreadFn fn;
    void* arg;
    Thread* next;           // its link in the ready queue or a wait queue
    Thread* joiner;         // the thread waiting in thread_join for it
};

namespace {

Thread threads[max_threads];
Thread* current;
ThreadQueue ready;
// Set while the thread package changes its queues: the epilogue then
// leaves the running thread alone (no preemption in a critical section).
// thread_switch clears it as the next thread starts.
volatile uint32_t critical;
// The queues change only between these. The fences keep the compiler from
// moving a queue update across the flag (a volatile store orders only
// other volatile accesses).
void enter_critical() {
    critical = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
void leave_critical() {
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    critical = 0;
}

// The epilogue queued the running thread: the prologue must pick one.
bool switch_pending;
uint64_t preemptions;

void enqueue(ThreadQueue& q, Thread* t) {
    t->next = nullptr;
    if (q.tail) q.tail->next = t;
    else q.head = t;
    q.tail = t;
}

Thread* dequeue(ThreadQueue& q) {
    Thread* t = q.head;
    if (t) {
        q.head = t->next;
        if (!q.head) q.tail = nullptr;
    }
    return t;
}

void make_ready(Thread* t) {
    t->state = ThreadState::ready;
    enqueue(ready, t);
}

// The current thread has stopped (queued somewhere, or done): runs the
// next ready one. Called inside a critical section; returns, with it
// ended, when this thread is picked again.
void switch_away() {
    Thread* next = dequeue(ready);
    if (!next) {
        printf("threads: every thread is blocked\n");
        sys_exit(thread_deadlock_status);
    }
    Thread* prev = current;
    current = next;
    next->state = ThreadState::running;
    thread_switch(&prev->context, &next->context, &critical);
}

// Preemption, at slice boundaries. The epilogue gets the interrupted state
// (the running thread's registers) and the prologue whatever it leaves in
// the save area is resumed: the next thread's.
void on_epilogue(UTrapFrame* interrupted) {
    // BEGIN LAB 6
    if (critical) return;
    current->context = *interrupted;
    make_ready(current);
    switch_pending = true;
}

void on_prologue(UTrapFrame* resume) {
    if (!switch_pending) return;
    switch_pending = false;
    Thread* next = dequeue(ready);   // never empty: the preempted thread is there
    if (next != current) ++preemptions;
    current = next;
    next->state = ThreadState::running;
    *resume = next->context;
    // STUB LAB 6
    //~ // LAB 6: your code here (both handlers). Neither may touch the
    //~ // queues while `critical` is set: the interrupted thread was in the
    //~ // middle of changing them, so leave the save area alone and it is
    //~ // resumed as it was. Otherwise the epilogue keeps the running
    //~ // thread's registers (*interrupted) in its context, makes it ready
    //~ // and notes switch_pending; the prologue, if a switch is pending,
    //~ // takes the next ready thread, makes it current and running, counts
    //~ // a preemption if it is not the same thread, and puts its context
    //~ // in *resume, which is what runs next.
    //~ (void) interrupted, (void) preemptions, (void) switch_pending;
    //~ }
    //~ void on_prologue(UTrapFrame* resume) {
    //~ (void) resume;
    // END LAB 6
}

[[noreturn]] void thread_start() {
    current->fn(current->arg);
    thread_exit();
}

int map_stack(Thread& t) {
    if (t.stack_mapped) return 0;
    uintptr_t top = thread_stack_base + static_cast<uintptr_t>(t.id) * thread_stack_span;
    for (size_t i = 1; i <= thread_stack_pages; ++i) {
        int64_t r = sys_page_alloc(0, top - i * 4096, perm_present | perm_user | perm_writable | perm_no_execute);
        if (r < 0) return static_cast<int>(r);
    }
    t.stack_mapped = true;
    return 0;
}

}  // namespace

int threads_init() {
    if (current) return 0;
    threads[0].id = 0;
    threads[0].state = ThreadState::running;
    current = &threads[0];
    return slices::set_handlers(on_epilogue, on_prologue);
}

int thread_create(ThreadFn fn, void* arg) {
    enter_critical();
    Thread* t = nullptr;
    for (int i = 1; i < max_threads && !t; ++i)
        if (threads[i].state == ThreadState::free) t = &threads[i];
    if (t) t->state = ThreadState::blocked;   // taken, not yet ready
    leave_critical();
    if (!t) return E_NO_FREE_ENV;
    t->id = static_cast<int>(t - threads);
    if (int r = map_stack(*t); r < 0) {
        t->state = ThreadState::free;
        return r;
    }
    uintptr_t top = thread_stack_base + static_cast<uintptr_t>(t->id) * thread_stack_span;
    t->fn = fn;
    t->arg = arg;
    t->joiner = nullptr;
    t->context = UTrapFrame{};
    t->context.rip = reinterpret_cast<uintptr_t>(&thread_start);
    t->context.rsp = top - 8;   // as if called: rsp + 8 is 16-aligned
    t->context.rflags = 0x202;
    enter_critical();
    make_ready(t);
    leave_critical();
    return t->id;
}

void thread_yield() {
    enter_critical();
    if (!ready.head) {
        leave_critical();
        return;
    }
    make_ready(current);
    switch_away();
}

void thread_exit() {
    if (current == &threads[0]) sys_exit(0);
    enter_critical();
    current->state = ThreadState::done;
    if (current->joiner) make_ready(current->joiner);
    switch_away();
    __builtin_trap();   // a done thread is never picked again
}

int thread_join(int id) {
    if (id <= 0 || id >= max_threads || id == current->id) return E_INVAL;
    Thread& t = threads[id];
    enter_critical();
    if (t.state == ThreadState::free || t.joiner) {
        leave_critical();
        return E_INVAL;
    }
    if (t.state != ThreadState::done) {
        t.joiner = current;
        current->state = ThreadState::blocked;
        switch_away();
        enter_critical();
    }
    t.state = ThreadState::free;
    t.joiner = nullptr;
    leave_critical();
    return 0;
}

int thread_self() { return current ? current->id : 0; }
uint64_t thread_preemptions() { return preemptions; }

void mutex_lock(Mutex* m) {
    enter_critical();
    if (m->owner < 0) {
        m->owner = current->id;
        leave_critical();
        return;
    }
    current->state = ThreadState::blocked;
    enqueue(m->waiters, current);
    switch_away();   // back once mutex_unlock has handed the lock to us
}

namespace {
// Inside a critical section: the lock passes straight to its first waiter.
void release(Mutex* m) {
    Thread* t = dequeue(m->waiters);
    m->owner = t ? t->id : -1;
    if (t) make_ready(t);
}
}  // namespace

void mutex_unlock(Mutex* m) {
    enter_critical();
    release(m);
    leave_critical();
}

void cond_wait(CondVar* c, Mutex* m) {
    enter_critical();
    current->state = ThreadState::blocked;
    enqueue(c->waiters, current);
    release(m);
    switch_away();
    mutex_lock(m);
}

void cond_signal(CondVar* c) {
    enter_critical();
    if (Thread* t = dequeue(c->waiters)) make_ready(t);
    leave_critical();
}

void cond_broadcast(CondVar* c) {
    enter_critical();
    while (Thread* t = dequeue(c->waiters)) make_ready(t);
    leave_critical();
}
