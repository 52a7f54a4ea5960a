"""The Linux guest for `make bench`: Debian's own kernel, taken from its
package and unpacked into build/linux/ (never installed on the host),
booted under the same QEMU as ExoKit with an initramfs whose /init is
bench/linuxbench.c, built static."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import harness

LINUX_DIR = harness.ROOT / "build" / "linux"
SOURCE = harness.ROOT / "bench" / "linuxbench.c"
META_PACKAGE = "linux-image-amd64"


def kernel() -> tuple[Path, str]:
    """(vmlinuz, its package's name and version), downloading the package
    the first time. The meta-package names the current kernel package."""
    LINUX_DIR.mkdir(parents=True, exist_ok=True)
    found = sorted(LINUX_DIR.glob("boot/vmlinuz-*"))
    stamp = LINUX_DIR / "package"
    if found and stamp.exists():
        return found[-1], stamp.read_text().strip()
    depends = subprocess.run(["apt-cache", "depends", META_PACKAGE], capture_output=True, text=True,
                             check=True).stdout
    m = re.search(r"Depends: (linux-image-\S+)", depends)
    if not m:
        raise RuntimeError(f"apt-cache names no kernel package for {META_PACKAGE}")
    package = m.group(1)
    for old in LINUX_DIR.glob("*.deb"):
        old.unlink()
    subprocess.run(["apt-get", "download", "-q", package], cwd=LINUX_DIR, check=True,
                   capture_output=True)
    deb = next(LINUX_DIR.glob(f"{package}_*.deb"))
    version = deb.name.split("_")[1]
    # Only boot/ of the package: no modules are needed, nothing is installed.
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "--wildcards", "./boot/vmlinuz-*"], cwd=LINUX_DIR, stdin=tar.stdout,
                   check=True)
    tar.wait()
    deb.unlink()
    stamp.write_text(f"{package} {version}\n")
    return sorted(LINUX_DIR.glob("boot/vmlinuz-*"))[-1], f"{package} {version}"


def cpio_entry(name: str, data: bytes, mode: int, rdev: tuple[int, int] = (0, 0)) -> bytes:
    """One member of a newc cpio archive, the initramfs format."""
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    out = b"070701" + "".join(f"{v:08x}" for v in fields).encode() + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def initramfs() -> Path:
    """build/linux/initramfs.cpio: /init (linuxbench, static), /dev/console, /proc."""
    init = LINUX_DIR / "init"
    image = LINUX_DIR / "initramfs.cpio"
    if image.exists() and image.stat().st_mtime >= SOURCE.stat().st_mtime:
        return image
    LINUX_DIR.mkdir(parents=True, exist_ok=True)
    compiler = shutil.which("x86_64-linux-gnu-gcc") or "gcc"
    subprocess.run([compiler, "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(init),
                    str(SOURCE)], check=True)
    image.write_bytes(cpio_entry("init", init.read_bytes(), 0o100755)
                      + cpio_entry("dev", b"", 0o040755)
                      + cpio_entry("dev/console", b"", 0o020600, (5, 1))
                      + cpio_entry("proc", b"", 0o040755)
                      + cpio_entry("TRAILER!!!", b"", 0))
    return image


def run(iterations: int, timeout: float = 600, accel: str = "tcg") -> tuple[dict[str, int], str]:
    """Boots the guest under TCG with -icount shift=0 (figures in
    instructions), or under KVM (in cycles); returns linuxbench's figures
    by name and the kernel's package and version."""
    vmlinuz, version = kernel()
    image = initramfs()
    cmd = ["qemu-system-x86_64", "-kernel", str(vmlinuz), "-initrd", str(image), "-m", "256M",
           "-no-reboot", *harness.accel_options(accel),
           # sleep=off: an idle guest's clock jumps to its next timer instead
           # of following the host's, so a run repeats exactly.
           *(["-icount", "shift=0,sleep=off"] if accel == "tcg" else []), "-display", "none",
           "-serial", "stdio", "-monitor", "none",
           # No address-space randomisation: the same page-table shapes each run.
           "-append", f"console=ttyS0 quiet panic=-1 nokaslr norandmaps iters={iterations}"]
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
    output = proc.stdout.decode(errors="replace")
    figures = {m.group(1): int(m.group(2))
               for m in re.finditer(r"^linuxbench: (\S+) (\d+)\s*$", output, re.M)}
    if "done" not in re.findall(r"^linuxbench: (\S+)", output, re.M):
        raise RuntimeError("the Linux guest did not finish:\n" + output[-2000:])
    return figures, version
