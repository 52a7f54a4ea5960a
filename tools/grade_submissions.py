#!/usr/bin/env python3
"""Grades a folder of student submissions for one lab:
`make grade-submissions LAB=N SUBMISSIONS=DIR [OUT=DIR]`.

Each subfolder of DIR is one student's tree (or a zip's or clone's single
wrapping folder around it), and each NAME.tar.gz a student's `make handin`
tarball (its MANIFEST.json hashes are checked and the verdict kept in
overlay.json). For each, the lab's editable files (labs/*.json
"files", labs 1..N) are laid over a fresh copy of lab N's generated
handout, so nothing else a student changed (tests, Makefile, grader) is
used, and `grade/run.py` grades lab N there. Output, under OUT
(build/submissions/labN by default):

  STUDENT/results.json   Gradescope format, as `make grade` writes it
  STUDENT/grade.log      the grader's console output
  STUDENT/logs/          QEMU and GDB logs of each test
  STUDENT/overlay.json   which files were taken from the submission
  gradebook.csv          one row per student: status, score, seconds, a column per test
  tests.csv              one row per student and test
  gradebook.html         one page, no server needed: the score distribution,
                         each test's pass rate, the slowest submissions and
                         the builds that failed

Submissions are graded -j at a time (default: one per core, each grading
run then using the cores left), each within --timeout seconds; every
QEMU, GDB and pytest a grading started is killed when it ends, times out
or the batch is interrupted (Ctrl-C). A student who already has a
results.json is skipped, so an interrupted run resumes where it stopped;
--regrade grades everyone again.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import csv
import hashlib
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "grade"))
from submission import overlay  # noqa: E402


HANDIN_SUFFIXES = (".tar.gz", ".tgz")


def handin_name(path: Path) -> str | None:
    """The student's name for a handin tarball, or None if path is not one."""
    for suffix in HANDIN_SUFFIXES:
        if path.is_file() and path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return None


