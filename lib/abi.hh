// The contract between the kernel and the library OS: system call numbers
// and registers, the user address-space layout, and the frame the kernel
// pushes for an exception upcall. Both sides include this one file.
#pragma once
#include "lib/types.hh"

// System calls: the `syscall` instruction with the number in rax and
// arguments in rdi, rsi, rdx, r10, r8; the result (>= 0, or a negative
// Error) comes back in rax. The instruction itself takes rcx (the return
// rip) and r11 (rflags), so those two are clobbered; every other register
// is preserved. (Not rcx for the 4th argument, for that reason.)

enum Syscall : uint64_t {
    SYS_cputs = 0,          // (const char* s, size_t len) -> bytes written, <= cputs_max
    SYS_cgetc,              // () -> a character, or 0 if none is waiting
    SYS_getenvid,           // () -> the caller's env id
    SYS_exit,               // (uint64_t status): never returns
    SYS_env_destroy,        // (envid): the caller or one of its children
    SYS_yield,              // ()
    SYS_page_alloc,         // (envid, va, perm, frame): a zeroed frame at va; frame_any or a free frame's number
    SYS_page_unmap,         // (envid, va)
    SYS_set_upcall,         // (envid, entry, exception_stack_top)
    // Lab 4: secure bindings. The kernel makes bindings; the library OS
    // builds fork and spawn out of them.
    SYS_exofork,            // () -> the child's id in the parent, 0 in the child
    SYS_env_set_status,     // (envid, env_runnable or env_not_runnable): a child only
    SYS_env_set_trapframe,  // (envid, const UTrapFrame*): a child's registers
    SYS_page_map,           // (srcenv, srcva, dstenv, dstva, perm): bind dst to src's frame
    // Lab 5: protected control transfer (IPC). See "IPC" below.
    SYS_ipc_recv,           // (dstva): wait for a message; it comes back in registers
    SYS_ipc_send,           // (envid, value, srcva, perm): E_IPC_NOT_RECV unless envid waits
    // Lab 6: the CPU as a vector of time slices. See "Time slices" below.
    SYS_slice_alloc,        // (envid, slot or slot_any) -> the slot now envid's
    SYS_slice_free,         // (envid, slot): a slot envid owns
    SYS_set_slice_upcalls,  // (envid, epilogue, prologue, save_area); 0s = the kernel's default
    SYS_yield_to,           // (envid): the rest of this slice to a runnable env
    // Lab 7: quotas, visible revocation and the abort protocol. See "Memory" below.
    SYS_set_revocation_upcall,  // (envid, entry): where requests and repossession notices arrive; 0 = none
    SYS_frame_release,      // (va): give back the frame at va (yours, mapped by nobody else)
    SYS_quota_set,          // (envid, frames): a child's quota, carved out of the caller's
    SYS_test_pressure,      // TEST ONLY, for the grader: (pressure_quota or pressure_pool, envid, frames)
    SYS_count
};

// SYS_page_alloc's frame argument: any free frame. Frame 0 (the real-mode
// interrupt table) is the kernel's forever, so it can never be asked for.
constexpr uint64_t frame_any = 0;

// SYS_env_set_status's values.
constexpr uint64_t env_runnable = 1;
constexpr uint64_t env_not_runnable = 2;

// IPC (Lab 5). SYS_ipc_recv(dstva) blocks the caller until a message
// arrives. dstva is where the receiver lets a sender bind one page
// (page-aligned, in the user half), or ipc_no_page. SYS_ipc_send(envid,
// value, srcva, perm) never blocks: if envid (any env, not only a child) is
// waiting, the kernel delivers value and the sender's id, binds the page
// the sender maps at srcva at the receiver's dstva with perm (guarded
// exactly like SYS_page_map; srcva ipc_no_page sends no page, and then perm
// must be 0), and switches straight to the receiver. The sender stays
// runnable and gets 0. Errors: E_IPC_NOT_RECV (envid is not waiting),
// E_BAD_ENV, E_INVAL (a bad va or perm, or a page for a receiver that asked
// for none), E_PERM (an amplification), E_NO_MEM (no frame for the
// receiver's page table); nothing is delivered on an error.
// The receiver's message comes back in registers, an exception to the
// rule that only rax changes: rax 0, rsi the sender's id, rdx the value,
// r10 the perm of the page bound at dstva (0 if none).
constexpr uintptr_t ipc_no_page = 0;   // the null page is never mappable

// SYS_cputs writes at most this many bytes a call (the kernel runs with
// interrupts off, so each call's work must be bounded); the library loops.
constexpr size_t cputs_max = 1024;

