"""Lab 3: environments, traps, system calls and exception upcalls.

Each test boots one user program as the first environment with a random
argument, and stops the kernel over GDB: just before the env is created,
as it is destroyed (to check that every page of its address space, tables
included, is charged to it), and once the last env has ended. The verdict
is the kernel's own record of how the env ended (env_ends), the env's exit
status (which depends on the argument), and the free-frame count before
and after (the env must give back every frame).
"""
import random
import subprocess

import pytest

import perf
from harness import (BUILD, EXIT_SUCCESS, GradeFailure, Qemu, gdb_session, nonce, run)

EXITED, KILLED_BY_TRAP, BAD_UPCALL, NO_EXCEPTION_STACK = 1, 2, 3, 4
HOW = {1: "exited", 2: "killed by a trap", 3: "killed: bad upcall entry",
       4: "killed: no exception stack", 5: "destroyed", 6: "killed: non-canonical rip",
       7: "killed: bad slice save area"}
OK, SURVIVED = 0x600D, 0x5AFE
DIVIDE, BREAKPOINT, GENERAL_PROTECTION, PAGE_FAULT = 0, 3, 13, 14
# Kernel memory that is surely mapped: physical 1 MiB (where the kernel is
# loaded) through the direct map. Touching it from ring 3 must be a
# protection violation, not a missing page.
KERNEL_PROBE = 0xFFFF800000100000
PF_PRESENT, PF_WRITE, PF_USER = 1, 2, 4
USER_TEXT = range(0x800000, 0x1000000)
FIRST_ENV, FIRST_ENV_REFUSED, ALL_DONE = 0xE0, 0xE1, 0x1D1E
E_INVAL = -1


