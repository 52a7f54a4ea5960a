// Environments: the exokernel's unit of protection. An environment is an
// address space, a saved register state and the bindings the kernel holds
// for it (its frames, its upcall entry); everything process-like is the
// library OS's business.
#pragma once
#include "kern/fpu.hh"
#include "kern/kernel_vm.hh"
#include "kern/memlayout.hh"
#include "kern/pagetable.hh"
#include "kern/trap.hh"
#include "kern/userprogs.hh"
#include "lib/abi.hh"

// max_envs and env_index_bits are in lib/abi.hh: SliceTable is indexed by env.

// An id is (generation << env_index_bits) | slot: a slot reused for a new
// env gets a new id, so a stale id is refused rather than reaching it.
using EnvId = int32_t;

// not_runnable: alive, but the scheduler passes it by (a child exofork
// made, until its parent has built its address space). receiving: blocked
// in SYS_ipc_recv until a sender delivers (Lab 5).
enum class EnvStatus : uint32_t { free = 0, runnable, running, not_runnable, receiving };

// The entry points through which the kernel enters the library OS. Lab 7
// adds more upcalls here.
struct EnvUpcalls {
    uintptr_t fault_entry;  // exceptions (page faults); 0 = none registered
    uintptr_t stack_top;    // the top of the exception stack
    // Lab 6: the ends and starts of its time slices (lib/abi.hh, "Time
    // slices"). 0 = the kernel saves and restores its registers.
    uintptr_t epilogue_entry;
    uintptr_t prologue_entry;
    uintptr_t save_area;    // where the interrupted state goes: a UTrapFrame
    // Lab 7: revocation requests and repossession notices (lib/abi.hh,
    // "Memory"). 0 = none: the env may still poll its memory table entry.
    uintptr_t revocation_entry;
};

// The CPU (Lab 6): the kernel's side of an env's time slices. What the env
// may read (its slots, borrowed ticks, overruns) is in slice_table.env
// (kern/slices.hh), indexed by env_index(id).
struct EnvCpu {
    bool borrowing;          // in its epilogue, on its next slice's time
    bool enter_prologue;     // its epilogue yielded: start its next slice at the prologue
    uint32_t epilogue_ticks; // ticks since its epilogue was entered
    uint32_t owed;           // borrowed ticks not yet cut from its slices from the vector
};

// Memory (Lab 7): the kernel's side of quotas and revocation. What the env
// may read (quota, frames held, its request, its repossession vector) is
// in memory_table.env (kern/revoke.hh), indexed by env_index(id).
struct EnvMemory {
    bool request_due;        // a request it has not been upcalled about
    bool notice_due;         // repossessions it has not been upcalled about
    uint32_t carved;         // quota its parent carved out of its own for it
};

// Protected control transfer (Lab 5): where a waiting receiver lets a
// sender bind a page. The message itself goes straight into the
// receiver's saved registers (lib/abi.hh, "IPC").
struct EnvIpc {
    uintptr_t dstva;        // ipc_no_page, or a page-aligned user address
};

// Fields grouped by concern; the grader reads them over GDB by these names.
struct Env {
    // Identity and state.
    TrapFrame tf;               // saved user registers while not running
    EnvId id;
    EnvId parent_id;
    EnvStatus status;
    uint32_t generation;
    fpu::State fpu;             // x87/SSE registers while another env runs
    // The address space.
    uintptr_t pml4;             // physical address of its page table
    // Upcalls.
    EnvUpcalls upcalls;
    // IPC.
    EnvIpc ipc;
    // The CPU.
    EnvCpu cpu;
    // Memory: quota and revocation.
    EnvMemory memory;

    PageTable page_table() const { return PageTable(pml4, kernel_table_memory, id); }
    // page_table().lookup(va), with the direct map's offset a constant:
    // for the hot paths (user pointers, upcalls).
    Mapping lookup(uintptr_t va) const { return PageTable::lookup_direct(pml4, va, phys_map_base); }
    bool alive() const { return status != EnvStatus::free; }
};

// How an environment ended, kept for the grader (read over GDB) and for
// anyone debugging: why did my env go away?
enum class EnvEndHow : uint32_t {
    exited = 1,              // SYS_exit; detail = its status
    killed_by_trap = 2,      // an exception it could not handle; detail = vector
    bad_upcall = 3,          // its upcall entry is not user-executable
    no_exception_stack = 4,  // the fault frame does not fit a writable stack
    destroyed = 5,           // SYS_env_destroy; detail = who asked
    noncanonical_rip = 6,    // it would resume at a non-canonical rip; detail = that rip
    bad_save_area = 7,       // Lab 6: its slice save area is not writable; detail = its address
};

struct EnvEnd {
    EnvId id;
    EnvId parent_id;         // who made it (0 for the kernel): the grader rebuilds fork trees
    EnvEndHow how;
    uint32_t unused;
    uint64_t detail;
    uint64_t fault_va;       // cr2, for page faults
    uint64_t rip;            // where it was
    uint64_t error_code;     // the CPU's error code, for traps that push one
};

// Enough for Lab 5's fork trees and prime sieves.
constexpr size_t env_end_log_size = 256;
extern Env envs[max_envs];
extern Env* current_env;
extern EnvEnd env_ends[env_end_log_size];
extern uint64_t env_end_count;

namespace env {

// Creates an environment running program, its first argument in rdi.
// 0 and *out on success, or E_NO_FREE_ENV, E_NO_MEM, E_INVAL (a bad ELF).
int create(const UserProgram& program, uint64_t arg, EnvId parent, Env** out);

// Lab 4: a child of parent with a copy of its registers (rax = 0), its
// FPU state, an empty user half, and status not_runnable. The kernel
// copies nothing else: fork is the library OS's. 0 and *out, or
// E_NO_FREE_ENV, E_NO_MEM.
int exofork(Env& parent, Env** out);

// Finds the env with this id (0 = the caller). With check_perm, only the
// caller itself and its children qualify. 0, or E_BAD_ENV.
int lookup(EnvId id, Env** out, bool check_perm);

// Frees everything e holds and records how it ended. If e is the current
// env, the caller must not return to it (see sched::run_next).
void destroy(Env& e, EnvEndHow how, uint64_t detail, uint64_t fault_va = 0);

// Switches to e's address space and resumes it.
[[noreturn]] void run_full(Env& e);
// The same, with the common case inline: the env that trapped goes back
// with nothing due. Its address space, FPU registers and trap frame are
// still the live ones, so only the checks are left.
[[noreturn]] inline void run(Env& e) {
    if (&e == current_env && is_canonical(e.tf.rip) && !e.memory.request_due && !e.memory.notice_due)
        [[likely]] {
        e.status = EnvStatus::running;
        trap_return(&e.tf);
    }
    run_full(e);
}

// Maps a fresh zeroed frame owned by e at va with perm. Replaces (and
// releases) whatever was mapped there. 0 or E_NO_MEM.
// With frame (Lab 4), that free frame instead of any: E_INVAL if there is
// no such frame, E_BUSY if it is not free.
int map_new_page(Env& e, uintptr_t va, uint64_t perm, uint64_t frame = frame_any);
// Lab 4: maps the frame at pa, which some env already maps, at va in e
// with perm: one more reference to the frame, whose owner stays charged.
// Replaces whatever was mapped at va (even the same frame). 0 or E_NO_MEM.
int map_frame(Env& e, uintptr_t va, uintptr_t pa, uint64_t perm);
// Unmaps va in e and releases the frame, and any page-table page that
// no longer maps anything.
void unmap_page(Env& e, uintptr_t va);

}  // namespace env
