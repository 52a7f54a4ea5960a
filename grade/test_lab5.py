"""Lab 5: the library OS: copy-on-write fork, spawn and IPC.

Each test boots one user program (user/) as the first environment with a
random argument and the frame-table audit on. The verdicts come from
kernel state read over GDB: how each env ended and who made it (the
kernel's env-end records), the frames the programs report at
grader_report(kind, a, b) (user/lab5.hh) compared with the kernel's own
page tables, values derived from the argument, and the audit. After every
test the audit must be clean and every frame back. Nothing printed counts.
"""
import random

import perf
from harness import GradeFailure, Qemu, gdb_session
from test_lab3 import ALL_DONE, EXITED, HOW, KILLED_BY_TRAP, PAGE_FAULT, expect_stages, user_symbol
from test_lab4 import expect_audit_clean, expect_exit_ok

REPORT_FRAME, REPORT_VALUE = 1, 2        # user/lab5.hh
PTE_W, PTE_COW = 1 << 1, 1 << 9          # lib/abi.hh: perm_writable, perm_cow
ADDRESS_MASK = 0x000FFFFFFFFFF000


def run_lab5(name, *, lab=5, qemu_args=(), cpu=False, memory=False, timeout=120):
    """Boots `name`; returns (arg, report, result). report has "ends" (the
    kernel's env-end records), "hits" (each grader_report: kind, a, b, the
    env that made it and, for report_frame, the kernel's PTE for a in that
    env) and "free" (free frames before the first env and at the end).
    Lab 6 runs through here too: with cpu, report["cpu"] holds the slice
    table and every ended env's CPU counters (gdb_helpers.slice_report);
    Lab 7's, with memory, report["memory"] the memory table's
    (gdb_helpers.memory_report)."""
    arg = random.getrandbits(63) | 1
    try:
        report_pc = user_symbol(name, "grader_report")
    except GradeFailure:
        report_pc = 0
    with Qemu(f"lab{lab}-{name}", {"prog": name, "arg": hex(arg), "idle": "exit", "audit": "1"},
              gdb=True, qemu_args=qemu_args) as q:
        report = gdb_session(q, """
gdb.execute("hbreak *selftest_checkpoint")
if %d:
    gdb.execute("hbreak *%d")
stages, hits = [], []
for _ in other_stops(stages, 2):
    hit = {"kind": value("$rdi"), "a": value("$rsi"), "b": value("$rdx"), "env": value("current_env->id")}
    if hit["kind"] == %d:
        hit["pte"] = pte_of(value("current_env->pml4"), hit["a"])
    hits.append(hit)
    if len(hits) >= 64:
        break
audit = audit_report()
ends = env_ends()
report({"stages": stages, "hits": hits, "ends": ends, "audit": audit,
        "cpu": slice_report([e["id"] for e in ends]) if %d else None,
        "memory": memory_report([e["id"] for e in ends]) if %d else None})
gdb.execute("delete")
gdb.execute("detach")
""" % (report_pc, report_pc, REPORT_FRAME, cpu, memory), timeout=timeout)
        result = q.wait()
    expect_stages(report, ALL_DONE, result)
    expect_audit_clean(report, result)
    free = [f for _, _, f in report["stages"]]
    if free[0] != free[1]:
        raise GradeFailure(f"{free[0] - free[1]} frames were not returned when every env had ended"
                           f"\n{result.tail()}")
    for hit in report["hits"]:
        if hit["kind"] == REPORT_FRAME and hit["b"] != (hit["pte"] & ADDRESS_MASK) >> 12:
            raise GradeFailure(f"env {hit['env']:08x} sees frame {hit['b']:#x} at {hit['a']:#x} through "
                               f"its self-map, but its page table maps frame "
                               f"{(hit['pte'] & ADDRESS_MASK) >> 12:#x}\n{result.tail()}")
    return arg, report, result


def root_of(report, result):
    roots = [e for e in report["ends"] if e["parent"] == 0]
    if len(roots) != 1:
        raise GradeFailure(f"expected one env started by the kernel to end, found {len(roots)}\n{result.tail()}")
    return roots[0]


def expect_all_ok(arg, report, name, result, except_ids=()):
    """Every env the program made exited with its checks passed."""
    for end in report["ends"]:
        if end["id"] not in except_ids:
            expect_exit_ok(arg, end, f"{name} (env {end['id']:08x})", result)


def values(report):
    return [(h["a"], h["b"]) for h in report["hits"] if h["kind"] == REPORT_VALUE]


