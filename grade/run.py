#!/usr/bin/env python3
"""Grades the tree this file lives in: `make grade [LAB=N]` runs this.

Prints pytest's summary and a per-test table ending in `Score: X/Y`, and
writes a Gradescope results.json (build/grade/results.json by default;
build/san/grade/results.json when grading the sanitizer build, EXOKIT_SAN=1).
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from harness import BUILD

GRADE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lab", type=int, action="append", default=[],
                        help="grade only this lab (repeatable)")
    parser.add_argument("--kit", action="store_true", help="include the kit self-checks")
    parser.add_argument("--results", help="results.json path")
    parser.add_argument("--require-full", action="store_true",
                        help="exit 1 unless every selected test passed")
    parser.add_argument("-j", "--jobs", default=os.environ.get("EXOKIT_JOBS", "auto"),
                        help="parallel QEMU runs (pytest-xdist -n)")
    args = parser.parse_args()
    results = Path(args.results or BUILD / "grade" / "results.json")
    cmd = [sys.executable, "-m", "pytest", str(GRADE), "-q", "-p", "no:cacheprovider",
           "-n", str(args.jobs), "--timeout=600", "--timeout-method=signal",
           f"--results={results}", "-rN"]
    cmd += [f"--lab={n}" for n in args.lab]
    if args.kit:
        cmd.append("--kit")
    code = subprocess.call(cmd, cwd=GRADE)
    if not results.exists():
        print("grade: no results were written", file=sys.stderr)
        return 2
    # Relative to where the command was typed (make keeps the shell's PWD).
    typed_in = os.environ.get("PWD", os.getcwd())
    print(f"results: {os.path.relpath(results, typed_in if os.path.isdir(typed_in) else None)}")
    data = json.loads(results.read_text())
    if args.require_full:
        return 0 if data["score"] == data["extra_data"]["max_score"] and code in (0, 5) else 1
    # A failing test is a score, not an error; only a broken run is.
    return 0 if code in (0, 1, 5) else code


if __name__ == "__main__":
    sys.exit(main())
