"""The autograder's pytest plugin: builds once, gives each test its lab and
points from labs/*.json, and writes a Gradescope results.json plus a
per-test table at the end."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from harness import BUILD, ROOT, SAN

RESULTS_DIR = BUILD / "grade"
# Self-checks of the kit, not graded: run only with --kit (`make test`).
KIT_MODULES = ("test_kit.py", "test_fuzz.py")
# Per-test outcomes, gathered in the controller (xdist sends reports there).
_reports: dict[str, dict] = {}
BUILD_STATUS = RESULTS_DIR / "build-status.json"
# Set by the Gradescope runner when an upload held none of the lab's files:
# every test fails with this one reason instead of grading the bare handout.
NO_SUBMISSION = os.environ.get("EXOKIT_NO_SUBMISSION", "")


def load_labs() -> dict[int, dict]:
    labs = {}
    for path in sorted((ROOT / "labs").glob("lab*.json")):
        lab = json.loads(path.read_text())
        labs[int(lab["lab"])] = lab
    return labs


def pytest_addoption(parser):
    parser.addoption("--lab", action="append", type=int, default=[],
                     help="grade only this lab (repeatable); default: every lab")
    parser.addoption("--kit", action="store_true",
                     help="also run the kit's own self-checks (KIT_MODULES)")
    parser.addoption("--results", default=str(RESULTS_DIR / "results.json"),
                     help="where to write the Gradescope results.json")


def pytest_configure(config):
    config.addinivalue_line("markers", "lab(n): the lab a test grades")
    config.addinivalue_line("markers", "harness_only: a kit check of the harness itself, "
                            "the same on any kernel; left out when grading the sanitizer build")
    # Build once, in the controller, before any worker starts. A failed
    # build is recorded, not raised: each test then fails with its errors.
    if hasattr(config, "workerinput"):
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if NO_SUBMISSION:
        BUILD_STATUS.write_text(json.dumps({"ok": False, "output": NO_SUBMISSION, "seconds": 0}))
        return
    started = time.monotonic()
    # EXOKIT_MAKE_ARGS: how the build being graded is made (`make
    # cross-check` grades build/cross, made with CROSS forced on).
    make_args = (["SAN=1"] if SAN else []) + os.environ.get("EXOKIT_MAKE_ARGS", "").split()
    proc = subprocess.run(["make", "-s", f"-j{os.cpu_count() or 2}", "-C", str(ROOT), "all"] + make_args,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    BUILD_STATUS.write_text(json.dumps({
        "ok": proc.returncode == 0, "output": proc.stdout[-6000:],
        "seconds": round(time.monotonic() - started, 1)}))
    # The host unit tests build on their own: a student's file that breaks
    # them fails the unit items, not the kernel's tests.
    from unit_tests import UNIT_BINARY, UNIT_BUILD_STATUS
    proc = subprocess.run(["make", "-s", "-C", str(ROOT), str(UNIT_BINARY.relative_to(ROOT))] + make_args,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    UNIT_BUILD_STATUS.write_text(json.dumps({"ok": proc.returncode == 0,
                                             "output": proc.stdout[-6000:]}))


@pytest.fixture(autouse=True)
def kernel_built():
    status = json.loads(BUILD_STATUS.read_text())
    if NO_SUBMISSION:
        raise AssertionError(NO_SUBMISSION)
    if not status["ok"]:
        raise AssertionError("the kernel did not build:\n" + status["output"])


def pytest_collection_modifyitems(session, config, items):
    labs = load_labs()
    from submission import basename_collisions
    every_file = [f for lab in labs.values() for f in lab["files"]]
    if clash := basename_collisions(every_file):
        raise pytest.UsageError(f"labs/*.json: files share a name, so a flat upload "
                                f"cannot be matched: {clash}")
    points = {}
    for number, lab in labs.items():
        for test, pts in lab["tests"].items():
            points[(number, test)] = pts
    wanted = set(config.getoption("--lab")) or set(labs)
    # A parametrized test shares its points among its cases.
    cases: dict[str, int] = {}
    for item in items:
        cases[item.nodeid.split("[")[0]] = cases.get(item.nodeid.split("[")[0], 0) + 1
    selected, deselected, seen = [], [], set()
    for item in items:
        module = Path(str(item.fspath)).name
        if module in KIT_MODULES:
            lab, pts = 0, 0
            # make test runs the kit twice (normal and sanitizer kernels);
            # the harness's own checks need only one of them.
            keep = config.getoption("--kit") and not (SAN and item.get_closest_marker("harness_only"))
        else:
            lab = int(module.removeprefix("test_lab").removesuffix(".py"))
            if (lab, item.originalname) not in points:
                raise pytest.UsageError(
                    f"{item.nodeid} has no points in labs/lab{lab}.json")
            share = points[(lab, item.originalname)] / cases[item.nodeid.split("[")[0]]
            pts = int(share) if share == int(share) else round(share, 2)
            seen.add((lab, item.originalname))
            keep = lab in wanted
        item.user_properties += [("lab", lab), ("points", pts)]
        (selected if keep else deselected).append(item)
    missing = set(points) - seen
    if missing:
        raise pytest.UsageError(f"labs/*.json names tests that do not exist: {sorted(missing)}")
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = selected


def pytest_runtest_logreport(report):
    # Runs in the controller for every phase of every test, workers included.
    props = dict(report.user_properties)
    entry = _reports.setdefault(report.nodeid, {
        "lab": props.get("lab", 0), "max_score": props.get("points", 0),
        "passed": True, "output": "", "seconds": 0.0})
    entry["seconds"] += report.duration
    if report.failed or (report.skipped and report.when == "call"):
        entry["passed"] = False
        text = report.longreprtext
        # The failure message, not pytest's traceback of our own helpers.
        marker = text.rfind("E   ")
        if "GradeFailure: " in text or "AssertionError: " in text:
            lines = [l[4:].strip() for l in text.splitlines() if l.startswith("E   ")]
            text = "\n".join(lines).replace("harness.GradeFailure: ", "") or text
        elif marker >= 0:
            text = text[marker:]
        entry["output"] += f"[{report.when}] {text}\n"


def results() -> dict:
    labs = load_labs()
    tests, score, max_score = [], 0, 0
    for nodeid, r in sorted(_reports.items(),
                            key=lambda kv: (kv[1]["lab"], kv[0])):
        earned = r["max_score"] if r["passed"] else 0
        score += earned
        max_score += r["max_score"]
        name = nodeid.split("::")[-1]
        title = labs.get(r["lab"], {}).get("title", "kit self-check")
        tests.append({
            "name": f"Lab {r['lab']}: {name}" if r["lab"] else f"Kit: {name}",
            "number": f"{r['lab']}.{len([t for t in tests if t['lab'] == r['lab']]) + 1}",
            "score": earned, "max_score": r["max_score"],
            "status": "passed" if r["passed"] else "failed",
            "output": r["output"] or "passed",
            "extra_data": {"nodeid": nodeid, "lab_title": title,
                           "seconds": round(r["seconds"], 2)},
            "lab": r["lab"],
        })
    for t in tests:
        t.pop("lab")
    build_ok = json.loads(BUILD_STATUS.read_text())["ok"] if BUILD_STATUS.exists() else None
    data = {"score": score, "tests": tests, "output_format": "text",
            "extra_data": {"max_score": max_score, "build_ok": build_ok}}
    if NO_SUBMISSION:
        data["output"] = NO_SUBMISSION
    return data


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return
    data = results()
    path = Path(session.config.getoption("--results"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)   # never leave a half-written file behind
    session.config._exokit_results = (data, path)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not hasattr(config, "_exokit_results"):
        return
    data, path = config._exokit_results
    tr = terminalreporter
    tr.section("ExoKit grade")
    for t in data["tests"]:
        tr.write_line(f"  {t['status'].upper():6}  {t['score']:>3}/{t['max_score']:<3}  {t['name']}")
        if t["status"] == "failed":
            for line in t["output"].strip().splitlines()[:12]:
                tr.write_line(f"            | {line}")
    tr.write_line(f"Score: {data['score']}/{data['extra_data']['max_score']}")
