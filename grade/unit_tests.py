"""Host unit tests (GoogleTest, grade/unit/) as graded items.

labs/labN.json names groups of suites under "unit"; a group passes when
every test of its suites passes. The tests are built from the pristine
grade/ sources against the student's files (conftest builds them once).
"""
from __future__ import annotations

import json
import subprocess

from harness import BUILD, ROOT, GradeFailure

UNIT_BINARY = BUILD / "unit-tests"
UNIT_BUILD_STATUS = BUILD / "grade" / "unit-build-status.json"


def unit_groups(lab: int) -> list[str]:
    return list(json.loads((ROOT / "labs" / f"lab{lab}.json").read_text()).get("unit", {}))


def check_unit_group(lab: int, group: str) -> None:
    suites = json.loads((ROOT / "labs" / f"lab{lab}.json").read_text())["unit"][group]
    status = json.loads(UNIT_BUILD_STATUS.read_text()) if UNIT_BUILD_STATUS.exists() else None
    if not status or not status["ok"]:
        raise GradeFailure("the unit tests did not build:\n" + (status or {}).get("output", ""))
    report = BUILD / "grade" / f"unit-{lab}-{group}.json"
    run = subprocess.run([str(UNIT_BINARY), "--gtest_filter=" + ":".join(f"{s}.*" for s in suites),
                          f"--gtest_output=json:{report}"],
                         capture_output=True, text=True, timeout=60)
    if not report.exists():
        raise GradeFailure(f"the unit tests crashed (status {run.returncode}):\n{run.stdout[-3000:]}")
    data = json.loads(report.read_text())
    ran = [t for s in data.get("testsuites", []) for t in s.get("testsuite", [])]
    failed = [t for t in ran if t.get("failures")]
    if not ran:
        raise GradeFailure(f"no unit tests ran for suites {suites}")
    if failed:
        lines = [f"{len(failed)} of {len(ran)} unit tests failed (run `make unit` to see them all):"]
        for t in failed[:6]:
            first = t["failures"][0]["failure"].strip().splitlines()
            lines.append(f"  {t['classname']}.{t['name']}: " + " | ".join(first[:4]))
        raise GradeFailure("\n".join(lines))
