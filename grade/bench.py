#!/usr/bin/env python3
"""`make bench`: what the kit costs, measured rather than asserted.

The exokernel papers' table, ExoKit against Linux in the same run: the
same microbenchmarks in ExoKit (user/bench.cc, benchpaper.cc, benchlibos.cc,
benchslices.cc) and in a Linux guest (bench/linuxbench.c as the /init of
Debian's own kernel, grade/bench_linux.py), in instructions: TCG with
-icount shift=0, where the guest's TSC advances once per instruction (a
calibration loop in each guest shows it), the same on every machine.
Written to build/bench/results.json and table.md. Cycles only under a KVM
that tools/accel.sh's probe trusts: TCG's rdtsc without -icount follows
host time, so its cycles are noise. The full run also reports the kernel's
size, the boot time to the monitor prompt and every ExoKit path; --short
(make test's check) only the table, with few iterations.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import time

import bench_linux
import harness

RUNS = int(os.environ.get("EXOKIT_BENCH_RUNS", "5"))


def boot_to_monitor(accel: str) -> float:
    harness.ACCEL = accel
    started = time.monotonic()
    with harness.Qemu(f"bench-boot-{accel}", {}, timeout=60) as q:
        q.wait_for(r"K> $")
        elapsed = time.monotonic() - started
        q.send("exit 0x10\n")
        q.wait(within=10)
    return elapsed


def libos_instructions(program: str, arg: str = "1", accel: str = "tcg") -> list[str]:
    harness.ACCEL = accel
    harness.EXTRA_QEMU_ARGS = ["-icount", "shift=0"] if accel == "tcg" else []
    try:
        result = harness.run(f"bench-{program}", {"prog": program, "arg": arg, "idle": "exit"},
                             timeout=300)
    finally:
        harness.EXTRA_QEMU_ARGS = []
    lines = re.findall(r"^bench: (.*)$", result.output, re.M)
    return [line.replace("ticks", "instructions") for line in lines] or [f"no result: {result.describe()}"]


def figure(lines: list[str], pattern: str) -> int | None:
    for line in lines:
        if m := re.search(pattern, line):
            return int(m.group(1))
    return None


# The table's rows: (row, what ExoKit does, what Linux does).
ROWS = [
    ("null", "`sys_getenvid`", "`syscall(SYS_getppid)`"),
    ("trap", "fault upcall, `page_map` from a writable alias, resume", "SIGSEGV, `mprotect`, `sigreturn`"),
    ("prot1", "`page_map` onto itself, read-only", "`mprotect` 1 page"),
    ("prot100", "100 × `page_map`", "`mprotect` 100 pages"),
    ("unprot100", "100 × `page_map` from the aliases", "`mprotect` 100 pages"),
    ("dirty", "the PTE through the self-map", "soft-dirty bit in `/proc/self/pagemap`"),
    ("appel1", "fault; protect another, unprotect this; per fault", "the same with SIGSEGV and `mprotect`"),
    ("appel2", "protect 100, touch each, unprotect in the handler; per page", "the same"),
    ("ipc", "IPC round trip, one word each way", "pipe pair round trip"),
    ("ipc (futex)", "IPC round trip, one word each way", "futex ping-pong on shared memory"),
    ("fork 1", "COW `fork` + exit + wait, 1 dirty page (eager copy in brackets)", "`fork` + `_exit` + `waitpid`"),
    ("fork 16", "the same, 16 dirty pages", "the same"),
    ("fork 256", "the same, 256 dirty pages", "the same"),
    ("switch", "slice end through epilogue/prologue (kernel's own save in brackets)", "no counterpart"),
]


def exokit_figures(short: bool, accel: str = "tcg") -> dict[str, tuple[int | None, int | None]]:
    """(figure, second figure or None) for each row, in instructions under
    TCG (cycles under KVM). The full TCG run also prints every line the
    programs report."""
    fast = libos_instructions("bench", hex((200 if short else 20000) << 32 | 1), accel)
    paper = libos_instructions("benchpaper", hex((20 if short else 200) << 32 | 1), accel)
    libos = libos_instructions("benchlibos", "1", accel)
    slices = libos_instructions("benchslices", "1", accel)
    rows_out: dict[str, tuple[int | None, int | None]] = {"calibration": (figure(libos, r"took (\d+)"), None)}
    if not short and accel == "tcg":
        for line in fast:
            print(f"fast paths, tcg -icount: {line}")
        for line in paper + libos + slices:
            print(f"library OS, tcg -icount: {line}")
    ipc = figure(libos, r"ipc round trip (\d+)")
    rows: dict[str, tuple[int | None, int | None]] = {
        **rows_out,
        "null": (figure(fast, r"null syscall (\d+)"), None),
        "trap": (figure(fast, r"binding fixed (\d+)"), None),
        "ipc": (ipc, None), "ipc (futex)": (ipc, None),
        "switch": (figure(slices, r"epilogue and prologue: min (\d+)"),
                   figure(slices, r"kernel saving and restoring: min (\d+)")),
    }
    for name in ("prot1", "prot100", "unprot100", "dirty", "appel1", "appel2"):
        rows[name] = (figure(paper, rf"^{name} (\d+)"), None)
    for n in (1, 16, 256):
        rows[f"fork {n}"] = (figure(libos, rf"fork with {n} dirty pages: copy-on-write (\d+)"),
                             figure(libos, rf"fork with {n} dirty pages: .*eager copy (\d+)"))
    return rows


LINUX_NAMES = {"null": "null", "trap": "trap", "prot1": "prot1", "prot100": "prot100",
               "unprot100": "unprot100", "dirty": "dirty", "appel1": "appel1", "appel2": "appel2",
               "ipc": "ipc-pipe", "ipc (futex)": "ipc-futex", "fork 1": "fork1", "fork 16": "fork16",
               "fork 256": "fork256"}


def host_cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def table(short: bool) -> dict:
    """Both systems' figures in the same run, as results.json holds them."""
    exo = exokit_figures(short)
    try:
        linux, linux_version = bench_linux.run(20 if short else 200)
        linux_error = None
    except Exception as e:   # reported in the table, not fatal: ExoKit's column stands
        linux, linux_version, linux_error = {}, "unavailable", str(e).splitlines()[0][:200]
    kvm = subprocess.run([str(harness.ROOT / "tools" / "accel.sh"), "--why"], capture_output=True,
                         text=True).stdout.strip()
    # Cycles only where the probe proved KVM runs ring-3 system calls
    # correctly (tools/accel.sh); never because /dev/kvm exists.
    # EXOKIT_BENCH_TRY_KVM=1 runs this path anyway, to test it on a host
    # whose KVM the probe refused (its figures are then missing, not wrong).
    kvm_exo: dict = {}
    kvm_linux: dict = {}
    if kvm.startswith("kvm") or os.environ.get("EXOKIT_BENCH_TRY_KVM"):
        kvm_exo = exokit_figures(short, "kvm")
        try:
            kvm_linux, _ = bench_linux.run(20 if short else 200, timeout=120, accel="kvm")
        except Exception as e:
            kvm = f"{kvm}; the Linux guest did not run under KVM: {str(e).splitlines()[0][:200]}"
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    rows = []
    for name, exo_does, linux_does in ROWS:
        ours, second = exo.get(name, (None, None))
        theirs = linux.get(LINUX_NAMES.get(name, ""))
        rows.append({"row": name, "exokit": ours, "exokit_also": second, "linux": theirs,
                     "ratio": round(ours / theirs, 3) if ours and theirs else None,
                     "exokit_cycles": kvm_exo.get(name, (None, None))[0] if kvm_exo else None,
                     "linux_cycles": kvm_linux.get(LINUX_NAMES.get(name, "")) if kvm_linux else None,
                     "exokit_does": exo_does, "linux_does": linux_does})
    return {"measure": "instructions (QEMU TCG, -icount shift=0)", "short": short, "rows": rows,
            "qemu": qemu, "linux": linux_version, "linux_error": linux_error,
            "host_cpu": host_cpu(), "calibration_linux": linux.get("calibration"),
            "calibration_exokit": exo.get("calibration", (None, None))[0], "kvm_cycles": bool(kvm_exo),
            "kvm": kvm if kvm.startswith("kvm") else f"KVM: not usable on this host ({kvm})"}


