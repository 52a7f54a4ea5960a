#!/usr/bin/env python3
"""`make gradescope LAB=N`: the zip to upload as lab N's Gradescope
autograder. It holds lab N's handout tree (what students start from),
setup.sh and run_autograder at its root, and a LAB file naming the lab."""
import argparse
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lab", type=int, required=True)
    args = parser.parse_args()
    stage = ROOT / "build" / "gradescope" / f"lab{args.lab}"
    gen = subprocess.run(["make", "-s", "-C", str(ROOT), "handout", f"LAB={args.lab}",
                          f"OUT={stage}", "EXTRA_HANDOUT_FLAGS=--force"])
    if gen.returncode:
        return gen.returncode
    shutil.rmtree(stage / "build", ignore_errors=True)
    for name in ("setup.sh", "run_autograder"):
        shutil.copy2(HERE / name, stage / name)
    (stage / "LAB").write_text(f"{args.lab}\n")
    zip_path = stage.parent / f"lab{args.lab}-autograder.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(stage.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, path.relative_to(stage))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, path.read_bytes())   # keeps the exec bits
    print(f"gradescope: {zip_path.relative_to(ROOT)} ({zip_path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
