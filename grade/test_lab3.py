"""Lab 3: environments, traps, system calls and exception upcalls.

Each test boots one user program as the first environment with a random
argument, and stops the kernel over GDB twice: just before the env is
created and once the last env has ended. The verdict is the kernel's own
record of how the env ended (env_ends), the env's exit status (which
depends on the argument), and the free-frame count before and after (the
env must give back every frame).
"""
import random

import pytest

from harness import GradeFailure, Qemu, gdb_session

EXITED, KILLED_BY_TRAP, BAD_UPCALL, NO_EXCEPTION_STACK = 1, 2, 3, 4
HOW = {1: "exited", 2: "killed by a trap", 3: "killed: bad upcall entry",
       4: "killed: no exception stack", 5: "destroyed"}
OK, SURVIVED = 0x600D, 0x5AFE
DIVIDE, BREAKPOINT, GENERAL_PROTECTION, PAGE_FAULT = 0, 3, 13, 14
# Kernel memory that is surely mapped: physical 1 MiB (where the kernel is
# loaded) through the direct map. Touching it from ring 3 must be a
# protection violation, not a missing page.
KERNEL_PROBE = 0xFFFF800000100000
PF_PRESENT, PF_WRITE, PF_USER = 1, 2, 4
USER_TEXT = range(0x800000, 0x1000000)


def run_program(name):
    arg = random.getrandbits(63) | 1
    with Qemu(f"lab3-{name}", {"prog": name, "arg": hex(arg), "idle": "exit"}, gdb=True) as q:
        try:
            report = gdb_session(q.gdb_port, """
gdb.execute("hbreak *selftest_checkpoint")
start, free_before = checkpoint()
done, free_after = checkpoint()
ends = []
for i in range(min(value("env_end_count"), 64)):
    e = "env_ends[%d]" % i
    ends.append({"id": value(e + ".id"), "how": value("(unsigned)" + e + ".how"),
                 "detail": value(e + ".detail"), "fault_va": value(e + ".fault_va"),
                 "rip": value(e + ".rip"), "error_code": value(e + ".error_code")})
report({"stages": [start, done], "free_before": free_before, "free_after": free_after,
        "ends": ends})
gdb.execute("delete")
gdb.execute("detach")
""", timeout=40)
        except GradeFailure as gdb_failure:
            result = q.wait()
            raise GradeFailure(f"the kernel never reached the end of the run: "
                               f"{result.describe()}\n{result.tail()}\n({gdb_failure})")
        result = q.wait()
    if report["stages"] != [0xE0, 0x1D1E]:
        raise GradeFailure(f"unexpected checkpoints {report['stages']}\n{result.tail()}")
    if len(report["ends"]) != 1:
        raise GradeFailure(f"expected one environment to end, the kernel recorded "
                           f"{len(report['ends'])}\n{result.tail()}")
    return arg, report["ends"][0], report, result


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


def expect_killed(name, how, vector=None, fault_va=None, error_code=None):
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
    pytest.param("faultnostack", NO_EXCEPTION_STACK, id="faultnostack"),
])
def test_bad_upcall_kills_env(name, how):
    expect_killed(name, how)
