#!/usr/bin/env python3
"""The mutation check: every likely student mistake must lose points.

For each mutant in grade/mutants.py this applies its one edit to a copy of
the reference tree (build/mutants/tree, synced from the tree this file is
in; one copy for every mutant, so make recompiles only the mutated file),
builds, grades the mutant's lab with grade/run.py, runs the host unit
tests, and restores the file. A mutant is caught when some autograder test
scores less than full marks. Unit tests are reported separately: they are
not graded yet.

Verdicts (see grade/mutants.py for known_gap and random):
  caught              an autograder test lost points
  expected survivor   not caught, and marked known_gap
  SURVIVED            not caught, not marked: a test gap            (fails)
  STALE GAP           caught, but still marked known_gap            (fails)
  ERROR               the edit does not build, or grading broke     (fails)
  caught/survived (random)   either is fine; the catch is luck

Before the mutants, the unmutated copy must build, pass the unit tests and
score full marks, or the run stops: otherwise every mutant looks caught.
`make mutants [LAB=N] [MUTANT=ID]` runs this.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

GRADE = Path(__file__).resolve().parent
ROOT = GRADE.parent
WORK = ROOT / "build" / "mutants"
TREE = WORK / "tree"
LOGS = WORK / "logs"
REPORT = WORK / "report.json"

sys.path.insert(0, str(GRADE))
from mutants import MUTANTS  # noqa: E402

MIN_PER_REGION = 3
KEYS = {"id", "lab", "file", "mistake", "find", "replace", "known_gap", "random"}
REQUIRED = {"id", "lab", "file", "mistake", "find", "replace"}
MARKER = re.compile(r"^[ \t]*(?://|#) (BEGIN|STUB|END) LAB (\d+)\b.*$", re.M)
# Generous: a caught mutant may hang tests until their own timeouts.
GRADE_TIMEOUT = 1800
UNIT_TIMEOUT = 120


class ListError(Exception):
    pass


# ------------------------------------------------------------ the list

def solution_regions(text: str) -> list[tuple[int, int, int, int]]:
    """(lab, first line, start, end) of each solution part: BEGIN to STUB."""
    regions, open_at = [], None
    for m in MARKER.finditer(text):
        kind, lab = m.group(1), int(m.group(2))
        if kind == "BEGIN":
            open_at = (lab, text.count("\n", 0, m.start()) + 1, m.end() + 1)
        elif kind == "STUB" and open_at and open_at[0] == lab:
            regions.append((lab, open_at[1], open_at[2], m.start()))
            open_at = None
    return regions


def lab_files(lab: int) -> list[str]:
    path = ROOT / "labs" / f"lab{lab}.json"
    return json.loads(path.read_text())["files"] if path.exists() else []


def validate(mutants: list[dict]) -> list[str]:
    """Everything that makes the list untrue of the code; empty if it is true."""
    problems, seen = [], set()
    per_region: dict[tuple[str, int, int], int] = {}
    for m in mutants:
        name = m.get("id", "?")
        if missing := REQUIRED - m.keys():
            problems.append(f"{name}: missing {sorted(missing)}")
            continue
        if extra := m.keys() - KEYS:
            problems.append(f"{name}: unknown keys {sorted(extra)}")
        if name in seen:
            problems.append(f"{name}: duplicate id")
        seen.add(name)
        if m["find"] == m["replace"]:
            problems.append(f"{name}: the replacement changes nothing")
        if m["file"] not in lab_files(m["lab"]):
            problems.append(f"{name}: {m['file']} is not a lab {m['lab']} file (labs/lab{m['lab']}.json)")
        path = ROOT / m["file"]
        if not path.is_file():
            problems.append(f"{name}: {m['file']} does not exist")
            continue
        text = path.read_text()
        count = text.count(m["find"])
        if count != 1:
            problems.append(f"{name}: the text to replace occurs {count} times in {m['file']}, "
                            f"not once:\n    {m['find']!r}")
            continue
        start = text.index(m["find"])
        end = start + len(m["find"])
        inside = [r for r in solution_regions(text) if r[2] <= start and end <= r[3]]
        if not inside or inside[0][0] != m["lab"]:
            problems.append(f"{name}: the text is not inside a lab {m['lab']} solution "
                            f"region of {m['file']}")
            continue
        key = (m["file"], m["lab"], inside[0][1])
        per_region[key] = per_region.get(key, 0) + 1
    # Every region of every lab the list covers needs its mistakes.
    for lab in sorted({m["lab"] for m in mutants if "lab" in m}):
        for f in lab_files(lab):
            for r_lab, line, _, _ in solution_regions((ROOT / f).read_text()):
                n = per_region.get((f, r_lab, line), 0)
                if r_lab == lab and n < MIN_PER_REGION:
                    problems.append(f"{f}:{line}: the lab {lab} region has {n} mutants; "
                                    f"want at least {MIN_PER_REGION}")
    return problems


# ------------------------------------------------------------ the copy

def skipped(rel: Path) -> bool:
    top = rel.parts[0]
    return top in ("build", ".git") or "__pycache__" in rel.parts or rel.suffix == ".pyc"


def sync_tree() -> int:
    """Makes TREE's sources byte-identical to ROOT's, keeping TREE/build, so
    a rerun rebuilds only what changed. Returns how many files it wrote."""
    TREE.mkdir(parents=True, exist_ok=True)
    wanted, written = set(), 0
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel_dir = Path(dirpath).relative_to(ROOT)
        dirnames[:] = [d for d in dirnames if not skipped(rel_dir / d)]
        for d in dirnames:
            wanted.add(rel_dir / d)
        for f in filenames:
            rel = rel_dir / f
            if skipped(rel):
                continue
            wanted.add(rel)
            src, dst = ROOT / rel, TREE / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_symlink():
                if not dst.is_symlink() or os.readlink(dst) != os.readlink(src):
                    if dst.exists() or dst.is_symlink():
                        dst.unlink()
                    os.symlink(os.readlink(src), dst)
                    written += 1
                continue
            data = src.read_bytes()
            if dst.is_symlink() or not dst.is_file() or dst.read_bytes() != data:
                if dst.is_symlink():
                    dst.unlink()
                # A plain write: a fresh mtime makes make rebuild what uses it.
                dst.write_bytes(data)
                shutil.copymode(src, dst)
                written += 1
    for dirpath, dirnames, filenames in os.walk(TREE, topdown=False):
        rel_dir = Path(dirpath).relative_to(TREE)
        if rel_dir.parts and rel_dir.parts[0] == "build":
            continue
        for name in filenames + dirnames:
            rel = rel_dir / name
            if rel.parts[0] == "build" or rel in wanted or skipped(rel):
                continue
            p = TREE / rel
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
    return written


def object_files(rel: str) -> list[Path]:
    return [TREE / "build" / kind / f"{rel}.o" for kind in ("kern-obj", "user-obj", "host-obj")]


def write_source(rel: str, data: bytes) -> None:
    """Writes a source file in TREE with an mtime newer than its objects, so
    make rebuilds them even on a filesystem with coarse timestamps."""
    path = TREE / rel
    path.write_bytes(data)
    newest = max((o.stat().st_mtime_ns for o in object_files(rel) if o.exists()), default=0)
    stamp = max(time.time_ns(), newest + 10_000_000)
    os.utime(path, ns=(stamp, stamp))


# ------------------------------------------------------------ steps

def python() -> str:
    out = subprocess.run([str(ROOT / "tools" / "find-python.sh")], capture_output=True, text=True)
    return out.stdout.strip() or sys.executable


def run(cmd: list[str], timeout: float) -> tuple[int | None, str]:
    """Runs cmd in TREE; (exit status or None on timeout, combined output)."""
    try:
        p = subprocess.run(cmd, cwd=TREE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=timeout, start_new_session=True)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out + f"\n(timed out after {timeout:.0f} s)"


def build(jobs: int) -> tuple[bool, str]:
    code, out = run(["make", "-s", f"-j{jobs}", "all", "build/unit-tests"], timeout=900)
    return code == 0, out


def unit_tests(json_path: Path) -> dict:
    """Runs the GoogleTest binary; status pass, fail, crash or timeout."""
    json_path.unlink(missing_ok=True)
    code, out = run([str(TREE / "build" / "unit-tests"), f"--gtest_output=json:{json_path}",
                     "--gtest_brief=1"], timeout=UNIT_TIMEOUT)
    failed = []
    if json_path.exists():
        for suite in json.loads(json_path.read_text()).get("testsuites", []):
            for t in suite.get("testsuite", []):
                if t.get("failures"):
                    failed.append(f"{suite['name']}.{t['name']}")
    if code is None:
        status = "timeout"
    elif code < 0 or (code != 0 and not failed):
        status = "crash"   # a signal, or died before writing its report
    else:
        status = "fail" if failed else "pass"
    return {"status": status, "failed": failed, "exit": code, "output": out}


def grade(py: str, labs: list[int], results: Path, jobs: int) -> tuple[dict | None, str]:
    results.unlink(missing_ok=True)
    cmd = [py, "grade/run.py", "--results", str(results), "-j", str(jobs)]
    cmd += [f"--lab={n}" for n in labs]
    code, out = run(cmd, timeout=GRADE_TIMEOUT)
    if not results.exists():
        return None, out
    return json.loads(results.read_text()), out


def short(name: str) -> str:
    return re.sub(r"^Lab \d+: ", "", name)


def lost_points(data: dict) -> list[dict]:
    return [{"test": short(t["name"]), "score": t["score"], "max_score": t["max_score"]}
            for t in data["tests"] if t["score"] < t["max_score"]]


# ------------------------------------------------------------ mutants

def verdict(m: dict, caught: list[dict]) -> tuple[str, bool]:
    """(verdict, whether it fails the check)."""
    if m.get("random"):
        return ("caught (random)" if caught else "survived (random)"), False
    if caught:
        return ("STALE GAP", True) if m.get("known_gap") else ("caught", False)
    return ("expected survivor", False) if m.get("known_gap") else ("SURVIVED", True)


def unit_summary(unit: dict | None, unit_tested: bool) -> str:
    if unit is None:
        return "-"
    if unit["status"] == "pass":
        return "pass" if unit_tested else "- (file not unit-tested)"
    if unit["status"] in ("crash", "timeout"):
        return f"CAUGHT ({unit['status']})"
    names = unit["failed"]
    more = f" +{len(names) - 2} more" if len(names) > 2 else ""
    return f"CAUGHT: {', '.join(names[:2])}{more}"


def ag_summary(result: dict) -> str:
    if result["verdict"] == "ERROR":
        return "ERROR: " + result["error"]
    caught = result["caught_by"]
    if not caught:
        return result["verdict"]
    names = [f"{c['test']} {c['score']}/{c['max_score']}" for c in caught]
    more = f" +{len(names) - 3} more" if len(names) > 3 else ""
    return f"{result['verdict']}: {', '.join(names[:3])}{more}"


def run_mutant(m: dict, py: str, jobs: int) -> dict:
    started = time.monotonic()
    rel = m["file"]
    original = (TREE / rel).read_bytes()
    text = original.decode()
    # validate() checked ROOT; TREE was just synced from it, but be sure.
    if text.count(m["find"]) != 1:
        raise ListError(f"{m['id']}: the text to replace is not in the copy exactly once")
    result = {"id": m["id"], "lab": m["lab"], "file": rel, "mistake": m["mistake"],
              "known_gap": m.get("known_gap"), "random": m.get("random"),
              "caught_by": [], "unit": None, "error": None}
    log = [f"mutant {m['id']} (lab {m['lab']}, {rel}): {m['mistake']}\n"]
    try:
        write_source(rel, text.replace(m["find"], m["replace"], 1).encode())
        ok, out = build(jobs)
        log.append("--- build\n" + out)
        if not ok:
            errors = [l.strip() for l in out.splitlines() if "error" in l.lower()]
            result["error"] = "does not build: " + (errors[0] if errors else out.strip()[-200:])
        else:
            unit = unit_tests(WORK / "unit.json")
            log.append(f"--- unit tests ({unit['status']})\n" + unit["output"])
            result["unit"] = {k: unit[k] for k in ("status", "failed", "exit")}
            data, out = grade(py, [m["lab"]], WORK / "results" / f"{m['id']}.json", jobs)
            log.append("--- grade\n" + out)
            if data is None:
                result["error"] = "grading wrote no results (see the log)"
            elif not data["extra_data"].get("build_ok", True):
                result["error"] = "the grader's build failed"
            else:
                result["caught_by"] = lost_points(data)
    finally:
        write_source(rel, original)
    unit_tested = any(o.exists() for o in object_files(rel)[2:])
    if result["error"]:
        result["verdict"], result["fails"] = "ERROR", True
    else:
        result["verdict"], result["fails"] = verdict(m, result["caught_by"])
    result["unit_summary"] = unit_summary(result["unit"], unit_tested)
    result["seconds"] = round(time.monotonic() - started, 1)
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / f"{m['id']}.log").write_text("\n".join(log))
    return result


def baseline(py: str, labs: list[int], jobs: int) -> list[str]:
    """The unmutated copy must build, pass the unit tests and score full marks."""
    ok, out = build(jobs)
    if not ok:
        return ["the reference does not build:\n" + out[-3000:]]
    problems = []
    unit = unit_tests(WORK / "unit.json")
    if unit["status"] != "pass":
        problems.append(f"the reference fails its unit tests ({unit['status']}): "
                        f"{unit['failed'][:5]}")
    data, out = grade(py, labs, WORK / "results" / "baseline.json", jobs)
    if data is None:
        problems.append("grading the reference wrote no results:\n" + out[-3000:])
    elif lost := lost_points(data):
        problems.append("the reference loses points (flaky test or slow machine? try "
                        "EXOKIT_TIMEOUT_SCALE=2): "
                        + ", ".join(f"{c['test']} {c['score']}/{c['max_score']}" for c in lost))
    return problems


def print_table(results: list[dict]) -> None:
    width = max(len(r["id"]) for r in results)
    print(f"\n{'mutant':<{width}}  lab  {'autograder':<58}  unit tests")
    for r in results:
        print(f"{r['id']:<{width}}  {r['lab']:>3}  {ag_summary(r):<58}  {r['unit_summary']}")


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m {seconds % 60:04.1f}s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", type=int, action="append", default=[],
                        help="only this lab's mutants (repeatable)")
    parser.add_argument("--id", action="append", default=[],
                        help="only this mutant (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("EXOKIT_JOBS", "2")),
                        help="parallel QEMU runs per grading, and make -j (default 2)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the list is true of the code")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args()
    started = time.monotonic()

    problems = validate(MUTANTS)
    if problems:
        print("mutation list: the list is not true of the code:")
        for p in problems:
            print("  " + p)
        return 2
    chosen = [m for m in MUTANTS if (not args.lab or m["lab"] in args.lab)
              and (not args.id or m["id"] in args.id)]
    unknown = set(args.id) - {m["id"] for m in MUTANTS}
    if unknown:
        print(f"mutation check: no such mutant {sorted(unknown)}")
        return 2
    if args.list or args.check:
        for m in chosen if args.list else []:
            mark = " [known gap]" if m.get("known_gap") else " [random]" if m.get("random") else ""
            print(f"{m['id']:<36} lab {m['lab']}  {m['mistake']}{mark}")
        print(f"mutation list: {len(MUTANTS)} mutants, all true of the code")
        return 0
    if not chosen:
        print("mutation check: no mutants selected")
        return 2

    WORK.mkdir(parents=True, exist_ok=True)
    lock = open(WORK / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"mutation check: another run is using {WORK}")
        return 2

    py = python()
    labs = sorted({m["lab"] for m in chosen})
    written = sync_tree()
    print(f"mutation check: {len(chosen)} mutants, labs {labs}, -j {args.jobs}; "
          f"copy in {TREE.relative_to(ROOT)} ({written} files updated)", flush=True)
    problems = baseline(py, labs, args.jobs)
    if problems:
        for p in problems:
            print("BASELINE " + p)
        return 2
    print(f"baseline: the reference builds, passes its unit tests and scores full marks "
          f"({time.monotonic() - started:.0f} s)", flush=True)

    results = []
    for i, m in enumerate(chosen, 1):
        r = run_mutant(m, py, args.jobs)
        results.append(r)
        print(f"[{i:>2}/{len(chosen)}] {m['id']:<36} {ag_summary(r)}  | unit: {r['unit_summary']}"
              f"  ({r['seconds']} s)", flush=True)

    print_table(results)
    failing = [r for r in results if r["fails"]]
    order = ["caught", "expected survivor", "caught (random)", "survived (random)",
             "SURVIVED", "STALE GAP", "ERROR"]
    counts = {v: n for v in order if (n := sum(r["verdict"] == v for r in results))}
    unit_only = [r["id"] for r in results if not r["caught_by"] and r["unit"]
                 and r["unit"]["status"] != "pass"]
    elapsed = time.monotonic() - started
    print("\n" + ", ".join(f"{n} {v}" for v, n in counts.items()))
    if unit_only:
        print(f"caught only by the (ungraded) unit tests: {len(unit_only)}")
    for r in failing:
        why = {"SURVIVED": "no test lost points; add a test, or mark known_gap",
               "STALE GAP": "now caught: remove its known_gap mark",
               "ERROR": r["error"]}[r["verdict"]]
        print(f"FAIL {r['id']}: {why}")
    print(f"total wall time: {minutes(elapsed)}; logs in {LOGS.relative_to(ROOT)}/, "
          f"report in {REPORT.relative_to(ROOT)}")
    REPORT.write_text(json.dumps({"seconds": round(elapsed, 1), "results": results}, indent=2) + "\n")
    return 1 if failing else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ListError as e:
        print(f"mutation list: {e}")
        sys.exit(2)
