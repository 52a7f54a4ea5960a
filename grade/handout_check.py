#!/usr/bin/env python3
"""The proof that every lab's tests can fail: for each lab N, the generated
student handout must build and boot, score 0 on lab N's tests and full
marks on every earlier lab's tests. It must also hold nothing of a later
lab: no solution line of a later lab's regions, no later lab's tests,
definition or handout. The graded tree is made the way a course that lets
students keep their own code makes it (`make handout FROM=...`), carrying
a student's earlier-lab files forward: those of a student who solved
every earlier lab exactly as the reference does. `make test` runs this."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "handouts"
REGION = re.compile(r"^\s*(?://|#) BEGIN LAB (\d+).*?$(.*?)^\s*(?://|#) STUB LAB \1", re.M | re.S)
LATER_FILES = [("labs", "lab{}.json"), ("handouts", "lab{}.md"), ("grade", "test_lab{}.py")]


def solution_lines_of_later_labs(lab: int) -> dict[str, set[str]]:
    """For each reference file with regions of labs after `lab`: the lines
    of those solutions distinctive enough to recognise (long, and found
    nowhere in the file outside later labs' regions: a line an earlier
    lab's solution shares is rightly in the handout)."""
    found: dict[str, set[str]] = {}
    tracked = sh(["git", "ls-files"]).stdout.split()
    for rel in tracked:
        path = ROOT / rel
        if not path.is_file() or path.suffix not in (".cc", ".hh", ".S", ".py", ".sh"):
            continue
        text = path.read_text(errors="replace")
        outside = REGION.sub(lambda m: m.group(0) if int(m.group(1)) < lab else "", text)
        for m in REGION.finditer(text):
            if int(m.group(1)) <= lab:
                continue
            for line in m.group(2).splitlines():
                line = line.strip()
                if len(line) >= 24 and line not in outside:
                    found.setdefault(rel, set()).add(line)
    return found


def later_lab_leaks(lab: int, tree: Path) -> list[str]:
    problems = []
    for rel, lines in solution_lines_of_later_labs(lab).items():
        target = tree / rel
        if target.is_file():
            text = target.read_text(errors="replace")
            if leaked := [l for l in lines if l in text]:
                problems.append(f"lab {lab}: {rel} holds a later lab's solution line: {leaked[0]!r}")
    for folder, pattern in LATER_FILES:
        for path in (tree / folder).glob(pattern.format("*")):
            number = path.name.removeprefix("lab").removeprefix("test_lab").split(".")[0]
            if number.isdigit() and int(number) > lab:
                problems.append(f"lab {lab}: the handout has a later lab's {folder}/{path.name}")
    return problems


def sh(cmd: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)


def lab_scores(results: dict) -> dict[int, tuple[int, int]]:
    scores: dict[int, tuple[int, int]] = {}
    for t in results["tests"]:
        lab = int(t["number"].split(".")[0])
        got, top = scores.get(lab, (0, 0))
        scores[lab] = (got + t["score"], top + t["max_score"])
    return scores


def check(lab: int) -> list[str]:
    tree = OUT / f"lab{lab}"
    # A student's own files as they stand after lab N-1: earlier labs
    # solved, lab N and later still stubs (a file may hold regions of
    # several labs), no markers. The plain lab N handout is exactly that;
    # carrying from the reference would bring lab N's solutions along.
    student = OUT / f"lab{lab}-student"
    plain = sh(["make", "-s", "handout", f"LAB={lab}", f"OUT={student}", "EXTRA_HANDOUT_FLAGS=--force"])
    if plain.returncode:
        return [f"lab {lab}: generating the handout failed:\n{plain.stdout}"]
    gen = sh(["make", "-s", "handout", f"LAB={lab}", f"OUT={tree}", f"FROM={student}",
              "EXTRA_HANDOUT_FLAGS=--force"])
    if gen.returncode:
        return [f"lab {lab}: generating the handout failed:\n{gen.stdout}"]
    problems = later_lab_leaks(lab, tree)
    # Carry-forward took every earlier lab's file from the student's tree.
    sys.path.insert(0, str(ROOT / "grade"))
    from submission import editable_files
    earlier = editable_files(ROOT, lab - 1) if lab > 1 else []
    if earlier and not all(f in gen.stdout for f in earlier):
        problems.append(f"lab {lab}: carry-forward did not take all of {earlier}:\n{gen.stdout}")
    build = sh(["make", "-s", f"-j{os.cpu_count() or 2}", "all"], cwd=tree)
    if build.returncode:
        return [f"lab {lab}: the handout does not build:\n{build.stdout[-3000:]}"]
    student_test = sh(["make", "-n", "test"], cwd=tree)
    if student_test.returncode:
        problems.append(f"lab {lab}: `make test` does not work in the handout:\n"
                        f"{student_test.stdout[-1500:]}")
    for leftover in ("tools/handout", "grade/handout_check.py"):
        if (tree / leftover).exists():
            problems.append(f"lab {lab}: the handout contains graders-only {leftover}")
    marker = sh(["grep", "-rlE", "--exclude=*.md", r"^\s*(//|#) (BEGIN|STUB|END) LAB [0-9]+", "."],
                cwd=tree)
    left = marker.stdout.split()
    if left:
        problems.append(f"lab {lab}: markers left in: {left}")
    # "Boots": the same boot self-check the kit runs on the reference.
    boot = sh([sys.executable, "-c",
               "import sys; sys.path.insert(0, 'grade'); import harness; "
               "r = harness.run('handout-boot', {'test': 'boot', 'nonce': '0x5eed'}); "
               "r.expect_status(harness.EXIT_SUCCESS, 'boot'); print('booted')"], cwd=tree)
    if boot.returncode:
        problems.append(f"lab {lab}: the handout does not boot:\n{boot.stdout[-2000:]}")
    results_path = tree / "build" / "grade" / "results.json"
    graded = sh([sys.executable, "grade/run.py", f"--results={results_path}"]
                + [f"--lab={n}" for n in range(1, lab + 1)], cwd=tree)
    if not results_path.exists():
        return problems + [f"lab {lab}: grading the handout wrote no results:\n{graded.stdout[-3000:]}"]
    scores = lab_scores(json.loads(results_path.read_text()))
    for n in range(1, lab + 1):
        got, top = scores.get(n, (0, 0))
        want = 0 if n == lab else top
        verdict = "ok" if got == want and top > 0 else "WRONG"
        print(f"  lab {lab} handout, lab {n} tests: {got}/{top} (want {want}) {verdict}")
        if verdict != "ok":
            problems.append(f"lab {lab} handout scored {got}/{top} on lab {n}; want {want}")
    return problems


def main() -> int:
    labs = sorted(int(json.loads(p.read_text())["lab"]) for p in (ROOT / "labs").glob("lab*.json"))
    problems = []
    for lab in labs:
        print(f"handout check: lab {lab}", flush=True)
        problems += check(lab)
    for p in problems:
        print("FAIL " + p)
    print(f"handout check: {len(labs) - len({p.split(':')[0] for p in problems})}/{len(labs)} labs ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
