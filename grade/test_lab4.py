"""Lab 4: secure bindings: exposed physical memory and page-table guards.

Each test boots one user program (user/) as the first environment with a
random argument and the frame-table audit on (boot arg audit=1: the kernel
recomputes every frame's reference count from every live page table after
each env ends and when none is left, kern/audit.cc). Over GDB the grader
stops at the program's grader_report(kind, a, b) calls (user/lab4.hh) to
compare what the program saw with the kernel's own state, and at the end
reads how each env ended, and the audit's verdict. Nothing printed counts.
"""
import random

import pytest

from harness import GradeFailure, Qemu, gdb_session
from test_lab3 import (ALL_DONE, EXITED, FIRST_ENV, HOW, KILLED_BY_TRAP, OK, PAGE_FAULT,
                       SURVIVED, expect_stages, user_symbol)
from unit_tests import check_unit_group, unit_groups

MAX_ENVS = 1024
NOT_RUNNABLE = 3                       # EnvStatus::not_runnable
PTE_A, PTE_D = 1 << 5, 1 << 6
PF_PRESENT, PF_WRITE, PF_USER = 1, 2, 4
AUDIT_PROBLEMS = {1: "a free frame is in use", 2: "an env uses a kernel frame",
                  3: "a frame is charged to a dead env",
                  4: "a refcount is not the number of references",
                  5: "a frame is owned but referenced by nothing (leaked)",
                  6: "a page-table page is mapped as a user page",
                  7: "a PTE names a frame beyond RAM", 8: "a meaningless owner",
                  9: "the free list is wrong"}


def run_lab4(name):
    """Boots `name`; returns (arg, report, result). report has "ends" (the
    kernel's env_ends), "reports" (each grader_report hit with the kernel
    state next to it), "free" (free frames at the first env and at the
    end), and "audit"."""
    arg = random.getrandbits(63) | 1
    report_pc = user_symbol(name, "grader_report")
    with Qemu(f"lab4-{name}", {"prog": name, "arg": hex(arg), "idle": "exit", "audit": "1"},
              gdb=True) as q:
        report = gdb_session(q, """
gdb.execute("hbreak *selftest_checkpoint")
gdb.execute("hbreak *%d")
stages, reports = [], []

def env_state(env_id):
    e = "envs[%%d]" %% (env_id & (%d - 1))
    leaves, _ = page_table(value(e + ".pml4"), user_only=True) if value(e + ".pml4") else ({}, [])
    return {"id": value(e + ".id"), "status": value("(unsigned)" + e + ".status"),
            "parent": value(e + ".parent_id"), "rax": value(e + ".tf.rax"),
            "rip": value(e + ".tf.rip"), "r12": value(e + ".tf.r12"),
            "leaves": {str(va): entry for va, entry in leaves.items()}}

def frame(n):
    return {"owner": value("frame_table.frames[%%d].owner" %% n),
            "refcount": value("frame_table.frames[%%d].refcount" %% n)}

for _ in other_stops(stages, 2):
    kind, a, b = value("$rdi"), value("$rsi"), value("$rdx")
    me = env_state(value("current_env->id"))
    hit = {"kind": kind, "a": a, "b": b, "me": me}
    if kind == 1:
        hit["child"] = env_state(a)
    if kind == 3:
        hit["frame"] = frame(b)
    reports.append(hit)
    if len(reports) >= 16:
        break
watched = {}
for hit in reports:
    if hit["kind"] == 2:
        watched[str(hit["a"])] = frame(hit["a"])
audit = audit_report()
report({"stages": stages, "reports": reports, "ends": env_ends(), "audit": audit, "watched": watched})
gdb.execute("delete")
gdb.execute("detach")
""" % (report_pc, MAX_ENVS), timeout=90)
        result = q.wait()
    expect_stages(report, ALL_DONE, result)
    report["free"] = [free for _, _, free in report["stages"]]
    expect_audit_clean(report, result)
    return arg, report, result


def expect_audit_clean(report, result):
    audit = report["audit"]
    if audit["runs"] == 0:
        raise GradeFailure(f"the frame-table audit never ran\n{result.tail()}")
    if audit["failures"]:
        what = AUDIT_PROBLEMS.get(audit["problem"], audit["problem"])
        raise GradeFailure(
            f"the frame-table audit failed ({audit['failures']} of {audit['runs']} runs): frame "
            f"{audit['frame']:#x}: {what} (owner {audit['owner']:#x}, refcount {audit['found']}, "
            f"references found {audit['expected']}"
            + (f", mapped by env {audit['mapper']:08x}" if audit["mapper"] else "") + ")\n"
            + result.tail())


