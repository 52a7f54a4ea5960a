#!/usr/bin/env python3
"""`make handin LAB=N [FORCE=1]`: packs a student's lab N for handing in.

The tarball holds exactly the files labs/labN.json lists as the student's
to edit, at their paths in the kit, and MANIFEST.json: the lab, each
file's SHA-256, the kit's commit and the date. It is written to
build/handin/labN-handin.tar.gz and uploaded nowhere: hand it in the way
your course says. `make grade-submissions` grades such tarballs directly.

A tree with uncommitted changes is refused (what you hand in should be
what you committed), unless FORCE=1 says to go on; the manifest records
that it was dirty.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def lab_files(lab: int) -> list[str]:
    definition = ROOT / "labs" / f"lab{lab}.json"
    if not definition.is_file():
        raise SystemExit(f"handin: there is no labs/lab{lab}.json in this tree")
    return list(json.loads(definition.read_text())["files"])


def pack(lab: int, out: Path, force: bool) -> Path:
    files = lab_files(lab)
    missing = [f for f in files if not (ROOT / f).is_file()]
    if missing:
        raise SystemExit(f"handin: missing {', '.join(missing)}")
    inside_git = git("rev-parse", "--is-inside-work-tree").returncode == 0
    commit = git("rev-parse", "HEAD").stdout.strip() if inside_git else ""
    changes = git("status", "--porcelain", "--untracked-files=no").stdout.strip() if inside_git else ""
    if changes and not force:
        raise SystemExit("handin: these files have uncommitted changes:\n" + changes +
                         "\nCommit them first, or hand in as they are with FORCE=1.")
    manifest = {
        "lab": lab,
        "files": [{"path": f, "sha256": hashlib.sha256((ROOT / f).read_bytes()).hexdigest()} for f in files],
        "kit_commit": commit or "unknown (not a git checkout)",
        "dirty": bool(changes),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    out.mkdir(parents=True, exist_ok=True)
    tarball = out / f"lab{lab}-handin.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        for f in files:
            tar.add(ROOT / f, arcname=f, recursive=False)
        data = (json.dumps(manifest, indent=2) + "\n").encode()
        info = tarfile.TarInfo("MANIFEST.json")
        info.size, info.mtime, info.mode = len(data), int(datetime.datetime.now().timestamp()), 0o644
        tar.addfile(info, io.BytesIO(data))
    return tarball


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--force", action="store_true", help="hand in even with uncommitted changes")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "handin")
    args = parser.parse_args()
    tarball = pack(args.lab, args.out, args.force)
    print(f"handin: {tarball.relative_to(ROOT) if tarball.is_relative_to(ROOT) else tarball} "
          f"({len(lab_files(args.lab))} files and MANIFEST.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
