#!/usr/bin/env python3
"""Writes compile_commands.json (for clangd and other editors) from the
Makefile's own compile commands: `make -Bn V=1` lists every command the
build would run without running any, and each `-c SOURCE -o OBJECT` line
becomes an entry. Run by the build (`make` regenerates it when the
Makefile or the set of sources changes); kept out of git.

usage: compile_commands.py OUTPUT [MAKE ARGUMENTS...]
"""
import json
import os
import shlex
import subprocess
import sys


def main() -> int:
    out, make_args = sys.argv[1], sys.argv[2:]
    root = os.getcwd()
    dry = subprocess.run(["make", "-Bn", "V=1", "--no-print-directory", *make_args],
                         capture_output=True, text=True)
    entries, seen = [], set()
    for line in dry.stdout.splitlines():
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if "-c" not in words or "-o" not in words:
            continue
        # ccache, if any, is not the compiler.
        if words and os.path.basename(words[0]) == "ccache":
            words = words[1:]
        source = words[words.index("-c") + 1]
        if source in seen or not os.path.exists(source):
            continue
        seen.add(source)
        entries.append({"directory": root, "file": os.path.join(root, source), "arguments": words})
    with open(out + ".tmp", "w") as f:
        json.dump(entries, f, indent=1)
    os.replace(out + ".tmp", out)
    return 0 if entries else 1


if __name__ == "__main__":
    sys.exit(main())
