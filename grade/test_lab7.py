"""Lab 7: memory as a revocable resource: quotas, visible revocation (a
request the library OS answers), the abort protocol (the kernel takes
frames by force at the deadline) and the repossession vector.

Each test boots one user program (user/) under TCG with instruction
counting (-icount shift=0, so ticks and deadlines fall at the same
instructions each run), with a random argument and the frame-table audit
on. The programs squeeze a quota with the grader-only SYS_test_pressure.
Verdicts come from kernel state read over GDB: how each env ended, the
values the programs report at grader_report, and each env's entry in the
kernel's memory table (its request, the counters, its repossession
vector), compared with what the argument makes the programs do. After
every test the audit must be clean and every frame back.
"""
import pytest

from test_lab4 import expect_exit_ok
from test_lab5 import expect_all_ok, root_of, run_lab5, values
from test_lab6 import ICOUNT, children, describe, destroyed_by, fail
from unit_tests import check_unit_group, unit_groups

COLD_BASE = 0x100000        # user/lab7.hh
MASK = 2**64 - 1


def run_lab7(name):
    arg, report, result = run_lab5(name, lab=7, qemu_args=ICOUNT, memory=True, timeout=30)
    return arg, report, report["memory"], result


def cold_pages(arg):
    return 8 + arg % 8


def frames_to_take(arg):
    return 2 + (arg >> 4) % 5


def cold_va(i):
    return COLD_BASE + i * 4096


def memory_of(memory, env_id, result):
    view = memory["envs"].get(str(env_id))
    if view is None:
        fail(f"the memory table has no entry for env {env_id:08x}", result)
    return view


def scenario(name):
    """user/lab7.hh's scenario: R and V both exit ok; returns arg, report,
    V's and R's memory views, the frames R asked back, the result."""
    arg, report, memory, result = run_lab7(name)
    root = root_of(report, result)
    expect_exit_ok(arg, root, name, result)
    kids = children(report, root["id"])
    if len(kids) != 1:
        fail(f"{name}'s root should fork one victim; its children ended {[describe(e) for e in kids]}", result)
    victim = kids[0]
    expect_exit_ok(arg, victim, f"{name}'s victim", result)
    take = frames_to_take(arg)
    asked = [(a, b) for a, b in values(report)]
    if (victim["id"], take) not in asked:
        fail(f"{name}'s root never squeezed its victim by {take} frames", result)
    v = memory_of(memory, victim["id"], result)
    r = memory_of(memory, root["id"], result)
    if v["requests"] != 1 or v["requested"] != take:
        fail(f"one request for {take} frames should have been made to the victim; the kernel counted "
             f"{v['requests']} request(s), the last for {v['requested']}", result)
    if r["vector_count"] or r["aborts"]:
        fail(f"the root shares pages with the victim but owns its own; it lost {r['vector_count']} "
             f"mapping(s) to the victim's abort", result)
    return arg, report, v, take, memory, result


def expect_aborted_on_time(v, memory, result):
    if v["aborts"] != 1 or v["complied"] != 0:
        fail(f"the victim did not give enough back: the kernel should have met its request by force "
             f"once; it counted {v['aborts']} abort(s), {v['complied']} met by the env", result)
    if v["deadline"] - v["requested_at"] != memory["grace_ticks"]:
        fail(f"a request's deadline is {memory['grace_ticks']} ticks after it is made; this one was "
             f"made at tick {v['requested_at']} with deadline {v['deadline']}", result)
    if v["answered_at"] != v["deadline"]:
        fail(f"the abort should come at the deadline, tick {v['deadline']}; it came at tick "
             f"{v['answered_at']}", result)


def expect_vector(v, want, result):
    if v["repossessed"] != len(want) or v["vector"] != want:
        fail(f"the abort should take the victim's lowest pages not touched since the request, "
             f"{[hex(a) for a in want]}, and list them in its repossession vector; the kernel took "
             f"{v['repossessed']} frame(s) and the vector lists {[hex(a) for a in v['vector']]}", result)