def unpack(tarball: Path, dest: Path) -> str:
    """Unpacks a `make handin` tarball into dest, regular files only and
    none outside it, and checks them against its MANIFEST.json. Returns
    the verdict: "ok", "no manifest", or what differs."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if not member.isfile() or name.is_absolute() or ".." in name.parts:
                continue
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(tar.extractfile(member).read())
    manifest = dest / "MANIFEST.json"
    if not manifest.is_file():
        return "no manifest"
    wrong = []
    for entry in json.loads(manifest.read_text()).get("files", []):
        f = dest / entry["path"]
        if not f.is_file() or hashlib.sha256(f.read_bytes()).hexdigest() != entry["sha256"]:
            wrong.append(entry["path"])
    return "ok" if not wrong else "differs from its manifest: " + ", ".join(wrong)


class Running:
    """The process groups of the gradings under way, so that a timeout or
    an interrupt can end each one whole: run.py, pytest's workers, every
    QEMU and GDB."""

    def __init__(self):
        self.lock = threading.Lock()
        self.groups: set[int] = set()

    def run(self, cmd: list[str], cwd: Path, timeout: float, env: dict | None = None) -> tuple[str, bool]:
        """Runs cmd in a new process group; returns (output, timed_out)."""
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env)
        with self.lock:
            self.groups.add(proc.pid)
        try:
            out, _ = proc.communicate(timeout=timeout)
            return out.decode(errors="replace"), False
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            out, _ = proc.communicate()
            return out.decode(errors="replace"), True
        finally:
            kill_group(proc.pid)   # anything it left behind
            with self.lock:
                self.groups.discard(proc.pid)

    def kill_all(self) -> None:
        with self.lock:
            for pgid in list(self.groups):
                kill_group(pgid)


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


RUNNING = Running()


def build_env(out: Path) -> dict:
    """Every submission's tree is the same handout but for a few files: with
    ccache (one cache for the batch, keyed without the tree's path) only
    those are compiled again."""
    env = dict(os.environ)
    ccache = shutil.which("ccache")
    if ccache:
        # A cache already in use (make test's) serves as well as a new one.
        env.update(CCACHE=ccache, CCACHE_DIR=env.get("CCACHE_DIR") or str(out / ".ccache"),
                   CCACHE_NOHASHDIR="1", CCACHE_BASEDIR=str(out))
    return env


def grade_one(student: Path, pristine: Path, out: Path, labs: list[int], timeout: float,
              jobs: int = 1) -> str:
    """Grades one submission (a folder or a handin tarball) into out;
    returns its status."""
    manifest = None
    if handin_name(student):
        manifest = unpack(student, out / "unpacked")
        student = out / "unpacked"
    tree = out / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(pristine, tree, symlinks=True)
    taken = overlay(student, tree, max(labs))
    if manifest is not None:
        taken["manifest"] = manifest
    (out / "overlay.json").write_text(json.dumps(taken, indent=2) + "\n")
    results = out / "results.json"
    cmd = [sys.executable, "grade/run.py", f"--results={results.resolve()}", f"-j{jobs}"]
    cmd += [f"--lab={n}" for n in labs]
    log, timed_out = RUNNING.run(cmd, tree, timeout, build_env(out.parent))
    if timed_out:
        log += f"\ngrade-submissions: gave up after {timeout:.0f} s\n"
    (out / "grade.log").write_text(log)
    shutil.rmtree(out / "logs", ignore_errors=True)
    if (tree / "build" / "grade" / "logs").is_dir():
        shutil.move(str(tree / "build" / "grade" / "logs"), out / "logs")
    shutil.rmtree(tree, ignore_errors=True)   # a built tree is tens of MiB
    if not results.exists():
        return "timeout" if "gave up after" in log else "no_results"
    return status_of(json.loads(results.read_text()))


def status_of(data: dict) -> str:
    return "build_failed" if data.get("extra_data", {}).get("build_ok") is False else "graded"


Row = tuple[str, str, dict | None, float | None]   # student, status, results, seconds


def test_names_of(rows: list[Row]) -> list[str]:
    names: list[str] = []
    for _, _, data, _ in rows:
        for t in (data or {}).get("tests", []):
            if t["name"] not in names:
                names.append(t["name"])
    return names


def write_tables(out: Path, rows: list[Row]) -> None:
    test_names = test_names_of(rows)
    with open(out / "gradebook.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "status", "score", "max_score", "seconds"] + test_names)
        for student, status, data, seconds in rows:
            scores = {t["name"]: t["score"] for t in (data or {}).get("tests", [])}
            w.writerow([student, status, (data or {}).get("score", 0),
                        (data or {}).get("extra_data", {}).get("max_score", ""),
                        "" if seconds is None else f"{seconds:.1f}"]
                       + [scores.get(n, "") for n in test_names])
    with open(out / "tests.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "number", "test", "score", "max_score", "status"])
        for student, _, data, _ in rows:
            for t in (data or {}).get("tests", []):
                w.writerow([student, t["number"], t["name"], t["score"], t["max_score"],
                            t["status"]])
    write_report(out, rows, test_names)


def write_report(out: Path, rows: list[Row], test_names: list[str]) -> None:
    """gradebook.html: one self-contained page (inline CSS, no scripts)."""
    e = html.escape
    graded = [(s, d) for s, _, d, _ in rows if d]
    max_score = max((float(d.get("extra_data", {}).get("max_score", 0) or 0) for _, d in graded), default=0)
    # The distribution: ten bins of the maximum score.
    bins = [0] * 10
    for _, d in graded:
        frac = float(d["score"]) / max_score if max_score else 0
        bins[min(9, int(frac * 10))] += 1
    tallest = max(bins) or 1
    bars = "".join(
        f'<div class="bar"><div class="fill" style="height:{100 * n / tallest:.0f}%"></div>'
        f'<div class="n">{n}</div><div class="label">{10 * i}–{10 * i + 10 if i < 9 else 100}%</div></div>'
        for i, n in enumerate(bins))
    rates = []
    for name in test_names:
        ran = [t for _, d in graded for t in d.get("tests", []) if t["name"] == name]
        passed = sum(1 for t in ran if t["score"] == t["max_score"])
        pct = 100 * passed / len(ran) if ran else 0
        rates.append(f'<tr><td>{e(name)}</td><td class="num">{passed}/{len(ran)}</td>'
                     f'<td><div class="rate"><div style="width:{pct:.0f}%"></div></div></td></tr>')
    timed = sorted(((sec, s) for s, _, _, sec in rows if sec is not None), reverse=True)[:10]
    slow = "".join(f'<tr><td>{e(s)}</td><td class="num">{sec:.1f} s</td></tr>' for sec, s in timed)
    failed = [(s, st) for s, st, _, _ in rows if st not in ("graded",)]
    broken = "".join(f"<li>{e(s)}: {e(st)}</li>" for s, st in failed) or "<li>none</li>"
    scores = [float(d["score"]) for _, d in graded]
    mean = sum(scores) / len(scores) if scores else 0
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{e(out.name)}: grades</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 60em; }}
.hist {{ display: flex; align-items: flex-end; height: 12em; gap: 4px; margin-bottom: 3em; }}
.bar {{ flex: 1; height: 100%; display: flex; flex-direction: column; justify-content: flex-end;
        position: relative; }}
.fill {{ background: #4a7ab5; }}
.n {{ text-align: center; font-size: 80%; }}
.label {{ position: absolute; bottom: -1.6em; width: 100%; text-align: center; font-size: 70%; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 2px 8px; text-align: left; }}
.num {{ text-align: right; }}
.rate {{ width: 12em; background: #eee; }} .rate div {{ background: #5a9; height: 1em; }}
</style></head><body>
<h1>{e(out.name)}: {len(rows)} submissions</h1>
<p>{len(graded)} graded; mean {mean:.1f} of {max_score:g}; {len(failed)} not graded or failed to build.
Generated {time.strftime("%Y-%m-%d %H:%M")}; the numbers are in gradebook.csv and tests.csv.</p>
<h2>Score distribution</h2><div class="hist">{bars}</div>
<h2>Tests: full marks</h2><table>{"".join(rates) or "<tr><td>no tests</td></tr>"}</table>
<h2>Slowest submissions (wall time)</h2><table>{slow or "<tr><td>none timed</td></tr>"}</table>
<h2>Build failures and other problems</h2><ul>{broken}</ul>
</body></html>
"""
    (out / "gradebook.html").write_text(page)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--submissions", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cumulative", action="store_true",
                        help="also grade every earlier lab's tests")
    parser.add_argument("--regrade", action="store_true", help="grade everyone again")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds one submission may take (default 1200)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: the core count)")
    args = parser.parse_args()
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    out = (args.out or ROOT / "build" / "submissions" / f"lab{args.lab}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    labs = list(range(1, args.lab + 1)) if args.cumulative else [args.lab]

    # The tree every submission is laid over: this lab's handout, fresh.
    pristine = out / ".pristine"
    gen = subprocess.run(["make", "-s", "-C", str(ROOT), "handout", f"LAB={args.lab}",
                          f"OUT={pristine}", "EXTRA_HANDOUT_FLAGS=--force"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if gen.returncode:
        print(gen.stdout, file=sys.stderr)
        return 2
    shutil.rmtree(pristine / "build", ignore_errors=True)

    students = sorted(p for p in args.submissions.iterdir()
                      if (p.is_dir() or handin_name(p)) and not p.name.startswith("."))
    # The cores go to submissions first; each grading run gets the rest.
    jobs = max(1, min(args.jobs, len(students) or 1))
    inner = max(1, (os.cpu_count() or 1) // jobs)
    done = [0]
    print_lock = threading.Lock()

    def grade(student: Path) -> Row:
        name = handin_name(student) or student.name
        dest = out / name
        results = dest / "results.json"
        seconds = None
        if results.exists() and not args.regrade:
            status = status_of(json.loads(results.read_text())) + " (earlier run)"
        else:
            dest.mkdir(exist_ok=True)
            results.unlink(missing_ok=True)
            started = time.monotonic()
            status = grade_one(student, pristine, dest, labs, args.timeout, inner)
            seconds = time.monotonic() - started
        data = json.loads(results.read_text()) if results.exists() else None
        score = f"{data['score']}/{data['extra_data']['max_score']}" if data else "-"
        with print_lock:
            done[0] += 1
            took = f", {seconds:.1f} s" if seconds is not None else ""
            print(f"[{done[0]}/{len(students)}] {name}: {score} ({status}{took})", flush=True)
        return name, status.split(" ")[0], data, seconds

    # Ctrl-C, kill and a closed terminal all stop the batch the same way.
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        rows = list(pool.map(grade, students))
    except KeyboardInterrupt:
        print("grade-submissions: interrupted; stopping every grading under way", file=sys.stderr)
        pool.shutdown(wait=False, cancel_futures=True)
        RUNNING.kill_all()
        return 130
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        RUNNING.kill_all()
    print(f"{len(students)} submissions in {time.monotonic() - started:.1f} s, {jobs} at a time")
    write_tables(out, rows)
    print(f"gradebook: {out / 'gradebook.csv'}; per test: {out / 'tests.csv'}; "
          f"report: {out / 'gradebook.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