// Permissions a library OS may ask for in SYS_page_alloc and SYS_page_map,
// as PTE bits.
constexpr uint64_t perm_present = 1ull << 0;
constexpr uint64_t perm_writable = 1ull << 1;
constexpr uint64_t perm_user = 1ull << 2;
constexpr uint64_t perm_no_execute = 1ull << 63;
// Bits 9-11, which the CPU ignores: the library OS's own marks (Lab 5's
// copy-on-write and shared pages). They grant nothing.
constexpr uint64_t perm_software = 7ull << 9;
constexpr uint64_t perm_cow = 1ull << 9;
constexpr uint64_t perm_share = 1ull << 10;
// A request needs present | user and may add only these. Never the
// caching, accessed, dirty, large-page or global bits, nor address bits.
constexpr uint64_t perm_allowed = perm_present | perm_user | perm_writable | perm_no_execute | perm_software;
// The rights among them: SYS_page_map may drop rights, never add them.
constexpr uint64_t perm_rights = perm_writable | perm_no_execute;

// User address-space layout. Neither end of the lower half is mappable:
// - the null page, so a null pointer always faults;
// - the last page below the canonical hole (0x0000800000000000). An
//   instruction ending there (a 2-byte `syscall` in its last bytes, say)
//   leaves a return address in the hole, and `iretq` to a non-canonical
//   rip faults in ring 0 on real hardware. Linux keeps that page out of
//   user space for the same reason.
constexpr uintptr_t user_bottom = 0x1000;                 // first mappable user address
constexpr uintptr_t user_text_base = 0x800000;            // programs link here
constexpr uintptr_t user_top = 0x00007FFFFFFFF000;        // first non-user address
constexpr uintptr_t user_stack_top = 0x00007FFFFFFF0000;  // the stack's top
constexpr size_t user_stack_pages = 4;
// Where the library OS puts its exception stack (one page below this).
constexpr uintptr_t exception_stack_top = 0x00007FFFFFFFE000;
constexpr size_t exception_stack_size = 4096;

// Exposed kernel state, read-only, at fixed addresses in the upper half
// (user-readable pages there, so they never collide with the user half a
// library OS lays out as it likes). Syscalls take no pointers into them.
//
// 1. The env's own page tables (the self-map): PML4 slot uvpt_slot points
//    back at the PML4, so every table page of the tree appears as data.
//    lib/uvpt.hh turns a va into its entries; no shifting by hand.
constexpr unsigned uvpt_slot = 508;
constexpr uintptr_t uvpt_base = 0xFFFF000000000000ull | (uintptr_t(uvpt_slot) << 39);
static_assert(uvpt_base == 0xFFFFFE0000000000ull);
// 2. The frame table: a header page, then one FrameInfo a frame, indexed
//    by frame number (physical address / 4096). lib/frametable.hh reads it.
constexpr uintptr_t frame_table_view = 0xFFFFFD0000000000ull;

// Frame owners: an env's id (always positive), nobody, or the kernel
// (which also owns whatever is not RAM).
constexpr int32_t owner_free = 0;
constexpr int32_t owner_kernel = -1;
constexpr uint32_t no_frame = 0xFFFFFFFF;

struct FrameInfo {
    uint32_t refcount;     // page-table entries that map it (+1 for the kernel's own use)
    int32_t owner;         // who is charged for it
    uint32_t next_free;    // the free list, by frame number; no_frame ends it
    uint32_t unused;
};
static_assert(sizeof(FrameInfo) == 16);

struct FrameTableHeader {
    uint64_t frame_count;  // FrameInfo entries after the header page
};

// The frame the kernel pushes on the exception stack before it resumes
// the env at its upcall entry with rsp pointing at the frame (16-byte
// aligned). Registers are in the order of the kernel's trap frame.
struct UTrapFrame {
    uint64_t fault_va;      // cr2 for a page fault
    uint64_t error_code;    // the CPU's page-fault error code
    uint64_t vector;        // the exception (14 for a page fault)
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t rip, rflags, rsp;
};
static_assert(sizeof(UTrapFrame) == 21 * 8);

// How a program starts (the kernel's first env and lib's spawn alike):
// rip at the ELF entry, rdi = argc, rsi = argv. The argument strings and
// the argv array (argv[argc] = nullptr) are at the top of the stack, and
// rsp is 16-byte aligned just below them. The kernel gives its first env
// argv = { name, the boot argument `arg` in hex }.