def number(v: int | None) -> str:
    return "—" if v is None else f"{v:,}"


def markdown(data: dict) -> str:
    cycles = data["kvm_cycles"]
    lines = [f"Instructions per operation (QEMU TCG, `-icount shift=0`: one TSC tick is one "
             f"instruction; a calibration loop of 200,000 read {number(data['calibration_exokit'])} "
             f"in ExoKit and {number(data['calibration_linux'])} in Linux).",
             f"{data['qemu']}; Linux: Debian's {data['linux']}; host CPU: {data['host_cpu']}.",
             f"Cycles: {data['kvm']}.", "",
             "| benchmark | ExoKit | Linux | ExoKit / Linux |"
             + (" ExoKit cycles | Linux cycles |" if cycles else "") + " ExoKit does | Linux does |",
             "|---|---:|---:|---:|" + ("---:|---:|" if cycles else "") + "---|---|"]
    for r in data["rows"]:
        ours = number(r["exokit"]) + (f" ({number(r['exokit_also'])})" if r["exokit_also"] else "")
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        kvm_cells = f" {number(r['exokit_cycles'])} | {number(r['linux_cycles'])} |" if cycles else ""
        lines.append(f"| {r['row']} | {ours} | {number(r['linux'])} | {ratio} |{kvm_cells} "
                     f"{r['exokit_does']} | {r['linux_does']} |")
    if data["linux_error"]:
        lines.append(f"\nThe Linux guest did not run: {data['linux_error']}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="make bench")
    parser.add_argument("--short", action="store_true",
                        help="few iterations and only the table (make test's check)")
    args = parser.parse_args()
    out = harness.BUILD / "bench"
    out.mkdir(parents=True, exist_ok=True)
    if not args.short:
        image = harness.KERNEL_IMAGE.stat().st_size
        elf = harness.KERNEL_ELF.stat().st_size
        loaded = sum(int(line.split()[5], 16) for line in os.popen(
            f"readelf -lW {harness.KERNEL_ELF}") if line.strip().startswith("LOAD"))
        print(f"kernel.img (what QEMU loads): {image / 1024:.1f} KiB; "
              f"in memory: {loaded / 1024:.1f} KiB; ELF with debug info: {elf / 1024:.1f} KiB")
        times = [boot_to_monitor("tcg") for _ in range(RUNS)]
        print(f"boot to monitor prompt, tcg: median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}, {RUNS} runs)")
        for line in libos_instructions("benchrevoke"):
            print(f"library OS, tcg -icount: {line}")
    data = table(args.short)
    (out / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    text = markdown(data)
    (out / "table.md").write_text(text)
    print(text)
    print(f"written: {out / 'results.json'}, {out / 'table.md'}")


if __name__ == "__main__":
    main()