def end_of(report, env_id, result):
    for end in report["ends"]:
        if end["id"] == env_id:
            return end
    raise GradeFailure(f"env {env_id:08x} never ended\n{result.tail()}")


def expect_exit_ok(arg, end, name, result):
    if end["how"] != EXITED:
        raise GradeFailure(f"{name} should exit normally; it was {HOW.get(end['how'], end['how'])}"
                           f" (trap {end['detail']}, va {end['fault_va']:#x})\n{result.tail()}")
    status = end["detail"] ^ arg
    if status == SURVIVED:
        raise GradeFailure(f"{name}: the kernel let it survive\n{result.tail()}")
    if status != OK:
        check = status - 0xBAD00
        raise GradeFailure(f"{name} reports a failed check"
                           + (f" (check {check})" if 0 < check < 0x1000 else f" (status ^ arg = {status:#x})")
                           + f"\n{result.tail()}")


def expect_program(name, frames_back=True):
    """The program's own checks pass, the audit is clean, and (unless some
    env outlives it) every frame comes back."""
    arg, report, result = run_lab4(name)
    if not report["ends"]:
        raise GradeFailure(f"{name} never ended\n{result.tail()}")
    first = report["ends"][0]["id"] if len(report["ends"]) == 1 else \
        min((e["id"] for e in report["ends"]), key=lambda i: i & (MAX_ENVS - 1))
    expect_exit_ok(arg, end_of(report, first, result), name, result)
    if frames_back and report["free"][0] != report["free"][1]:
        raise GradeFailure(f"{report['free'][0] - report['free'][1]} frames were not returned "
                           f"when every env had ended\n{result.tail()}")
    return arg, report, result


def test_exofork():
    """The child starts not runnable, with an empty user half and the
    parent's registers; it sees 0 where the parent sees its id."""
    arg, report, result = expect_program("exofork")
    hits = [h for h in report["reports"] if h["kind"] == 1]
    if len(hits) != 1:
        raise GradeFailure(f"exofork should report its child once; the grader saw {len(hits)} reports: "
                           f"{[(h['kind'], h['a'], h['me']['rip']) for h in report['reports']]}\n{result.tail()}")
    hit = hits[0]
    parent, child, child_id = hit["me"], hit["child"], hit["a"]
    problems = []
    if child["id"] != child_id:
        problems.append(f"the parent got {child_id:#x}, which names no live env")
    if child["status"] != NOT_RUNNABLE:
        problems.append(f"the child's status is {child['status']}, not not_runnable")
    if child["parent"] != parent["id"]:
        problems.append(f"the child's parent_id is {child['parent']:#x}, not {parent['id']:#x}")
    if child["leaves"]:
        problems.append(f"the child's user half maps {len(child['leaves'])} pages, e.g. "
                        f"{int(next(iter(child['leaves']))):#x}: it must be empty")
    if child["rax"] != 0:
        problems.append(f"the child's rax is {child['rax']:#x}: it must see 0")
    if child["rip"] != user_symbol("exofork", "exofork_returned"):
        problems.append(f"the child's rip {child['rip']:#x} is not where the parent's syscall returns")
    if child["r12"] != arg ^ 0xC41D:
        problems.append("the child's r12 is not the parent's: registers were not copied")
    if problems:
        raise GradeFailure("; ".join(problems) + "\n" + result.tail())
    end = end_of(report, child_id, result)
    if end["how"] != EXITED or end["detail"] != arg ^ 0xC41D:
        raise GradeFailure(f"the child should exit with status {arg ^ 0xC41D:#x} (it saw 0); it was "
                           f"{HOW.get(end['how'], end['how'])} with {end['detail']:#x}\n{result.tail()}")


def test_guard_env_ids():
    """Guard 1: only yourself or a direct child, for every call that names an env."""
    expect_program("guardenv")


def test_guard_addresses():
    """Guard 2: page-aligned user addresses only, at both ends of page_map."""
    expect_program("guardaddr")


def test_guard_permissions():
    """Guard 3: only present, user, writable, no-execute and the software bits."""
    expect_program("guardperm")


def test_no_amplification():
    """Guard 4: page_map never adds write or execute rights."""
    expect_program("guardamplify")


def test_frame_entitlement():
    """Guard 5: a frame only if free, or through a binding you hold."""
    expect_program("guardframe")


