#!/usr/bin/env python3
"""`make bench`: what the kit costs, measured rather than asserted.

Reports the kernel's size and the boot time to the monitor prompt. Then,
in instructions (TCG with -icount shift=0, where the guest's TSC advances
once per instruction; a calibration loop shows it), the same on every
machine: the fast paths (user/bench.cc: a null system call, a page-fault
upcall round trip, a trap whose handler fixes the binding), Lab 5's
library OS (user/benchlibos.cc: IPC round trips, fork with 1, 16 and 256
dirty pages, copy-on-write against eager copy), Lab 6's slices and Lab 7's
revocation. Cycles only where /dev/kvm is usable: TCG's rdtsc follows host
time, so its cycles are noise.
"""
import os
import re
import statistics
import time

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


def user_costs(accel: str) -> str:
    harness.ACCEL = accel
    result = harness.run(f"bench-user-{accel}", {"prog": "bench", "arg": "1", "idle": "exit"},
                         timeout=120)
    m = re.search(r"^bench: (.*)$", result.output, re.M)
    if m:
        return m.group(1)
    # Say why: some nested hypervisors mis-execute the ring 3 -> ring 0
    # transition of `syscall` (see README, "Benchmarks").
    killed = re.search(r"^\[env \w+\] killed: .*(?:\n  .*)?", result.output, re.M)
    return f"no result: {killed.group(0) if killed else result.describe()}"


def libos_instructions(program: str) -> list[str]:
    harness.ACCEL = "tcg"
    harness.EXTRA_QEMU_ARGS = ["-icount", "shift=0"]
    try:
        result = harness.run(f"bench-{program}", {"prog": program, "arg": "1", "idle": "exit"},
                             timeout=300)
    finally:
        harness.EXTRA_QEMU_ARGS = []
    lines = re.findall(r"^bench: (.*)$", result.output, re.M)
    return [line.replace("ticks", "instructions") for line in lines] or [f"no result: {result.describe()}"]


def main() -> None:
    image = harness.KERNEL_IMAGE.stat().st_size
    elf = harness.KERNEL_ELF.stat().st_size
    loaded = sum(int(line.split()[5], 16) for line in os.popen(
        f"readelf -lW {harness.KERNEL_ELF}") if line.strip().startswith("LOAD"))
    print(f"kernel.img (what QEMU loads): {image / 1024:.1f} KiB; "
          f"in memory: {loaded / 1024:.1f} KiB; ELF with debug info: {elf / 1024:.1f} KiB")
    accels = ["tcg"]
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        accels.append("kvm")
    else:
        print("KVM: /dev/kvm is not usable here; TCG only")
    for accel in accels:
        times = [boot_to_monitor(accel) for _ in range(RUNS)]
        print(f"boot to monitor prompt, {accel}: median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}, {RUNS} runs)")
        if accel != "tcg":
            print(f"{accel}, cycles: {user_costs(accel)}")
    for line in libos_instructions("bench"):
        print(f"fast paths, tcg -icount: {line}")
    for line in (libos_instructions("benchlibos") + libos_instructions("benchslices")
                 + libos_instructions("benchrevoke")):
        print(f"library OS, tcg -icount: {line}")


if __name__ == "__main__":
    main()
