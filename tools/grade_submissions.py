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
  gradebook.csv          one row per student: status, score, a column per test
  tests.csv              one row per student and test

A student who already has a results.json is skipped, so an interrupted run
resumes where it stopped; --regrade grades everyone again.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
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


def grade_one(student: Path, pristine: Path, out: Path, labs: list[int], timeout: float) -> str:
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
    cmd = [sys.executable, "grade/run.py", f"--results={results.resolve()}"]
    cmd += [f"--lab={n}" for n in labs]
    try:
        proc = subprocess.run(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout)
        log = proc.stdout
    except subprocess.TimeoutExpired as e:
        log = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
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


def write_tables(out: Path, rows: list[tuple[str, str, dict | None]]) -> None:
    test_names: list[str] = []
    for _, _, data in rows:
        for t in (data or {}).get("tests", []):
            if t["name"] not in test_names:
                test_names.append(t["name"])
    with open(out / "gradebook.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "status", "score", "max_score"] + test_names)
        for student, status, data in rows:
            scores = {t["name"]: t["score"] for t in (data or {}).get("tests", [])}
            w.writerow([student, status, (data or {}).get("score", 0),
                        (data or {}).get("extra_data", {}).get("max_score", "")]
                       + [scores.get(n, "") for n in test_names])
    with open(out / "tests.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "number", "test", "score", "max_score", "status"])
        for student, _, data in rows:
            for t in (data or {}).get("tests", []):
                w.writerow([student, t["number"], t["name"], t["score"], t["max_score"],
                            t["status"]])


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
    rows = []
    for i, student in enumerate(students, 1):
        name = handin_name(student) or student.name
        dest = out / name
        results = dest / "results.json"
        if results.exists() and not args.regrade:
            status = status_of(json.loads(results.read_text())) + " (earlier run)"
        else:
            dest.mkdir(exist_ok=True)
            results.unlink(missing_ok=True)
            status = grade_one(student, pristine, dest, labs, args.timeout)
        data = json.loads(results.read_text()) if results.exists() else None
        score = f"{data['score']}/{data['extra_data']['max_score']}" if data else "-"
        print(f"[{i}/{len(students)}] {name}: {score} ({status})", flush=True)
        rows.append((name, status.split(" ")[0], data))
    write_tables(out, rows)
    print(f"gradebook: {out / 'gradebook.csv'}; per test: {out / 'tests.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