def test_frame_accounting():
    """Guard 6: refcounts equal mappings through sharing, self-mapping,
    replacement and death; a dead owner's shared frame moves to the child
    that maps it."""
    arg, report, result = expect_program("frameaccount", frames_back=False)
    hits = [h for h in report["reports"] if h["kind"] == 2]
    if not hits:
        raise GradeFailure(f"frameaccount never reported its frame\n{result.tail()}")
    frame, heir = hits[0]["a"], hits[0]["b"]
    seen = report["watched"][str(frame)]
    if seen["owner"] != heir or seen["refcount"] != 1:
        raise GradeFailure(f"after the owner died, frame {frame:#x} is charged to {seen['owner']:#x} "
                           f"with refcount {seen['refcount']}; the child {heir:08x} maps it, so it "
                           f"must own it with refcount 1\n{result.tail()}")


def test_named_frame_in_both_views():
    """A frame picked by number from the exposed frame table: the kernel's
    frame table charges it to the env, and its page table maps it."""
    arg, report, result = expect_program("framepick")
    hits = [h for h in report["reports"] if h["kind"] == 3]
    if not hits:
        raise GradeFailure(f"framepick never reported its frame\n{result.tail()}")
    hit = hits[0]
    va, frame = hit["a"], hit["b"]
    if hit["frame"]["owner"] != hit["me"]["id"] or hit["frame"]["refcount"] != 1:
        raise GradeFailure(f"the kernel's frame table has frame {frame:#x} owned by "
                           f"{hit['frame']['owner']:#x} with refcount {hit['frame']['refcount']}")
    entry = hit["me"]["leaves"].get(str(va))
    if entry is None or (entry >> 12) & ((1 << 40) - 1) != frame:
        raise GradeFailure(f"the env's page table maps {va:#x} to "
                           + ("nothing" if entry is None else f"{entry:#x}") + f", not frame {frame:#x}")


def test_accessed_and_dirty_bits():
    """Through the self-mapped page tables: a written page shows A and D, a
    read one A only, an untouched one neither, as in the kernel's tables."""
    arg, report, result = expect_program("dirtybits")
    hits = [h for h in report["reports"] if h["kind"] == 4]
    if not hits:
        raise GradeFailure(f"dirtybits never reported\n{result.tail()}")
    base, leaves = hits[0]["a"], hits[0]["me"]["leaves"]
    for va, want, what in ((base, PTE_A | PTE_D, "written"), (base + 4096, PTE_A, "read"),
                           (base + 8192, 0, "untouched")):
        entry = leaves.get(str(va))
        if entry is None:
            raise GradeFailure(f"the {what} page {va:#x} is not mapped in the kernel's table")
        if entry & (PTE_A | PTE_D) != want:
            raise GradeFailure(f"the {what} page's PTE is {entry:#x} in the kernel's table")


@pytest.mark.parametrize("name,fault_va", [
    pytest.param("writeuvpt", 0xFFFFFE0000004000, id="page-tables"),
    pytest.param("writeframes", None, id="frame-table"),   # the address it reports
])
def test_exposed_views_read_only(name, fault_va):
    arg, report, result = run_lab4(name)
    if fault_va is None:
        hits = [h for h in report["reports"] if h["kind"] == 5]
        if not hits:
            raise GradeFailure(f"{name} never reported the address it writes\n{result.tail()}")
        fault_va = hits[0]["a"] & (2**64 - 1)   # GDB reads it signed
    end = report["ends"][0] if report["ends"] else None
    if end is None:
        raise GradeFailure(f"{name} never ended\n{result.tail()}")
    if end["how"] == EXITED and end["detail"] ^ arg == SURVIVED:
        raise GradeFailure(f"{name}: the write went through\n{result.tail()}")
    want = (KILLED_BY_TRAP, PAGE_FAULT, fault_va, PF_PRESENT | PF_WRITE | PF_USER)
    got = (end["how"], end["detail"], end["fault_va"], end["error_code"])
    if got != want:
        raise GradeFailure(f"{name} should be killed by a write protection fault at {fault_va:#x}; "
                           f"it was {HOW.get(end['how'], end['how'])} (trap {end['detail']}, va "
                           f"{end['fault_va']:#x}, error {end['error_code']:#x})\n{result.tail()}")


@pytest.mark.parametrize("group", unit_groups(4))
def test_unit(group):
    check_unit_group(4, group)