def test_pager_gives_back_exactly():
    """A cooperative pager under pressure gives back exactly the frames
    asked, keeps running, and its data survives the backing store."""
    arg, report, memory, result = run_lab7("pagerwork")
    root = root_of(report, result)
    expect_exit_ok(arg, root, "pagerwork", result)
    kids = children(report, root["id"])
    if len(kids) != 1 or not destroyed_by(kids[0], root):
        fail(f"pagerwork's backing store should be destroyed by the program: {[describe(e) for e in kids]}",
             result)
    n, k = 24 + arg % 16, 4 + (arg >> 8) % 5
    got = values(report)
    if len(got) != 3:
        fail(f"pagerwork should report 3 values, reported {len(got)}", result)
    (released, want_k), (total, _), (paged_in, _) = got
    if want_k != k or released != k:
        fail(f"the pager was asked for {k} frames and gave back {released} before the program went on",
             result)
    want_total = 0
    for i in range(n):
        seed = ((arg ^ (i << 20)) * 0x9E3779B97F4A7C15) & MASK
        want_total += 512 * ((seed + i) & MASK) + 511 * 512 // 2
    want_total &= MASK
    total &= MASK   # GDB reads registers signed
    if total != want_total:
        fail(f"the data did not survive the round trip to the backing store: sum {total:#x}, "
             f"want {want_total:#x}", result)
    if paged_in != 1:
        fail("the pager never read a page back from the store: nothing was paged out?", result)
    v = memory_of(memory, root["id"], result)
    if (v["requests"], v["complied"], v["aborts"]) != (1, 1, 0):
        fail(f"one request, met by the pager in time, none by force: the kernel counted "
             f"{v['requests']} request(s), {v['complied']} met, {v['aborts']} abort(s)", result)
    if v["requested"] != k or v["request_released"] != k:
        fail(f"the request asked for {v['requested']} frames (want {k}) and the pager released "
             f"{v['request_released']} while it was open", result)
    if v["answered_at"] > v["deadline"] or v["repossessed"] or v["vector_count"]:
        fail(f"the pager met its request at tick {v['answered_at']} (deadline {v['deadline']}), and "
             f"the kernel took {v['repossessed']} frame(s) by force", result)


def test_ignored_request_repossessed():
    """An env that ignores a request loses exactly what was asked, at the
    deadline: its idle pages, each one listed in its vector; what it
    shares with others stays."""
    arg, report, v, take, memory, result = scenario("revokeignore")
    expect_aborted_on_time(v, memory, result)
    expect_vector(v, [cold_va(i) for i in range(take)], result)
    if v["upcalls"] or v["released"]:
        fail(f"revokeignore registers no upcall and releases nothing; the kernel counted "
             f"{v['upcalls']} upcall(s) and {v['released']} release(s)", result)


def test_bad_release_refused():
    """Releasing a frame one does not own, one shared, one twice, or one
    never mapped is refused; releasing too few ends in the abort for the
    rest."""
    arg, report, v, take, memory, result = scenario("revokecheat")
    victim = [h for h in report["hits"] if h["kind"] == 2 and h["env"] == v["env_id"]]
    if len(victim) != 5:
        fail(f"revokecheat's victim should report 5 release results, reported {len(victim)}", result)
    names = ("a frame its parent owns", "a page its parent maps too", "its own page",
             "that page again", "an address it never mapped")
    for (got, want), what in zip([(h["a"], h["b"]) for h in victim], names):
        if got != want:
            fail(f"frame_release of {what} returned {got - 2**64 if got >> 63 else got}, "
                 f"want {want - 2**64 if want >> 63 else want}", result)
    if v["refused"] != 4 or v["released"] != 1 or v["request_released"] != 1 or v["upcalls"] != 1:
        fail(f"the kernel should count 4 refused releases and 1 made during the request, after 1 upcall; "
             f"it counted {v['refused']} refused, {v['request_released']} during the request "
             f"({v['released']} in all), {v['upcalls']} upcall(s)", result)
    expect_aborted_on_time(v, memory, result)
    expect_vector(v, [cold_va(i) for i in range(1, take)], result)


def test_spinning_handler_repossessed_on_time():
    """An env that spins in its revocation handler is repossessed at the
    deadline all the same (ticks read from the kernel)."""
    arg, report, v, take, memory, result = scenario("revokespin")
    if v["upcalls"] != 1:
        fail(f"the victim should be upcalled once with its request; the kernel counted {v['upcalls']}", result)
    if v["notices"] != 0:
        fail(f"the victim never leaves its revocation handler (its exception stack), so the notice of "
             f"the abort must wait; the kernel delivered {v['notices']} on top of the running handler", result)
    expect_aborted_on_time(v, memory, result)
    expect_vector(v, [cold_va(i) for i in range(take)], result)


def test_repossessed_page_identified():
    """After an abort the env is told (a notice upcall), and touching a
    repossessed page faults into the library OS, which tells it from a
    page never mapped."""
    arg, report, v, take, memory, result = scenario("revoketouch")
    expect_aborted_on_time(v, memory, result)
    expect_vector(v, [cold_va(i) for i in range(take)], result)
    got = [(h["a"], h["b"]) for h in report["hits"] if h["kind"] == 2 and h["env"] == v["env_id"]]
    if len(got) != 4:
        fail(f"revoketouch's victim should report 4 values, reported {len(got)}", result)
    names = ("faults on repossessed pages", "faults on the page never mapped (100 per stray fault)",
             "notices the library saw, against the kernel's count", "repossessed pages read back zeroed")
    for (a, b), what in zip(got, names):
        if a != b:
            fail(f"revoketouch: {what}: {a}, want {b}", result)
    if v["notices"] != 1:
        fail(f"one abort, one notice upcall: the kernel delivered {v['notices']}", result)


@pytest.mark.parametrize("group", unit_groups(7))
def test_unit(group):
    check_unit_group(7, group)