def test_fork_tree():
    """fork, recursively: exactly the tree the argument asks for, each env
    made by its parent in the tree."""
    arg, report, result = run_lab5("forktree")
    depth = 2 + (arg >> 8) % 3
    by_id = {e["id"]: e for e in report["ends"]}
    paths = {}
    for end in report["ends"]:
        if end["how"] != EXITED:
            raise GradeFailure(f"env {end['id']:08x} was {HOW.get(end['how'], end['how'])} (trap "
                               f"{end['detail']}, va {end['fault_va']:#x})\n{result.tail()}")
        paths[end["id"]] = end["detail"] ^ arg
    want = set(range(1, 2 ** (depth + 1)))
    if sorted(paths.values()) != sorted(want):
        missing, extra = sorted(want - set(paths.values())), sorted(set(paths.values()) - want)
        raise GradeFailure(f"a tree of depth {depth} has {len(want)} envs named 1..{max(want)}; "
                           f"{len(paths)} ended, missing {missing[:8]}, unexpected {[hex(p) for p in extra[:8]]}"
                           f"\n{result.tail()}")
    for env_id, path in paths.items():
        parent = by_id.get(by_id[env_id]["parent"])
        if path == 1:
            if by_id[env_id]["parent"] != 0:
                raise GradeFailure(f"the root env {env_id:08x} has a parent\n{result.tail()}")
        elif parent is None or paths[parent["id"]] != path >> 1:
            raise GradeFailure(f"env {env_id:08x} (path {path:b}) was not made by the env with path "
                               f"{path >> 1:b}\n{result.tail()}")


def test_copy_on_write():
    """After fork, writable pages are shared copy-on-write until written,
    then private; read-only pages stay shared; a write to a read-only page
    still faults."""
    arg, report, result = run_lab5("cowfork")
    root = root_of(report, result)
    writers = [a for a, _ in values(report)]
    if len(writers) != 1:
        raise GradeFailure(f"cowfork did not get as far as its second fork\n{result.tail()}")
    writer = writers[0]
    expect_all_ok(arg, report, "cowfork", result, except_ids=(writer,))
    ro_va = values(report)[0][1]
    wend = next((e for e in report["ends"] if e["id"] == writer), None)
    if not wend or wend["how"] != KILLED_BY_TRAP or wend["detail"] != PAGE_FAULT or \
            wend["fault_va"] != ro_va:
        how = HOW.get(wend["how"], wend["how"]) if wend else "never ended"
        raise GradeFailure(f"a child that writes to a read-only page (at {ro_va:#x}) must end by that "
                           f"page fault, with no copy made; it was {how}\n{result.tail()}")
    child = next((e["id"] for e in report["ends"] if e["parent"] == root["id"] and e["id"] != writer), None)
    frames = {}
    for h in report["hits"]:
        if h["kind"] == REPORT_FRAME:
            frames.setdefault(h["env"], []).append(h)
    if sorted(frames) != sorted([root["id"], child]) or any(len(v) != 6 for v in frames.values()):
        raise GradeFailure(f"cowfork's parent and child should each report 6 frames\n{result.tail()}")
    parent_hits, child_hits = frames[root["id"]], frames[child]
    names = ["the data page", "the bss page", "the read-only page"]
    problems = []
    for i, what in enumerate(names):
        pb, pa, cb, ca = parent_hits[i], parent_hits[i + 3], child_hits[i], child_hits[i + 3]
        if i < 2:
            if pb["b"] != cb["b"]:
                problems.append(f"{what} was not shared after fork (frames {pb['b']:#x} and {cb['b']:#x})")
            for side, h in (("parent", pb), ("child", cb)):
                if h["pte"] & PTE_W or not h["pte"] & PTE_COW:
                    problems.append(f"{what} in the {side} before its write: PTE {h['pte']:#x} should be "
                                    "read-only and copy-on-write")
            if pa["b"] == ca["b"]:
                problems.append(f"{what} is still one frame ({pa['b']:#x}) after both wrote it")
            for side, h in (("parent", pa), ("child", ca)):
                if not h["pte"] & PTE_W or h["pte"] & PTE_COW:
                    problems.append(f"{what} in the {side} after its write: PTE {h['pte']:#x} should be "
                                    "writable and no longer copy-on-write")
        else:
            if len({pb["b"], pa["b"], cb["b"], ca["b"]}) != 1:
                problems.append(f"{what} must stay one shared frame")
            if any(h["pte"] & (PTE_W | PTE_COW) for h in (pb, pa, cb, ca)):
                problems.append(f"{what} must stay read-only and never copy-on-write")
    if problems:
        raise GradeFailure("; ".join(problems) + "\n" + result.tail())


def test_fork_large():
    """fork of an env with 4 MiB written: both sides see every byte right."""
    arg, report, result = run_lab5("forkbig")
    if len(report["ends"]) != 2:
        raise GradeFailure(f"forkbig should end as parent and child, {len(report['ends'])} envs ended"
                           f"\n{result.tail()}")
    expect_all_ok(arg, report, "forkbig", result)


def test_sfork():
    """sfork shares data (a counter both sides add to) but not the stack."""
    arg, report, result = run_lab5("sforkcount")
    expect_all_ok(arg, report, "sforkcount", result)
    rounds = 50 + arg % 50
    got = values(report)
    if not got or got[0][0] != 2 * rounds:
        raise GradeFailure(f"the shared counter should reach {2 * rounds}; it was "
                           f"{got[0][0] if got else 'never reported'}\n{result.tail()}")