// 3. The embedded programs (Lab 5), so that a library OS can load them
//    itself: a directory, then the ELF images, each at
//    program_table_view + offset. lib/spawn.cc reads it.
constexpr uintptr_t program_table_view = 0xFFFFFC0000000000ull;
constexpr size_t program_name_max = 47;   // longer names are not listed
struct ProgramEntry {
    char name[program_name_max + 1];       // NUL-terminated
    uint64_t offset;                       // from program_table_view
    uint64_t size;                         // bytes
};
static_assert(sizeof(ProgramEntry) == 64);
constexpr size_t program_directory_size = 4 * 4096;
struct ProgramDirectory {
    uint64_t count;
    uint64_t reserved[7];
    ProgramEntry programs[program_directory_size / sizeof(ProgramEntry) - 1];
};
static_assert(sizeof(ProgramDirectory) == program_directory_size);

// Time slices (Lab 6, after Aegis). The CPU is a vector of slice_slots
// slots, run in vector order, each for slice_ticks timer ticks; an env runs
// only in the slots it owns (or when another env hands it the rest of a
// slice: SYS_yield_to, or an IPC send). Every new env gets one free slot,
// if there is one, so that a program that never asks still runs.
//
// At the end of a slice the kernel upcalls the env's epilogue, if it
// registered one: it writes the interrupted state (a UTrapFrame, vector
// timer_vector) into the env's save area and enters the epilogue with
// rsp at the top of the exception stack and rdi = the save area. The
// epilogue saves what it likes and calls SYS_yield, which ends it. Its
// time is borrowed: every tick it takes is cut from the env's next slice
// from the vector (see the end of this note). An epilogue still running
// after epilogue_budget ticks is switched off by force (the kernel keeps
// its registers and resumes them at the env's next slice; the overrun is
// counted). When the next slice starts, an env whose
// epilogue yielded is entered at its prologue (rsp and rdi as for the
// epilogue) to restore its own context; with no prologue the kernel
// resumes the epilogue after its SYS_yield. Whenever the kernel saved the
// state itself (no epilogue, a forced switch, a slice that ended while the
// env ran on its exception stack, a plain SYS_yield) it resumes that state,
// never the prologue. SYS_yield_to, SYS_ipc_send and SYS_ipc_recv from an
// epilogue are E_INVAL: an epilogue has no slice left to give, and must
// not block. What an epilogue borrows adds up until slices from the vector
// pay it back (each keeps at least one tick).
constexpr size_t slice_slots = 64;
constexpr uint64_t slot_any = ~0ull;
constexpr uint64_t timer_vector = 32;
constexpr uintptr_t slice_table_view = 0xFFFFFB0000000000ull;

// Environments: ids and the index in the kernel's table (and in
// SliceTable::env below) that an id names.
constexpr size_t max_envs = 1024;
constexpr unsigned env_index_bits = 10;   // log2(max_envs)
static_assert(max_envs == size_t(1) << env_index_bits);
constexpr size_t env_index(int32_t id) { return static_cast<uint32_t>(id) & (max_envs - 1); }

// What the kernel keeps about one env's use of the CPU, read-only.
struct EnvCpuView {
    int32_t env_id;          // the env this entry describes now (0: none)
    uint32_t slots;          // slots it owns
    uint32_t in_epilogue;    // 1 from its epilogue's entry until it yields
    uint32_t borrowed;       // ticks its last epilogue took from its next slice
    uint32_t overruns;       // epilogues the kernel switched off by force
    uint32_t slice_length;   // ticks its last slice from the vector was given
    uint32_t epilogue_ticks; // ticks its epilogues borrowed (counted, never delivered)
    uint32_t unused;
    uint64_t slices;         // slices it started from its own slots
    uint64_t epilogues;      // epilogue upcalls
    uint64_t prologues;      // prologue upcalls
    uint64_t handoffs;       // times another env handed it a slice (yield_to, IPC)
};
static_assert(sizeof(EnvCpuView) == 64);

struct SliceTable {
    uint64_t ticks;          // timer ticks since boot
    uint64_t turns;          // slices started from the vector
    uint64_t handoffs;       // directed switches: SYS_yield_to and IPC sends
    uint32_t current_slot;   // the slot whose slice is running
    uint32_t slice_left;     // ticks left in it
    uint32_t slice_ticks;    // a full slice
    uint32_t epilogue_budget;// an epilogue's ticks before the forced switch
    uint32_t ticks_per_second;
    uint32_t slot_count;     // slice_slots
    int32_t owner[slice_slots];  // an env id, or owner_free
    uint8_t pad[4096 - 48 - 4 * slice_slots];
    EnvCpuView env[max_envs];    // by env_index(id)
};

