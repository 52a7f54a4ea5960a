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
        return sum((folder / f).is_file() or (folder / Path(f).name).is_file() for f in files)
    candidates = [submission] + sorted(p for p in submission.iterdir() if p.is_dir())
    return max(candidates, key=hits)


def basename_collisions(files: list[str]) -> list[str]:
    """Editable files that share a name: a flat upload could not tell them
    apart, so the lab definitions must not have any."""
    seen: dict[str, str] = {}
    return [f"{seen[Path(f).name]} and {f}" for f in files
            if seen.setdefault(Path(f).name, f) != f]


def overlay(submission: Path, tree: Path, lab: int) -> dict[str, list[str]]:
    """Copies the submission's editable files into tree. Returns which were
    taken and which were missing (the pristine version stays for those).
    A file is found at its path in the kit's layout or, as Gradescope
    stores a drag-and-drop upload, by its name alone at the top."""
    files = editable_files(tree, lab)
    root = find_root(submission, files)
    taken, missing = [], []
    for f in files:
        src = root / f
        if not src.is_file():
            src = root / Path(f).name
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


def main() -> int:
    """`make handout LAB=N OUT=DIR FROM=TREE`: carries a student's own files
    for labs before N (the grading allowlist) into a new lab N handout."""
    import argparse
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--from", dest="source", type=Path, required=True)
    parser.add_argument("--to", type=Path, required=True)
    parser.add_argument("--lab", type=int, required=True, help="the new handout's lab")
    args = parser.parse_args()
    if args.lab <= 1:
        print("carry-forward: lab 1 has no earlier labs; nothing to carry")
        return 0
    result = overlay(args.source, args.to, args.lab - 1)
    print(f"carry-forward from {args.source}: took {len(result['taken'])} file(s): "
          + (" ".join(result["taken"]) or "none"))
    if result["missing"]:
        print("carry-forward: not found there (the handout's solution stays): "
              + " ".join(result["missing"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
