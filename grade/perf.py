"""Performance tests: path lengths in instructions, asserted within a factor.

Under TCG with -icount shift=0 the guest's TSC advances once per
instruction, so a round trip timed with rdtsc is a count of instructions:
the same on every run and every machine. That makes a performance test
possible without flaking. A program times its paths and exits with the
figures packed into its status (20 bits each, xored with a random
argument); the grader reads the status from the kernel's own record over
GDB, not from the console. Each figure must be within the lab's factor of
the reference solution's (labs/labN.json, "performance").
"""
import json
import random

import harness
from harness import ROOT, GradeFailure, Qemu, gdb_session

FIELD = (1 << 20) - 1


def budget(lab: int) -> dict:
    with open(ROOT / "labs" / f"lab{lab}.json") as f:
        return json.load(f)["performance"]


def measure(program: str, paths: int, iterations: int, lab: int) -> list[int]:
    """Runs program with arg = iterations << 32 | paths << 24 | a random
    24-bit nonce; returns its three packed figures (0 = not measured)."""
    nonce = random.getrandbits(24) | 1
    arg = iterations << 32 | paths << 24 | nonce
    saved = harness.ACCEL
    harness.ACCEL = "tcg"   # instructions, whatever accelerator grades the rest
    try:
        with Qemu(f"lab{lab}-perf-{program}", {"prog": program, "arg": hex(arg), "idle": "exit"},
                  gdb=True, qemu_args=("-icount", "shift=0"), timeout=60) as q:
            report = gdb_session(q, """
gdb.execute("hbreak *selftest_checkpoint")
stages = []
for _ in other_stops(stages, 2):
    pass
report({"stages": stages, "ends": env_ends()})
gdb.execute("delete")
gdb.execute("detach")
""", timeout=60)
            result = q.wait()
    finally:
        harness.ACCEL = saved
    roots = [e for e in report["ends"] if e["parent"] == 0]
    if len(roots) != 1 or roots[0]["how"] != 1:
        raise GradeFailure(f"{program} did not run to its exit (the kernel's record: {report['ends']})"
                           f"\n{result.tail()}")
    packed = roots[0]["detail"] ^ arg
    if packed >> 60:
        raise GradeFailure(f"{program} exited with a status that is not its figures "
                           f"(status ^ arg = {packed:#x})\n{result.tail()}")
    return [(packed >> shift) & FIELD for shift in (0, 20, 40)]


def expect_within(lab: int, figures: dict[str, int]) -> None:
    """Each figure (name -> instructions) must be measured and within the
    lab's factor of the reference's. The sanitizer's build only proves
    the paths run: its checks are instructions too."""
    limits = budget(lab)
    factor = limits["factor"]
    over = []
    for name, got in figures.items():
        if got == 0:
            raise GradeFailure(f"{name}: not measured (the program's path failed)")
        reference = limits[name]
        if got > factor * reference and not harness.SAN:
            over.append(f"{name}: {got:,} instructions, more than {factor} x the reference's "
                        f"{reference:,}")
    if over:
        raise GradeFailure("too slow (count them with `make iprofile-PROG`; see the handout):\n  "
                           + "\n  ".join(over))