def user_symbol(program, name):
    """A symbol's address in build/user/PROGRAM, read by nm (not by the kernel)."""
    out = subprocess.run(["nm", str(BUILD / "user" / program)], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    raise GradeFailure(f"no symbol {name} in build/user/{program}")


def run_program(name, stop_stage=ALL_DONE, copies=1, prefix="lab3"):
    arg = random.getrandbits(63) | 1
    args = {"prog": name, "arg": hex(arg), "idle": "exit"}
    if copies > 1:
        args["copies"] = copies
    with Qemu(f"{prefix}-{name}", args, gdb=True) as q:
        report = gdb_session(q, """
gdb.execute("hbreak *selftest_checkpoint")
gdb.execute("hbreak env::destroy")
stages, mischarged = [], []
for _ in other_stops(stages, 4):
    # env::destroy(Env& e, ...): every page of e's address space must be
    # charged to e, the tables and the root included.
    env = "((Env*)%d)" % value("$rdi")
    env_id, root = value(env + "->id"), value(env + "->pml4")
    leaves, inner = page_table(root, user_only=True)
    pages = [root] + [entry & ADDRESS_MASK for entry in inner + list(leaves.values())]
    for pa in pages:
        owner = value("frame_table.frames[%d].owner" % (pa >> 12))
        if owner != env_id:
            mischarged.append([pa, owner, env_id])
    if len(mischarged) >= 64:
        break
report({"stages": stages, "ends": env_ends(), "mischarged": mischarged[:8]})
gdb.execute("delete")
gdb.execute("detach")
""", timeout=60)
        result = q.wait()
    expect_stages(report, stop_stage, result)
    report["free_before"], report["free_after"] = (free for _, _, free in report["stages"])
    if report["mischarged"]:
        pa, owner, env_id = report["mischarged"][0]
        raise GradeFailure(f"env {env_id:08x}'s address space uses frame {pa:#x}, which the "
                           f"frame table charges to {owner:#x}, not to the env "
                           f"({len(report['mischarged'])} such pages)\n{result.tail()}")
    if stop_stage == FIRST_ENV_REFUSED:
        return arg, None, report, result
    if len(report["ends"]) != copies:
        raise GradeFailure(f"expected {copies} environment(s) to end, the kernel recorded "
                           f"{len(report['ends'])}\n{result.tail()}")
    return arg, report["ends"][0], report, result


def expect_stages(report, stop_stage, result):
    """The run stopped at the first env's checkpoint, then at stop_stage."""
    stages = [s for s, _, _ in report["stages"]]
    if stages != [FIRST_ENV, stop_stage]:
        raise GradeFailure(f"unexpected checkpoints {[hex(s) for s in stages]}, expected "
                           f"{[hex(FIRST_ENV), hex(stop_stage)]}\n{result.tail()}")


def expect_frames_returned(report, result):
    if report["free_after"] != report["free_before"]:
        raise GradeFailure(f"{report['free_before'] - report['free_after']} frames were not "
                           f"returned when the env ended\n{result.tail()}")


def expect_exit(name):
    arg, end, report, result = run_program(name)
    if end["how"] != EXITED:
        raise GradeFailure(f"{name} should exit normally; it was {HOW.get(end['how'], end['how'])}"
                           f" (trap {end['detail']}, va {end['fault_va']:#x})\n{result.tail()}")
    status = end["detail"] ^ arg
    if status == SURVIVED:
        raise GradeFailure(f"{name}: the kernel let it survive\n{result.tail()}")
    if status != OK:
        raise GradeFailure(f"{name} reports a failed check (status ^ arg = {status:#x})\n"
                           f"{result.tail()}")
    expect_frames_returned(report, result)


def expect_killed(name, how, vector=None, fault_va=None, error_code=None, rip=None):
    arg, end, report, result = run_program(name)
    if end["how"] == EXITED and end["detail"] ^ arg == SURVIVED:
        raise GradeFailure(f"{name}: the kernel let it survive\n{result.tail()}")
    got = HOW.get(end["how"], end["how"])
    if end["how"] != how:
        raise GradeFailure(f"{name} should be {HOW[how]}; it was {got}\n{result.tail()}")
    if vector is not None and end["detail"] != vector:
        raise GradeFailure(f"{name} should die of trap {vector}, not {end['detail']}")
    if fault_va is not None and end["fault_va"] != fault_va:
        raise GradeFailure(f"{name}: fault address {end['fault_va']:#x}, expected {fault_va:#x}")
    if error_code is not None and end["error_code"] != error_code:
        raise GradeFailure(f"{name}: page-fault error code {end['error_code']:#x}, expected "
                           f"{error_code:#x} (a user-mode protection violation)")
    if how == KILLED_BY_TRAP and end["rip"] not in USER_TEXT:
        raise GradeFailure(f"{name}: the recorded rip {end['rip']:#x} is not in the program")
    if rip is not None and end["rip"] != rip:
        raise GradeFailure(f"{name}: the kernel recorded rip {end['rip']:#x}, but the fault was "
                           f"at {rip:#x}: was e.tf changed before the env was given up?")
    if f"[env {end['id']:08x}]" not in result.output:
        raise GradeFailure(f"no console message names env {end['id']:08x}\n{result.tail()}")
    expect_frames_returned(report, result)


def test_hello():
    expect_exit("hello")


@pytest.mark.parametrize("name,vector,fault_va,error_code", [
    pytest.param("divzero", DIVIDE, None, None, id="divzero"),
    pytest.param("breakpoint", BREAKPOINT, None, None, id="breakpoint"),
    pytest.param("gpfault", GENERAL_PROTECTION, None, None, id="gpfault"),
    pytest.param("readkernel", PAGE_FAULT, KERNEL_PROBE, PF_PRESENT | PF_USER, id="readkernel"),
    pytest.param("writekernel", PAGE_FAULT, KERNEL_PROBE, PF_PRESENT | PF_WRITE | PF_USER,
                 id="writekernel"),
])
def test_user_trap_kills_env(name, vector, fault_va, error_code):
    expect_killed(name, KILLED_BY_TRAP, vector, fault_va, error_code)


def test_bad_syscall_arguments():
    expect_exit("badsyscall")


def test_fault_allocates_on_demand():
    expect_exit("faultalloc")


def test_recursive_fault():
    expect_exit("faultrecursive")


def test_fault_preserves_registers():
    expect_exit("faultregs")


@pytest.mark.parametrize("name,how", [
    pytest.param("faultbadhandler", BAD_UPCALL, id="faultbadhandler"),
    pytest.param("faultkernelhandler", BAD_UPCALL, id="faultkernelhandler"),
    pytest.param("faultnxhandler", BAD_UPCALL, id="faultnxhandler"),
    pytest.param("faultnostack", NO_EXCEPTION_STACK, id="faultnostack"),
])
def test_bad_upcall_kills_env(name, how):
    # Each faults in load_probe (lib/faultprobe.S): the record must say so.
    expect_killed(name, how, rip=user_symbol(name, "probe_load_rip"))


def test_fault_exhausts_exception_stack():
    """A handler that faults every time: the nested frames must stop at the
    bottom of the exception stack (the page below is mapped and writable)."""
    expect_killed("faultexhaust", NO_EXCEPTION_STACK)


def test_user_memory_check():
    """user_mem_check case by case against the contract (kern/selftest_lab3.cc):
    ranges that wrap from a buffer far from the stack top, empty ranges at
    unaligned addresses, the first bad address, the top of the user half."""
    n = nonce()
    result = run("lab3-usermem", {"test": "usermem", "nonce": hex(n)})
    result.expect_status(EXIT_SUCCESS, "the user_mem_check self-test")


def test_loader_checks_segments():
    """load_program on ELF files the self-test builds (kern/selftest_lab3.cc):
    page permissions from the flags, a segment starting mid-page, and
    refusals of sizes that wrap, bytes past the file, filesz > memsz, the
    null page, past user_top and the kernel half."""
    n = nonce()
    result = run("lab3-loader", {"test": "loader", "nonce": hex(n)})
    result.expect_status(EXIT_SUCCESS, "the load_program self-test")


def test_elf_segments_share_a_page():
    expect_exit("sharedpage")


def test_top_page_syscall():
    """The last page below the canonical hole is never mappable (a syscall in
    its last two bytes would return to a non-canonical rip); the null page
    neither; the page below the top one is."""
    expect_exit("topsyscall")


def test_top_page_upcall():
    """An upcall entry in the top page is never user code."""
    expect_killed("topupcall", BAD_UPCALL)


def test_top_page_elf_segment():
    """The loader refuses a segment in the top page: env::create fails with
    E_INVAL (checkpoint 0xE1) and no env ever runs. A loader that refuses
    everything would pass that alone, so a good program must load first."""
    expect_exit("hello")
    _, _, report, result = run_program("topsegment", stop_stage=FIRST_ENV_REFUSED)
    error = report["stages"][1][1]
    if error != -E_INVAL:
        raise GradeFailure(f"env::create refused topsegment with error -{error}, expected "
                           f"E_INVAL ({E_INVAL})\n{result.tail()}")
    if report["ends"]:
        raise GradeFailure(f"an env ran and ended: {report['ends']}\n{result.tail()}")
    expect_frames_returned(report, result)


def test_fast_paths():
    """A null system call and a page-fault upcall round trip (the handler
    only steps over the load), in instructions (grade/perf.py): each within
    labs/lab3.json's factor of the reference's. Your deliver_page_fault and
    resume_frame are on the upcall's path; a frame copied a byte at a time
    costs thousands."""
    syscall, upcall, _ = perf.measure("bench", paths=1 | 2, iterations=1000, lab=3)
    perf.expect_within(3, {"null_syscall": syscall, "upcall": upcall})
