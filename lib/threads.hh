// User-level threads (Lab 6), preempted by the env's own epilogue: at a
// slice's end the epilogue saves the running thread's registers, and at
// the next slice's start the prologue resumes the next ready thread. The
// kernel knows nothing of threads; it only ends slices. Threads also
// switch when they block (join, a mutex, a condition variable) or call
// thread_yield.
//
// Not for use in upcall handlers (they run on the exception stack, which a
// thread switch uses). Don't fork a threaded env: the child gets copies of
// every thread and queue, and its inherited epilogue runs them all again;
// sfork would share them between two envs. Threads keep no x87 or SSE
// state of their own (user code is built with general registers only).
#pragma once
#include "lib/types.hh"

constexpr int max_threads = 16;
// The status a program exits with when every thread is blocked.
constexpr uint64_t thread_deadlock_status = 0xDEAD10CC;

using ThreadFn = void (*)(void* arg);
struct Thread;
struct ThreadQueue {
    Thread* head = nullptr;
    Thread* tail = nullptr;
};

// Makes the caller thread 0 and registers the slice upcalls that preempt
// threads. Call once, before thread_create. 0 or an Error.
int threads_init();
// Starts fn(arg) in a new thread: its id (1 .. max_threads - 1), or
// E_NO_FREE_ENV (every thread in use) or E_NO_MEM (no stack).
int thread_create(ThreadFn fn, void* arg);
// Lets the next ready thread run; returns when this one is picked again.
void thread_yield();
// Ends the calling thread (thread 0: the whole env, status 0).
[[noreturn]] void thread_exit();
// Waits for thread id to end and frees its slot: 0, or E_INVAL (no such
// thread, the caller itself, or one another thread already waits for).
int thread_join(int id);
int thread_self();
// Switches the epilogue and prologue have made (preemptions).
uint64_t thread_preemptions();

// A sleeping lock: a waiter blocks and the holder hands it over on unlock.
struct Mutex {
    int owner = -1;          // a thread id, or -1
    ThreadQueue waiters;
};
void mutex_lock(Mutex* m);
void mutex_unlock(Mutex* m);   // only by its owner

// Mesa semantics: a woken waiter re-checks its condition.
struct CondVar {
    ThreadQueue waiters;
};
// Releases m, waits for a signal, and takes m again before returning.
void cond_wait(CondVar* c, Mutex* m);
void cond_signal(CondVar* c);
void cond_broadcast(CondVar* c);