def test_spawn_args():
    """spawn loads a program in the library and passes it argc and argv."""
    arg, report, result = run_lab5("spawnargs")
    root = root_of(report, result)
    expect_exit_ok(arg, root, "spawnargs", result)
    children = [e for e in report["ends"] if e["parent"] == root["id"]]
    if len(children) != 1:
        raise GradeFailure(f"spawnargs should make exactly one child; {len(children)} ended\n{result.tail()}")
    x, y, k = arg & 0xFFFFFF, (arg >> 24) & 0xFFFF, 1 + (arg >> 40) % 40
    want = x + 3 * y + (k << 32) + (4 << 40) + (1 << 44) + (1 << 45)
    end = children[0]
    if end["how"] != EXITED or end["detail"] != want:
        got = end["detail"]
        hints = []
        if end["how"] == EXITED:
            if (got >> 40) & 0xF != 4:
                hints.append(f"argc was {(got >> 40) & 0xF}, not 4")
            if not got >> 44 & 1:
                hints.append("argv[0] or argv[argc] was wrong")
            if not got >> 45 & 1:
                hints.append("its data or bss was not loaded right")
        raise GradeFailure(f"echoargs should exit with {want:#x}; it was {HOW.get(end['how'], end['how'])} "
                           f"with {got:#x}" + (f" ({'; '.join(hints)})" if hints else "")
                           + f"\n{result.tail()}")


def test_ipc_pingpong():
    """IPC round trips: values and sender ids arrive as sent."""
    arg, report, result = run_lab5("pingpong")
    expect_all_ok(arg, report, "pingpong", result)
    want = (arg & 0xFFFFFF) + 2 * (10 + arg % 20) - 1
    got = values(report)
    if not got or got[0][0] != want:
        raise GradeFailure(f"the last value should be {want:#x}; it was "
                           f"{hex(got[0][0]) if got else 'never reported'}\n{result.tail()}")


def test_ipc_direct_switch():
    """A successful send runs the receiver at once, not whoever the
    scheduler would pick next."""
    arg, report, result = run_lab5("ipcswitch")
    got = values(report)
    if got and got[0][0] != got[0][1]:
        raise GradeFailure(f"another env ran {got[0][0] - got[0][1]} time(s) between the send and the "
                           f"receiver: the send must switch straight to it\n{result.tail()}")
    expect_all_ok(arg, report, "ipcswitch", result)
    if not got:
        raise GradeFailure(f"the receiver never reported\n{result.tail()}")


def test_ipc_page():
    """A page passed by IPC: one frame, bound at the receiver's dstva with
    the rights asked for; an amplification is refused."""
    arg, report, result = run_lab5("ipcpage")
    expect_all_ok(arg, report, "ipcpage", result)
    root = root_of(report, result)
    mine = [h["b"] for h in report["hits"] if h["kind"] == REPORT_FRAME and h["env"] == root["id"]]
    theirs = [h["b"] for h in report["hits"] if h["kind"] == REPORT_FRAME and h["env"] != root["id"]]
    if len(mine) != 1 or len(theirs) != 1 or mine != theirs:
        raise GradeFailure(f"the sender's page and the receiver's dstva should be one frame: "
                           f"{[hex(f) for f in mine]} and {[hex(f) for f in theirs]}\n{result.tail()}")


def test_prime_sieve():
    """The prime sieve: one env per prime below the bound, each made by the
    one before it."""
    arg, report, result = run_lab5("primes")
    bound = 40 + arg % 80
    want = [n for n in range(2, bound) if all(n % d for d in range(2, n))]
    root = root_of(report, result)
    expect_exit_ok(arg, root, "primes", result)
    filters = {}
    for end in report["ends"]:
        if end is root:
            continue
        status = end["detail"] ^ arg
        if end["how"] != EXITED or status & ~0xFFFFFF != 0x7000000:
            raise GradeFailure(f"filter env {end['id']:08x} should exit with its prime; it was "
                               f"{HOW.get(end['how'], end['how'])} with {end['detail']:#x}\n{result.tail()}")
        filters[status & 0xFFFFFF] = end
    if sorted(filters) != want:
        raise GradeFailure(f"the primes below {bound} are {want}; the filters had {sorted(filters)}"
                           f"\n{result.tail()}")
    maker = root["id"]
    for p in want:
        if filters[p]["parent"] != maker:
            raise GradeFailure(f"the filter for {p} was not made by the one before it\n{result.tail()}")
        maker = filters[p]["id"]


def test_ipc_guards():
    """What IPC refuses: bad addresses and perms, pages nobody asked for,
    absent or non-waiting envs; and a child cannot reach its parent's pages."""
    arg, report, result = run_lab5("ipcguard")
    if len(report["ends"]) != 2:
        raise GradeFailure(f"ipcguard should end as parent and child\n{result.tail()}")
    expect_all_ok(arg, report, "ipcguard", result)


def test_ipc_fast_path():
    """IPC round trips between two envs, one word each way and a page each
    way, in instructions (grade/perf.py): each within labs/lab5.json's
    factor of the reference's. Your ipc::send and ipc::recv are on the
    path: a send that yields to the scheduler instead of handing its slice
    to the receiver pays for a pass over every runnable env."""
    word, page, _ = perf.measure("benchlibos", paths=1, iterations=500, lab=5)
    perf.expect_within(5, {"ipc_round_trip": word, "ipc_page_round_trip": page})
