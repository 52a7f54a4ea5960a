"""Lab 6: multiplexing the CPU: the slice vector, epilogue and prologue
upcalls, borrowed time, the forced switch, directed yield, user threads.

Each test boots one user program (user/) under TCG with instruction
counting (-icount shift=0: the timer ticks after a fixed number of
instructions, so the same run gives the same slices), with a random
argument and the frame-table audit on. Verdicts come from kernel state
read over GDB: how each env ended (env-end records), what the programs
report at grader_report (user/lab5.hh's report_value), and the kernel's
own CPU counters for every env (slice_table, lib/abi.hh). Counts are in
slices and ticks, never wall time. After every test the audit must be
clean and every frame back.
"""
from harness import ACCEL, GradeFailure
from test_lab3 import EXITED, HOW
from test_lab4 import expect_exit_ok
from test_lab5 import expect_all_ok, root_of, run_lab5, values

DESTROYED = 5
# Deterministic ticks need TCG; a KVM the probe trusts runs on wall time.
ICOUNT = ("-icount", "shift=0") if ACCEL == "tcg" else ()


def run_lab6(name):
    # A run takes about a second; a broken one that spins should not hold
    # the grader for long.
    arg, report, result = run_lab5(name, lab=6, qemu_args=ICOUNT, cpu=True, timeout=30)
    return arg, report, report["cpu"], result


def fail(message, result):
    raise GradeFailure(f"{message}\n{result.tail()}")


def children(report, parent_id):
    return [e for e in report["ends"] if e["parent"] == parent_id]


def cpu_of(cpu, env_id, result):
    view = cpu["envs"].get(str(env_id))
    if view is None:
        fail(f"the slice table has no entry for env {env_id:08x}", result)
    return view


def destroyed_by(end, root):
    return end["how"] == DESTROYED and end["detail"] == root["id"]


def describe(end):
    return f"{HOW.get(end['how'], end['how'])} (detail {end['detail']:#x}, rip {end['rip']:#x})"


def test_spinner_preempted():
    """An env that never yields is preempted; the others finish; every env
    that ran across slice ends was entered at its epilogue and prologue."""
    arg, report, cpu, result = run_lab6("slicespin")
    root = root_of(report, result)
    expect_exit_ok(arg, root, "slicespin", result)
    kids = children(report, root["id"])
    spinners = [e for e in kids if e["how"] != EXITED]
    workers = [e for e in kids if e["how"] == EXITED]
    want = 2 + arg % 3
    if len(spinners) != 1 or not destroyed_by(spinners[0], root):
        fail(f"slicespin's spinner should be destroyed by its parent; the children ended "
             f"{[describe(e) for e in kids]}", result)
    if len(workers) != want:
        fail(f"{want} workers should finish while the spinner spins; {len(workers)} did", result)
    expect_all_ok(arg, report, "slicespin", result, except_ids=(spinners[0]["id"],))
    for end in [spinners[0]] + workers:
        view = cpu_of(cpu, end["id"], result)
        if view["epilogues"] < 1 or view["prologues"] < 1:
            fail(f"env {end['id']:08x} ran across slice ends with the library's upcalls, yet the kernel "
                 f"entered its epilogue {view['epilogues']} and its prologue {view['prologues']} times", result)


def test_cpu_share():
    """An env with 3 slots does 3 times the work of an env with 1."""
    arg, report, cpu, result = run_lab6("sliceshare")
    root = root_of(report, result)
    expect_exit_ok(arg, root, "sliceshare", result)
    got = values(report)
    if len(got) != 1:
        fail("sliceshare never reported the two counts", result)
    a_count, b_count = got[0]
    kids = sorted(children(report, root["id"]), key=lambda e: e["id"])
    if len(kids) != 2 or not all(destroyed_by(e, root) for e in kids):
        fail(f"sliceshare's two counters should be destroyed by the root: {[describe(e) for e in kids]}",
             result)
    views = [cpu_of(cpu, e["id"], result) for e in kids]
    a, b = (views[0], views[1]) if views[0]["slots"] >= views[1]["slots"] else (views[1], views[0])
    # Their slots were freed when they ended; the kernel counted slices.
    if b["slices"] == 0 or b_count == 0:
        fail(f"the env with one slot never ran (counted {b_count}, {b['slices']} slices)", result)
    work_ratio = a_count / b_count
    slice_ratio = a["slices"] / b["slices"]
    if not 2.5 <= work_ratio <= 3.5:
        fail(f"with 3 slots against 1, the counts were {a_count} and {b_count}: a ratio of "
             f"{work_ratio:.2f}, not 3 (+-0.5)", result)
    if not 2.5 <= slice_ratio <= 3.5:
        fail(f"with 3 slots against 1, the kernel started {a['slices']} and {b['slices']} slices "
             f"(ratio {slice_ratio:.2f}, not 3 +-0.5)", result)