// Memory (Lab 7, after Aegis's visible revocation and abort protocol).
// Every env may hold at most `quota` frames (its pages and its page-table
// pages), and all envs together at most the pool's limit. A child starts
// with its parent's quota as its ceiling; SYS_quota_set(child, n) carves n
// frames out of the caller's quota for the child (given back when the child
// ends). Beyond either limit SYS_page_alloc and friends get E_NO_MEM.
//
// When the kernel wants frames back (a quota set below what an env holds,
// the pool's limit below what all hold, or an allocation the pool refused),
// it makes a *request* to a victim (the env over its quota; for the pool,
// the env holding the most frames, the lowest index on a tie): give back
// `requested` frames, so that `held` comes down to `target`, by tick
// `deadline` (slice_table's ticks, revocation_grace_ticks from now). The
// request shows in the env's EnvMemoryView at once, and arrives as an upcall
// at the registered revocation entry: a UTrapFrame (vector
// revocation_request_vector, fault_va = frames requested, error_code = the
// deadline) pushed at the top of the exception stack, rsp at it, as for a
// page fault; the handler returns through the same trampoline. Upcalls are
// delivered only when the env is not already on its exception stack.
//
// Visible revocation: the library OS picks its pages, saves what it wants,
// and gives each frame back with SYS_frame_release(va) (or unmaps it). The
// request is met the moment `held` <= `target`.
//
// The abort protocol: a request still unmet at its deadline is met by
// force. The kernel takes frames the env owns and maps itself: first
// frames nobody else maps, then those shared; within each, first pages not
// accessed since the request (the kernel clears their accessed bits when it
// makes one), then the lowest virtual address. It removes every mapping of
// each frame taken, in every env, and appends each address it unmapped to
// that env's repossession vector, then upcalls each such env (vector
// revocation_notice_vector, fault_va = the vector's count) when it next
// runs off its exception stack. A later touch of such an address faults
// like any unmapped page; the vector tells "repossessed" from "never mapped".
constexpr uint64_t revocation_request_vector = 0x100;   // not a CPU exception
constexpr uint64_t revocation_notice_vector = 0x101;
constexpr uint64_t pressure_quota = 0;   // SYS_test_pressure: set envid's quota to frames
constexpr uint64_t pressure_pool = 1;    // set the pool's limit to frames (envid ignored)
constexpr uint32_t quota_unlimited = 0xFFFFFFFF;
constexpr uintptr_t memory_table_view = 0xFFFFFA0000000000ull;

// Each env's entry: its quota, what it holds, its request and its
// repossession vector, a ring of the last repossession_slots addresses
// (address i at vector[i % repossession_slots]; a library keeps its own
// count of those it has seen).
constexpr size_t repossession_slots = 112;
struct EnvMemoryView {
    int32_t env_id;          // the env this entry describes now (0: none)
    uint32_t quota;          // frames it may hold (quota_unlimited: the pool decides)
    uint32_t held;           // frames charged to it now
    uint32_t pending;        // 1 while a request is open
    uint32_t requested;      // frames the open (or last) request asked for
    uint32_t target;         // held must come down to this
    uint64_t requested_at;   // the tick the request was made
    uint64_t deadline;       // the tick by which it must be met
    uint64_t answered_at;    // the tick the last request was met or repossessed
    uint64_t requests;       // requests made
    uint64_t complied;       // requests met by the env in time
    uint64_t aborts;         // requests met by force
    uint64_t repossessed;    // frames taken by force (from this env's requests)
    uint64_t released;       // frames given back with SYS_frame_release, ever
    uint64_t request_released; // ... while the last request was open
    uint64_t refused;        // SYS_frame_release calls refused
    uint64_t upcalls;        // request upcalls delivered
    uint64_t notices;        // repossession notices delivered
    uint64_t vector_count;   // addresses ever recorded in the vector
    uint64_t vector[repossession_slots];
};
static_assert(sizeof(EnvMemoryView) == 1024);

struct MemoryTable {
    uint64_t pool_limit;     // frames all envs together may hold
    uint64_t pool_held;      // frames charged to envs now
    uint64_t grace_ticks;    // revocation_grace_ticks
    uint64_t pool_requests;  // requests the pool made
    uint8_t pad[4096 - 32];
    EnvMemoryView env[max_envs];   // by env_index(id)
};

// Page-fault error code bits.
constexpr uint64_t fault_present = 1;   // a protection violation, not a missing page
constexpr uint64_t fault_write = 2;
constexpr uint64_t fault_user = 4;
constexpr uint64_t fault_fetch = 16;
