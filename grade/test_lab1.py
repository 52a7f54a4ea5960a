"""Lab 1: boot, console and the debugger.

The verdicts come from QEMU exit statuses, values chosen at random for each
run, and GDB reading the machine directly; printing the expected lines
cannot pass these tests.
"""
import random
import re
import secrets
import string

import pytest

from unit_tests import check_unit_group, unit_groups
from harness import (EXIT_PANIC, EXIT_SUCCESS, GradeFailure, Qemu, ROOT, base_name,
                     function_at, gdb_session, nonce, parse_backtrace, qemu_status, run)


def test_monitor_exit():
    """The monitor parses a command the grader types: `exit CODE` must end
    QEMU with that code, chosen at random."""
    code = random.randint(0x20, 0x7F)
    with Qemu("lab1-monitor", {}) as q:
        q.wait_for(r"K> $")
        q.send("   \n")                       # an empty line is not an error:
        q.wait_for(r"K> $")
        q.wait_for(r"K>  *\n(?:(?!K> ).*\n)*K> $")   # the echo, then a new prompt
        between = q.output.rsplit("K> ", 2)[-2]
        if between.strip():
            result = q.wait(within=2)
            raise GradeFailure(f"a blank line at the monitor printed {between.strip()!r}; it "
                               f"should do nothing and prompt again\n{result.tail()}")
        # One word more than the monitor takes (max_args, 8): refused, not run.
        prompts = q.output.count("K> ")
        q.send(f"exit {code:#x} a b c d e f g\n")
        try:
            q.wait_for(rf"(?s)(?:.*?K> ){{{prompts + 1}}}")
        except GradeFailure:
            result = q.wait(within=2)
            raise GradeFailure(f"'exit {code:#x}' followed by 7 more words (9 in all, the "
                               f"monitor takes 8) should be refused with a new prompt; got: "
                               f"{result.describe()}\n{result.tail()}") from None
        q.send(f"exit {code:#x}\n")
        result = q.wait(within=5)
    if result.reason != "exited" or result.status != qemu_status(code):
        raise GradeFailure(f"typed 'exit {code:#x}' at the monitor; expected QEMU status "
                           f"{qemu_status(code)}, got: {result.describe()}\n{result.tail()}")


def printf_expectations(a: int, b: int, s: str, w: int) -> list[str]:
    """What kern/selftest.cc's printf test must print, computed here."""
    m32 = 0xFFFFFFFF
    b32 = b & m32
    return [
        f"{a}", f"{-a}", f"{(-a) & m32}", f"{b32:x}", f"{b32:X}", f"{b32:o}",
        f"{b:x}", f"{-(b >> 1)}", f"{b}",
        "%*d|" % (w, a), "%-*d|" % (w, a), "%0*x" % (w, b32), f"{a:+d} {-a:+d}",
        s, s[:3], "%*s|%-*s|" % (w, s, w, s), s[:2], f"0x{b:x}", f"%{a}%",
        f"{b & 0xFF:x} {b & 0xFFFF:x}", f"{a} {a & 0xFFFF:b}", "%.5d" % a,
        f"{a} {b:x} {s}",
    ]


def test_printf_formats():
    """Kernel printf of every supported conversion, flag and size, on
    values this run chose."""
    n = nonce()
    a = random.randint(1, 2**31 - 1)
    b = random.randint(2**32, 2**63 - 1)
    w = random.randint(4, 24)
    s = "".join(random.choice(string.ascii_lowercase) for _ in range(random.randint(5, 12)))
    result = run("lab1-printf", {"test": "printf", "nonce": hex(n), "a": a, "b": hex(b),
                                 "s": s, "w": w})
    result.expect_status(EXIT_SUCCESS, "printf test")
    got = {int(m.group(1)): (m.group(2), m.group(3)) for m in
           re.finditer(rf"^printf {n:x} (\d+) \[(.*)\] (\d)$", result.output, re.M)}
    problems = []
    for i, want in enumerate(printf_expectations(a, b, s, w)):
        if i not in got:
            problems.append(f"line {i}: missing (expected [{want}])")
        elif got[i][0] != want:
            problems.append(f"line {i}: got [{got[i][0]}], expected [{want}]")
        elif got[i][1] != "1":
            problems.append(f"line {i}: snprintf returned a length that does not match its output")
    if problems:
        raise GradeFailure(f"printf with a={a} b={b:#x} s={s} w={w}:\n" + "\n".join(problems))