def test_epilogue_overrun_forced():
    """An epilogue that never returns is switched off by force at its
    budget, again at each of its slices; the others run to the end."""
    arg, report, cpu, result = run_lab6("sliceloop")
    root = root_of(report, result)
    expect_exit_ok(arg, root, "sliceloop", result)
    kids = children(report, root["id"])
    loopers = [e for e in kids if e["how"] != EXITED]
    if len(loopers) != 1 or not destroyed_by(loopers[0], root):
        fail(f"sliceloop's looper should be destroyed by its parent: {[describe(e) for e in kids]}", result)
    expect_all_ok(arg, report, "sliceloop", result, except_ids=(loopers[0]["id"],))
    want_workers = 2 + arg % 2
    if len(kids) - 1 != want_workers:
        fail(f"{want_workers} workers should finish beside the looping epilogue; {len(kids) - 1} did", result)
    view = cpu_of(cpu, loopers[0]["id"], result)
    if view["epilogues"] != 1 or not view["in_epilogue"]:
        fail(f"the looper's epilogue never returns: it should be entered once and still be in it; the "
             f"kernel entered it {view['epilogues']} times (in_epilogue {view['in_epilogue']})", result)
    if view["overruns"] < 2:
        fail(f"the looping epilogue should be switched off by force at each of its slices; the kernel "
             f"counted {view['overruns']} overruns", result)
    if view["borrowed"] != cpu["epilogue_budget"]:
        fail(f"an epilogue switched off by force has borrowed its whole budget "
             f"({cpu['epilogue_budget']} ticks), not {view['borrowed']}", result)
    if view["slice_length"] != cpu["slice_ticks"]:
        fail(f"a forced epilogue's borrowed ticks are paid back once, from the next slice; the "
             f"looper's later slices should be whole ({cpu['slice_ticks']} ticks), its last was "
             f"{view['slice_length']}", result)
    got = values(report)
    if not got or got[0][0] > view["overruns"]:
        fail("sliceloop's own reading of the overrun counter does not match the kernel's", result)


def test_borrowed_ticks():
    """Each tick an epilogue takes is cut from the env's next slice."""
    arg, report, cpu, result = run_lab6("sliceborrow")
    root = root_of(report, result)
    expect_exit_ok(arg, root, "sliceborrow", result)
    k = 1 + arg % 2
    full = cpu["slice_ticks"]
    measured = [a for a, _ in values(report)]
    granted = [b for _, b in values(report)]
    if len(measured) != 5 or any(length != full - k for length in measured):
        fail(f"after epilogues that took {k} tick(s), each slice should be {full - k} ticks; "
             f"sliceborrow measured {measured}", result)
    if any(length != full - k for length in granted):
        fail(f"the kernel's slice_length for those slices was {granted}, not {full - k}", result)
    view = cpu_of(cpu, root["id"], result)
    problems = []
    if view["borrowed"] != k:
        problems.append(f"its last epilogue borrowed {view['borrowed']} ticks, not {k}")
    if view["epilogue_ticks"] != k * view["epilogues"]:
        problems.append(f"{view['epilogue_ticks']} ticks counted in {view['epilogues']} epilogues of {k} each")
    if view["overruns"]:
        problems.append(f"{view['overruns']} overruns of an epilogue within its budget")
    if view["prologues"] != view["epilogues"]:
        problems.append(f"{view['prologues']} prologues for {view['epilogues']} epilogues")
    if problems:
        fail("kernel counters: " + "; ".join(problems), result)


