#!/usr/bin/env python3
"""Where do the instructions go? `make iprofile-PROG`.

Runs PROG under TCG with -icount shift=0, one guest instruction per
translation block and QEMU's exec log on, and counts every instruction
executed by the function it belongs to (the kernel's symbols and PROG's).
With --per SYMBOL the counts are divided by the number of times SYMBOL's
first instruction ran, which turns them into a cost per call of a path:
`--per syscall_entry` for a system call, `--per pgfault_upcall` for an
upcall. The log streams through a pipe, so nothing large is written.

Counting starts at the program's first instruction, so boot is left
out. --annotate FUNCTION prints that function's disassembly with each
instruction's count beside it.
"""
import argparse
import bisect
import collections
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

# x86-64 binutils on any host: the cross ones' names first (an arm64 host's
# own objdump cannot disassemble x86-64).
OBJDUMP = shutil.which("x86_64-linux-gnu-objdump") or "objdump"
NM = shutil.which("x86_64-linux-gnu-nm") or "nm"

KIT = pathlib.Path(__file__).resolve().parent.parent
TRACE = re.compile(rb"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")


class Symbols:
    """Function symbols of some ELF files, looked up by address."""

    def __init__(self, elves: list[pathlib.Path]) -> None:
        entries = {}
        for elf in elves:
            out = subprocess.run([NM, "-C", "--defined-only", str(elf)], capture_output=True,
                                 text=True, check=True).stdout
            for line in out.splitlines():
                parts = line.split(" ", 2)
                if len(parts) == 3 and parts[1] in "tTwW":
                    entries.setdefault(int(parts[0], 16), parts[2])
        self.starts = sorted(entries)
        self.names = [entries[a] for a in self.starts]
        self.by_name = {name: addr for addr, name in entries.items()}

    def find(self, name: str) -> int | None:
        """The function called name, or the one function whose demangled
        name is name followed by its parameters: `deliver_page_fault`
        finds `deliver_page_fault(Env&, unsigned long, EnvEndHow*)`."""
        if name in self.by_name:
            return self.by_name[name]
        matches = [a for n, a in self.by_name.items() if n.startswith(name + "(")]
        return matches[0] if len(matches) == 1 else None

    def name(self, pc: int) -> str:
        if pc < 0x100000:
            return "(firmware)"
        i = bisect.bisect_right(self.starts, pc) - 1
        return self.names[i] if i >= 0 else "(unknown)"


USER_TOP = 0x0000800000000000


def profile(kernel_img: pathlib.Path, append: str, program_range: tuple[int, int],
            timeout: int) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    started = False
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "exec.log")
        os.mkfifo(fifo)
        # The CPU the grader and make's targets give TCG (SMAP and all).
        accel = subprocess.run([str(KIT / "tools" / "accel.sh"), "tcg"], capture_output=True,
                               text=True, check=True).stdout.split()
        qemu = subprocess.Popen(
            ["qemu-system-x86_64", "-kernel", str(kernel_img), "-m", "128M", "-no-reboot",
             *accel, "-icount", "shift=0", "-singlestep", "-d", "exec,nochain",
             "-D", fifo, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
             "-display", "none", "-serial", "stdio", "-append", append],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            with open(fifo, "rb", buffering=1 << 20) as log:
                for line in log:
                    m = TRACE.match(line)
                    if m:
                        pc = int(m.group(1), 16)
                        started = started or program_range[0] <= pc < program_range[1]
                        if started:
                            counts[pc] += 1
            output, _ = qemu.communicate(timeout=timeout)
        finally:
            if qemu.poll() is None:
                qemu.kill()
                qemu.wait()
    sys.stdout.write(output.decode(errors="replace"))
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("prog", help="the user program (build/user/PROG)")
    ap.add_argument("--append", default="", help="more boot arguments (arg=..., audit=1, ...)")
    ap.add_argument("--per", help="divide by the number of times this function was entered")
    ap.add_argument("--top", type=int, default=25, help="how many functions to list")
    ap.add_argument("--annotate", action="append", default=[], metavar="FUNCTION",
                    help="print this function's instructions with their counts")
    ap.add_argument("--build", default=str(KIT / "build"))
    ap.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args()
    build = pathlib.Path(args.build)
    program = build / "user" / args.prog
    if not program.exists():
        print(f"iprofile: no program {program} (run make first)", file=sys.stderr)
        return 2
    symbols = Symbols([build / "kernel", program])
    append = f"prog={args.prog} idle=exit {args.append}".strip()
    own = Symbols([program]).starts
    counts = profile(build / "kernel.img", append, (own[0], own[-1] + 4096), args.timeout)

    by_function: collections.Counter = collections.Counter()
    for pc, n in counts.items():
        by_function[symbols.name(pc)] += n
    total = sum(by_function.values())
    divisor, unit = 1, "instructions"
    if args.per:
        start = symbols.find(args.per)
        if start is None:
            print(f"iprofile: no function named {args.per}", file=sys.stderr)
            return 2
        divisor = counts.get(start, 0)
        if divisor == 0:
            print(f"iprofile: {args.per} never ran", file=sys.stderr)
            return 1
        unit = f"instructions per entry to {args.per} ({divisor} entries)"
    print(f"\n{total:,} instructions in all; {unit}:")
    for name, n in by_function.most_common(args.top):
        print(f"{n / divisor:12.1f}  {name}")
    for name in args.annotate:
        annotate(symbols, [build / "kernel", program], name, counts, divisor)
    return 0


def annotate(symbols: Symbols, elves: list[pathlib.Path], name: str, counts: collections.Counter,
             divisor: int) -> None:
    start = symbols.find(name)
    if start is None:
        print(f"iprofile: no function named {name}", file=sys.stderr)
        return
    i = symbols.starts.index(start)
    end = symbols.starts[i + 1] if i + 1 < len(symbols.starts) else start + 4096
    elf = elves[0] if start >= USER_TOP else elves[1]
    out = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", "-C", f"--start-address={start:#x}",
                          f"--stop-address={end:#x}", str(elf)], capture_output=True, text=True).stdout
    print(f"\n{name}:")
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s*(.*)$", line)
        if m:
            n = counts.get(int(m.group(1), 16), 0)
            print(f"{n / divisor:10.1f}  {m.group(1)}: {m.group(2)}")


if __name__ == "__main__":
    sys.exit(main())
