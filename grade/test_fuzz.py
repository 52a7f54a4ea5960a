"""Kit self-check (run by `make test`, never graded): the system-call
fuzzer, user/fuzz.cc, against the reference kernel with a few random seeds.

Each run boots the fuzzer as the first environment and stops the kernel
over GDB before the env is created and after the last env ended, as the
lab 3 tests do. It passes if the kernel neither panicked, hung, triple
faulted nor flooded the console, the last env to end was the fuzzer,
exiting with arg ^ 0x600D (the fuzzer's own checks all held), every
other end recorded was a child of its destroyed by it (the fuzzer makes
children with exofork and destroys them all before it exits), and every
frame came back. A failure names the seed and the command that replays
the same run.

EXOKIT_FUZZ_CALLS sets the calls per seed (under 2^32), EXOKIT_FUZZ_SEEDS
how many seeds, EXOKIT_FUZZ_SEED a fixed first seed (to replay one).
"""
import os
import random
import time

import pytest

from harness import GradeFailure, Qemu, gdb_session

# Calls per seed. TCG makes about 200,000 a second on the kit's 2-core
# build machine (Lab 4's calls cost more than the earlier ones): the
# default 500,000 take about 2.5 s, plus the boot.
CALLS = int(os.environ.get("EXOKIT_FUZZ_CALLS", 500_000))
SEEDS = int(os.environ.get("EXOKIT_FUZZ_SEEDS", 4))
FIXED_SEED = os.environ.get("EXOKIT_FUZZ_SEED")
# Slow enough for a loaded machine: 20 s to boot and attach, then at
# least 20,000 calls a second.
TIMEOUT = 20 + CALLS / 20_000

EXITED, DESTROYED = 1, 5
HOW = {1: "exited", 2: "killed by a trap", 3: "killed: bad upcall entry",
       4: "killed: no exception stack", 5: "destroyed"}
OK, FAIL_BASE = 0x600D, 0xBAD00
# user/fuzz.cc's Check numbers.
CHECKS = {1: "a result outside the ABI", 2: "an unknown number not refused with E_NO_SYS",
          3: "a call that had to fail succeeded", 4: "a call that had to succeed failed",
          5: "a wrong result value", 6: "a register changed by a syscall",
          7: "rflags wrong after a syscall", 8: "rsp not restored", 9: "page contents changed",
          10: "a deliberate fault never reached the handler", 11: "a wrong UTrapFrame",
          12: "a page fault the fuzzer did not cause", 13: "could not install the handler",
          14: "registers wrong after a fault",
          15: "the frame table or the page table disagrees with the model"}


def fuzz_arg(case: int) -> int:
    assert 0 < CALLS < 1 << 32, "EXOKIT_FUZZ_CALLS must be between 1 and 2^32 - 1"
    seed = random.getrandbits(32)
    if FIXED_SEED is not None:
        seed = (int(FIXED_SEED, 0) + case) & 0xFFFFFFFF
    return (CALLS << 32) | seed


def run_fuzzer(arg: int):
    with Qemu(f"kit-fuzz-{arg:x}", {"prog": "fuzz", "arg": hex(arg), "idle": "exit"},
              gdb=True, timeout=TIMEOUT) as q:
        report = gdb_session(q, """
gdb.execute("hbreak *selftest_checkpoint")
start, free_before = checkpoint()
done, free_after = checkpoint()
report({"stages": [start, done], "free_before": free_before, "free_after": free_after,
        "ends": env_ends()})
gdb.execute("delete")
gdb.execute("detach")
""", timeout=TIMEOUT + 10)
        result = q.wait()
    return report, result


def verdict(arg: int, report: dict, result) -> str | None:
    """What went wrong, or None."""
    if result.reason != "exited":
        return f"QEMU did not exit cleanly: {result.describe()}"
    if report["stages"] != [0xE0, 0x1D1E]:
        return f"unexpected checkpoints {[hex(s) for s in report['stages']]}"
    ends = report["ends"]
    if not ends:
        return "the kernel recorded no environment's end"
    end = ends[-1]
    if end["how"] != EXITED:
        return (f"the fuzzer was {HOW.get(end['how'], end['how'])} (detail {end['detail']:#x}, "
                f"va {end['fault_va']:#x}, rip {end['rip']:#x})")
    status = end["detail"] ^ arg
    if status != OK:
        check = status - FAIL_BASE
        if check in CHECKS:
            return f"the fuzzer's check {check} failed: {CHECKS[check]}"
        return f"the fuzzer exited with {end['detail']:#x}, not arg ^ {OK:#x}"
    for child in ends[:-1]:
        if child["how"] != DESTROYED or child["detail"] != end["id"] or child["id"] == end["id"]:
            return (f"env {child['id']:#x} ended ({HOW.get(child['how'], child['how'])}, detail "
                    f"{child['detail']:#x}) before the fuzzer, env {end['id']:#x}: only its "
                    f"children, destroyed by it, may")
    if report["free_after"] != report["free_before"]:
        return (f"{report['free_before'] - report['free_after']} frames were not returned "
                f"when the fuzzer ended")
    return None


@pytest.mark.parametrize("case", range(SEEDS))
def test_fuzz_syscalls(case):
    arg = fuzz_arg(case)
    replay = (f'make run-fuzz-nox APPEND="arg={arg:#x} idle=exit"'
              f"   (or EXOKIT_FUZZ_SEED={arg & 0xFFFFFFFF:#x} EXOKIT_FUZZ_CALLS={CALLS})")
    started = time.monotonic()
    try:
        report, result = run_fuzzer(arg)
    except GradeFailure as failure:
        raise GradeFailure(f"fuzz seed {arg & 0xFFFFFFFF:#x}, {CALLS} calls: {failure}\n"
                           f"replay: {replay}") from None
    problem = verdict(arg, report, result)
    if problem:
        raise GradeFailure(f"fuzz seed {arg & 0xFFFFFFFF:#x}, {CALLS} calls "
                           f"({time.monotonic() - started:.1f} s): {problem}\n"
                           f"--- last console lines ---\n{result.tail(8)}\n"
                           f"log: {result.log}\nreplay: {replay}")
