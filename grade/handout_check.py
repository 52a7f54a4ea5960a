#!/usr/bin/env python3
"""The proof that every lab's tests can fail: for each lab N, the generated
student handout must build and boot, score 0 on lab N's tests and full
marks on every earlier lab's tests. `make test` runs this."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "handouts"


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
    gen = sh(["make", "-s", "handout", f"LAB={lab}", f"OUT={tree}",
              "EXTRA_HANDOUT_FLAGS=--force"])
    if gen.returncode:
        return [f"lab {lab}: generating the handout failed:\n{gen.stdout}"]
    build = sh(["make", "-s", "all"], cwd=tree)
    if build.returncode:
        return [f"lab {lab}: the handout does not build:\n{build.stdout[-3000:]}"]
    problems = []
    for leftover in ("tools/handout", "grade/handout_check.py"):
        if (tree / leftover).exists():
            problems.append(f"lab {lab}: the handout contains graders-only {leftover}")
    marker = sh(["grep", "-rlE", "--exclude=*.md", r"^\s*(//|#) (BEGIN|STUB|END) LAB [0-9]+", "."],
                cwd=tree)
    if marker.stdout.strip():
        problems.append(f"lab {lab}: markers left in: {marker.stdout.split()}")
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
