"""Lays a student's submission over a pristine tree, for batch grading and
Gradescope. Only the files the lab definitions say students edit are
taken (an allowlist), so a submission cannot replace the grader, the
tests, the Makefile or the lab definitions."""
from __future__ import annotations

import json
import shutil
from pathlib import Path


def editable_files(tree: Path, up_to_lab: int) -> list[str]:
    """Every file labs 1..up_to_lab let a student edit."""
    files: list[str] = []
    for path in sorted(tree.glob("labs/lab*.json")):
        lab = json.loads(path.read_text())
        if int(lab["lab"]) <= up_to_lab:
            files += [f for f in lab["files"] if f not in files]
    return files


def find_root(submission: Path, files: list[str]) -> Path:
    """The folder inside a submission that holds the kit's layout: the
    submission itself, or the one folder a zip or a git clone wraps it in."""
    def hits(folder: Path) -> int:
        return sum((folder / f).is_file() for f in files)
    candidates = [submission] + sorted(p for p in submission.iterdir() if p.is_dir())
    return max(candidates, key=hits)


def overlay(submission: Path, tree: Path, lab: int) -> dict[str, list[str]]:
    """Copies the submission's editable files into tree. Returns which were
    taken and which were missing (the pristine version stays for those)."""
    files = editable_files(tree, lab)
    root = find_root(submission, files)
    taken, missing = [], []
    for f in files:
        src = root / f
        # No symlinks anywhere on the path: a submission supplies its
        # own bytes, not a pointer to the grader's files.
        inside = src.resolve().is_relative_to(root.resolve()) and not src.is_symlink()
        if src.is_file() and inside:
            (tree / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, tree / f)
            taken.append(f)
        else:
            missing.append(f)
    return {"taken": taken, "missing": missing}