def test_backtrace_matches_gdb():
    """The kernel's backtrace, compared frame by frame with what GDB reads
    from the stopped machine: same rbp, same return address, same function."""
    depth = random.randint(2, 9)
    n = nonce()
    with Qemu("lab1-backtrace", {"test": "backtrace", "depth": depth, "nonce": hex(n)},
              gdb=True) as q:
        gdb_frames = gdb_session(q, """
gdb.execute("hbreak selftest_backtrace_leaf")
gdb.execute("continue")
frames = []
f = gdb.newest_frame()
while f is not None and len(frames) < 64:
    # Inlined calls have no frame of their own on the real stack.
    if f.type() != gdb.INLINE_FRAME:
            frames.append({"pc": int(f.pc()), "rbp": int(f.read_register("rbp")),
                       "name": f.name() or "?"})
    f = f.older()
gdb.execute("delete")
gdb.execute("detach")
report(frames)
""")
        result = q.wait()
    result.expect_status(EXIT_SUCCESS, "backtrace test")
    m = re.search(rf"^backtrace {n:x} begin$(.*?)^backtrace {n:x} end$", result.output,
                  re.M | re.S)
    if not m:
        raise GradeFailure(prerequisite_printf(result.output, "backtrace", n)
                           or f"no backtrace between the begin/end lines\n{result.tail()}")
    frames = parse_backtrace(m.group(1))
    # GDB frames up to kernel_main are the ones both sides must agree on.
    names = [base_name(f["name"]) for f in gdb_frames]
    if "kernel_main" not in names:
        raise GradeFailure(f"GDB could not unwind to kernel_main: {names}")
    expected = gdb_frames[:names.index("kernel_main") + 1]
    if len(frames) < len(expected):
        raise GradeFailure(f"the kernel printed {len(frames)} frames; GDB sees at least "
                           f"{len(expected)} (depth {depth}):\n{m.group(1)}")
    for i, (mine, theirs) in enumerate(zip(frames, expected)):
        want_name = base_name(theirs["name"])
        # GDB stops frame 0 at the breakpoint, before or inside its
        # prologue, so only its name compares; outer frames compare exactly.
        if i > 0 and (mine.rbp != theirs["rbp"] or mine.rip != theirs["pc"]):
            raise GradeFailure(
                f"frame #{i}: kernel says rbp {mine.rbp:#x} rip {mine.rip:#x}, GDB says "
                f"rbp {theirs['rbp']:#x} rip {theirs['pc']:#x} ({want_name})")
        if mine.name != want_name:
            raise GradeFailure(f"frame #{i}: kernel names it {mine.name!r}, GDB {want_name!r}")
    # The chain ends at kernel_entry64, which cleared rbp: the last frame the
    # walk reports is that one, with rbp 0. Stopping a frame early loses it.
    if frames[-1].rbp != 0:
        raise GradeFailure(f"the backtrace stops at frame #{len(frames) - 1} (rbp "
                           f"{frames[-1].rbp:#x}); it should go on to the last frame, whose rbp "
                           f"is 0 (kernel_entry64's)\n{m.group(1)}")


def prerequisite_printf(output: str, word: str, n: int) -> str:
    """When a test's marker line is there but with the nonce garbled, the
    fault is printf's (exercise 1), not this test's: say so."""
    if re.search(rf"^{word} ", output, re.M) and not re.search(rf"^{word} {n:x}\b", output, re.M):
        return (f"the '{word} {n:x} ...' lines came out with a different number: printf's %lx "
                f"is wrong, so fix test_printf_formats (exercise 1) first")
    return ""


def panic_line() -> int:
    source = (ROOT / "kern" / "selftest_lab1.cc").read_text().splitlines()
    for number, line in enumerate(source, 1):
        if 'panic("selftest panic' in line:
            return number
    raise GradeFailure("kern/selftest_lab1.cc has lost its panic call")


def test_panic_backtrace():
    """A panic reports file:line and the message, then a backtrace whose
    every frame is named after the function (per the ELF) its rip is in."""
    n = nonce()
    result = run("lab1-panic", {"test": "panic", "nonce": hex(n)})
    result.expect_status(EXIT_PANIC, "panic test")
    header = f"kernel panic at kern/selftest_lab1.cc:{panic_line()}: selftest panic {n:x}"
    if header not in result.output:
        if "kernel panic at" in result.output and f"{n:x}" not in result.output:
            raise GradeFailure(f"expected the line\n  {header}\nThe nonce is missing: printf's "
                               f"%lx or %s is wrong, so fix test_printf_formats (exercise 1) "
                               f"first\n{result.tail()}")
        raise GradeFailure(f"expected the line\n  {header}\n{result.tail()}")
    frames = parse_backtrace(result.output.split(header, 1)[1])
    names = [f.name for f in frames]
    chain = ["selftest_panic_c", "selftest_panic_b", "selftest_panic_a"]
    if not any(names[i:i + 3] == chain for i in range(len(names))):
        raise GradeFailure(f"the backtrace should show {' <- '.join(chain)}; it shows {names}")
    for i, f in enumerate(frames):
        truth = function_at(f.rip - 1)
        if truth is None or base_name(truth) != f.name:
            raise GradeFailure(f"frame #{i}: rip {f.rip:#x} is in {truth}, "
                               f"but the backtrace says {f.name}")


@pytest.mark.parametrize("group", unit_groups(1))
def test_unit(group):
    """Host unit tests of this lab's files (grade/unit/), a group of suites
    at a time; `make unit` runs them all with GoogleTest's own report."""
    check_unit_group(1, group)
