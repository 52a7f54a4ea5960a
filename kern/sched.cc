#include "kern/sched.hh"
#include "kern/audit.hh"
#include "kern/bootargs.hh"
#include "kern/console.hh"
#include "kern/frames.hh"
#include "kern/monitor.hh"
#include "kern/qemu_exit.hh"
#include "kern/revoke.hh"
#include "kern/selftest.hh"
#include "kern/slices.hh"
#include "kern/syscall.hh"
#include "kern/upcall.hh"
#include "lib/error.hh"

// The grader's breakpoint stage when the last environment has ended.
constexpr uint64_t checkpoint_all_envs_done = 0x1D1E;

namespace sched {

namespace {

bool can_run(const Env& e) { return e.status == EnvStatus::runnable || e.status == EnvStatus::running; }

// The slot after the current one, in vector order, whose owner can run
// (the current slot comes round last), and *slot set to it; or nullptr.
Env* next_in_vector(uint32_t* slot) {
    // BEGIN LAB 6
    for (uint32_t i = 1; i <= slice_slots; ++i) {
        uint32_t candidate = (slice_table.current_slot + i) % slice_slots;
        Env* e = slices::owner(candidate);
        if (e && can_run(*e)) {
            *slot = candidate;
            return e;
        }
    }
    return nullptr;
    // STUB LAB 6
    //~ // LAB 6: your code here. Today this is Lab 3's round robin over the
    //~ // env table, blind to the vector. Walk slice_table's slots instead,
    //~ // starting after slice_table.current_slot and wrapping round to it
    //~ // last; slices::owner(slot) is the slot's live owner or nullptr.
    //~ // Return the first owner that can_run, with *slot its slot.
    //~ size_t start = current_env ? static_cast<size_t>(current_env - envs) + 1 : 0;
    //~ *slot = slice_table.current_slot;
    //~ for (size_t i = 0; i < max_envs; ++i) {
    //~     Env& e = envs[(start + i) % max_envs];
    //~     if (e.status == EnvStatus::runnable) return &e;
    //~ }
    //~ return current_env && can_run(*current_env) ? current_env : nullptr;
    // END LAB 6
}

// Borrowed time. An epilogue runs after its slice has ended, on the time
// of the env's next slice: each tick it sees is counted, and that many are
// cut from the next slice the env starts from the vector.
// epilogue_tick: one more tick in e's epilogue; true once the epilogue has
// had its epilogue_budget ticks (the caller then switches it off).
// next_slice_length: the ticks e's slice from the vector gets, paying back
// what it owes (e.cpu.owed), all but one tick of the slice at most.
bool epilogue_tick(Env& e) {
    // BEGIN LAB 6
    ++e.cpu.epilogue_ticks;
    ++slices::view(e).epilogue_ticks;
    return e.cpu.epilogue_ticks >= epilogue_budget;
}
uint32_t next_slice_length(Env& e) {
    uint32_t paid = e.cpu.owed < slice_ticks ? e.cpu.owed : slice_ticks - 1;
    e.cpu.owed -= paid;
    return slice_ticks - paid;
    // STUB LAB 6
    //~ // LAB 6: your code here (both functions). epilogue_tick: count the
    //~ // tick in e.cpu.epilogue_ticks (the kernel's count, reset at each
    //~ // epilogue) and in slices::view(e).epilogue_ticks (the env's running
    //~ // total), and say whether e has now used its whole epilogue_budget.
    //~ // next_slice_length: slice_ticks less what e owes (e.cpu.owed), which
    //~ // is then paid; but a slice keeps at least one tick, and whatever
    //~ // that leaves unpaid (epilogues in handed slices add up) stays owed.
    //~ (void) e;
    //~ return false;
    //~ }
    //~ uint32_t next_slice_length(Env& e) {
    //~ (void) e;
    //~ return slice_ticks;
    // END LAB 6
}

// The epilogue e is in is over (it yielded): what it borrowed is owed.
void end_epilogue(Env& e) {
    EnvCpuView& view = slices::view(e);
    view.in_epilogue = 0;
    if (e.cpu.borrowing) {
        view.borrowed = e.cpu.epilogue_ticks;
        e.cpu.owed += e.cpu.epilogue_ticks;
        e.cpu.borrowing = false;
    }
    e.cpu.enter_prologue = e.upcalls.prologue_entry != 0;
}

// The abort: e's epilogue has spent its budget (or, resumed after an
// earlier abort, its whole slice). The kernel keeps e's registers as the
// tick left them, to resume at e's next slice (not its prologue: that
// follows only an epilogue that yielded), and moves on.
[[noreturn]] void force_switch(Env& e) {
    // BEGIN LAB 6
    EnvCpuView& view = slices::view(e);
    ++view.overruns;
    if (e.cpu.borrowing) {
        view.borrowed = e.cpu.epilogue_ticks;
        e.cpu.owed += e.cpu.epilogue_ticks;
        e.cpu.borrowing = false;
    }
    run_next();
    // STUB LAB 6
    //~ // LAB 6: your code here. Count the overrun (slices::view(e).overruns).
    //~ // If e was borrowing, every tick its epilogue took is added to what
    //~ // it owes (e.cpu.owed) and is what it has borrowed (the view's
    //~ // borrowed), and it is no longer borrowing. Then run_next(). The kernel keeps e.tf, and e's next
    //~ // slice resumes it: e.cpu.enter_prologue is set only when an
    //~ // epilogue yields. (view.in_epilogue stays set until it yields.)
    //~ (void) e;
    //~ run_next();
    // END LAB 6
}

// Starts e, at its prologue if its epilogue yielded last time.
[[noreturn]] void resume(Env& e) {
    EnvEndHow how;
    if (enter_prologue(e, &how) < 0) {
        cprintf("[env %08x] killed: its prologue entry %lx is not user code\n", e.id,
                e.upcalls.prologue_entry);
        env::destroy(e, how, e.upcalls.prologue_entry);
        run_next();
    }
    env::run(e);
}

// The slice is over for e, the env running in it.
[[noreturn]] void end_slice(Env& e) {
    // An epilogue resumed after an abort has run out a slice of its own.
    if (slices::view(e).in_epilogue) force_switch(e);
    EnvEndHow how;
    int r = deliver_epilogue(e, &how);
    if (r > 0) {
        EnvCpuView& view = slices::view(e);
        view.in_epilogue = 1;
        ++view.epilogues;
        e.cpu.borrowing = true;
        e.cpu.epilogue_ticks = 0;
        env::run(e);
    }
    if (r < 0) {
        cprintf("[env %08x] killed: its epilogue cannot run (%s)\n", e.id,
                how == EnvEndHow::bad_save_area ? "the save area is not writable"
                : how == EnvEndHow::no_exception_stack ? "no exception stack"
                                                       : "the entry is not user code");
        env::destroy(e, how, how == EnvEndHow::bad_save_area ? e.upcalls.save_area : e.upcalls.epilogue_entry);
    }
    run_next();
}

size_t count_runnable() {
    size_t n = 0;
    for (const Env& e : envs) n += can_run(e);
    return n;
}

}  // namespace

bool exits_when_idle() {
    const char* idle = boot_args.get("idle");
    return idle && idle[0] == 'e';
}

void run_next() {
    uint32_t slot;
    if (Env* e = next_in_vector(&slot)) {
        slice_table.current_slot = slot;
        ++slice_table.turns;
        EnvCpuView& view = slices::view(*e);
        ++view.slices;
        view.slice_length = slice_table.slice_left = next_slice_length(*e);
        resume(*e);
    }

    cprintf("no runnable environments (%lu ended)\n", env_end_count);
    if (size_t stranded = count_runnable())
        cprintf("  %lu runnable env(s) own no time slice: only a hand-off could run them\n", stranded);
    if (audit::enabled()) audit::run();
    if (exits_when_idle()) {
        selftest_checkpoint(checkpoint_all_envs_done, frame_table.free_count);
        qemu::exit(qemu::ExitCode::success);
    }
    current_env = nullptr;
    monitor::run();
}

void tick(Env& e) {
    ++slice_table.ticks;
    revoke::tick();
    if (e.cpu.borrowing) {
        if (epilogue_tick(e)) force_switch(e);
        return;
    }
    if (slice_table.slice_left > 1) {
        --slice_table.slice_left;
        return;
    }
    slice_table.slice_left = 0;
    end_slice(e);
}

void idle_tick() {
    ++slice_table.ticks;
    revoke::tick();
}

void yield(Env& e) {
    e.tf.rax = 0;
    if (slices::view(e).in_epilogue) end_epilogue(e);
    run_next();
}

int64_t yield_to(Env& e, uint64_t target) {
    // BEGIN LAB 6
    Env* to;
    if (int r = lookup_any(target, &to); r < 0) return r;
    if (to == &e || to->status != EnvStatus::runnable || slices::view(e).in_epilogue) return E_INVAL;
    e.tf.rax = 0;
    hand_off(*to);
    // STUB LAB 6
    //~ // LAB 6: your code here. The target is any live env (lookup_any, as
    //~ // for IPC), but not e itself and only one that is runnable; and an
    //~ // epilogue (slices::view(e).in_epilogue) has no slice left to give:
    //~ // E_INVAL. Then e gets 0 when it runs again (its e.tf.rax), and
    //~ // hand_off gives the target the rest of the slice.
    //~ (void) e, (void) target;
    //~ return E_NO_SYS;
    // END LAB 6
}

void hand_off(Env& to) {
    ++slice_table.handoffs;
    ++slices::view(to).handoffs;
    resume(to);
}

}  // namespace sched