def test_slice_upcalls_preserve_registers():
    """Epilogue and prologue together return every register and flag to
    the interrupted code."""
    arg, report, cpu, result = run_lab6("sliceregs")
    root = root_of(report, result)
    expect_exit_ok(arg, root, "sliceregs", result)
    wanted = 3 + arg % 3
    view = cpu_of(cpu, root["id"], result)
    if view["epilogues"] < wanted or view["prologues"] < wanted:
        fail(f"sliceregs needs {wanted} slice ends through its upcalls; the kernel counted "
             f"{view['epilogues']} epilogues and {view['prologues']} prologues", result)


def test_directed_yield():
    """yield_to hands the rest of a slice over: N ping-pongs with no turn of
    the vector in between, and the partner never runs on its own."""
    arg, report, cpu, result = run_lab6("yieldping")
    root = root_of(report, result)
    expect_exit_ok(arg, root, "yieldping", result)
    rounds = 50 + (arg & 0x7F)
    got = values(report)
    if len(got) != 1:
        fail("yieldping never reported", result)
    turned, handoffs = got[0]
    if turned != 0 or handoffs != 2 * rounds:
        fail(f"{rounds} round trips by yield_to should be {2 * rounds} hand-offs with no turn of the "
             f"vector; the kernel counted {handoffs} hand-offs and {turned} turns", result)
    # Two children: an exofork child it never lets run, then the partner.
    kids = children(report, root["id"])
    if len(kids) != 2 or not all(destroyed_by(e, root) for e in kids):
        fail(f"yieldping's two children should be destroyed by the root: {[describe(e) for e in kids]}",
             result)
    view = cpu_of(cpu, kids[-1]["id"], result)
    if view["slices"] != 0 or view["handoffs"] != rounds:
        fail(f"the partner owns no slot: it should start no slice from the vector and be handed "
             f"{rounds}; it started {view['slices']} and was handed {view['handoffs']}", result)


def test_user_threads():
    """CPU-bound threads that never yield all make progress, preempted by
    the env's own epilogue; a mutex and condition variables pass data."""
    arg, report, cpu, result = run_lab6("threadcount")
    root = root_of(report, result)
    got = values(report)
    counters = 2 + arg % 3
    if len(got) != counters + 3:
        expect_exit_ok(arg, root, "threadcount", result)
        fail("threadcount did not report its counts", result)
    for i, (count, target) in enumerate(got[:counters]):
        if count != target:
            fail(f"thread {i} counted to {count}, not its target {target}", result)
    saw, _ = got[counters]
    if saw != counters:
        fail(f"only {saw} of {counters} CPU-bound threads saw another thread run while they did: "
             f"the epilogue and prologue should switch threads", result)
    total, want = got[counters + 1]
    if total != want:
        fail(f"the consumer summed {total}, not {want}", result)
    hammered, want = got[counters + 2]
    if hammered != want:
        fail(f"two threads each took a mutex {want // 2} times; the count they guarded is {hammered}",
             result)
    expect_exit_ok(arg, root, "threadcount", result)
    view = cpu_of(cpu, root["id"], result)
    if view["prologues"] < counters:
        fail(f"threads are switched at prologues; the kernel entered only {view['prologues']}", result)


def test_no_slot_no_run():
    """An env with no slots never runs, except for a slice handed to it."""
    arg, report, cpu, result = run_lab6("noslot")
    root = root_of(report, result)
    got = values(report)
    if len(got) == 2:
        (before, handed), (after, _) = got
        if before != 0:
            fail(f"an env with no slot counted {before} while the vector turned", result)
        if handed == 0:
            fail("the env handed a slice by yield_to did not run in it", result)
        if after != handed:
            fail(f"an env with no slot counted on ({handed} -> {after}) after its handed slice ended", result)
    expect_exit_ok(arg, root, "noslot", result)
    partner = children(report, root["id"])
    if len(partner) != 1 or not destroyed_by(partner[0], root):
        fail("noslot's child should be destroyed by the root", result)
    view = cpu_of(cpu, partner[0]["id"], result)
    if view["slices"] != 0 or view["handoffs"] != 1:
        fail(f"the slotless env should start no slice from the vector and be handed one; it started "
             f"{view['slices']} and was handed {view['handoffs']}", result)
