"""Boots the kernel under QEMU for one test and reports what happened.

Every run gets its own temporary folder, GDB port and logs, so tests run in
parallel and two grading runs on one machine do not collide. A hang, a
triple fault or an output flood ends only the run it happens in, with a
reason the test can show the student.
"""
from __future__ import annotations

import functools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# EXOKIT_SAN=1 grades the kernel built with the undefined-behaviour
# sanitizer (`make SAN=1`, which sets it for `make grade`), in build/san.
SAN = os.environ.get("EXOKIT_SAN", "") == "1"
# EXOKIT_BUILD=DIR grades another build (`make test` grades the one it
# built with the cross toolchain forced on, build/cross).
BUILD = (Path(os.environ["EXOKIT_BUILD"]).resolve() if os.environ.get("EXOKIT_BUILD")
         else ROOT / "build" / "san" if SAN else ROOT / "build")
KERNEL_ELF = BUILD / "kernel"
# A GDB that reads x86-64 on any host (gdb-multiarch on an arm64 one).
GDB = shutil.which("gdb-multiarch") or "gdb"
KERNEL_IMAGE = BUILD / "kernel.img"
LOG_DIR = BUILD / "grade" / "logs"

# Slow graders (Gradescope gives half a CPU and no KVM) scale every timeout.
TIMEOUT_SCALE = float(os.environ.get("EXOKIT_TIMEOUT_SCALE", "1"))
# TCG boots in a fraction of a second and runs the same on every machine;
# KVM takes seconds to start, and on some hosts mis-runs ring 3.
ACCEL = os.environ.get("EXOKIT_ACCEL", "tcg")
# More QEMU options for every run (make bench adds -icount).
EXTRA_QEMU_ARGS: list[str] = []
MAX_OUTPUT = 256 * 1024
# Not "localhost": a bare container may have no /etc/hosts to resolve it.
LOOPBACK = "127.0.0.1"


@functools.lru_cache(maxsize=None)
def accel_options(accel: str) -> tuple[str, ...]:
    """-accel and -cpu, from the script make's targets use too."""
    return tuple(subprocess.run([str(ROOT / "tools" / "accel.sh"), accel], check=True,
                          capture_output=True, text=True).stdout.split())

# Kernel exit values (kern/qemu_exit.hh); QEMU reports (value << 1) | 1.
EXIT_SUCCESS = 0x10
EXIT_FAILURE = 0x11
EXIT_PANIC = 0x12


def qemu_status(value: int) -> int:
    return (value << 1) | 1


class GradeFailure(AssertionError):
    """A failed check, with the evidence a student needs to act on it."""


def nonce() -> int:
    return secrets.randbits(48)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


@dataclass
class Result:
    status: int | None          # QEMU's exit status; None if we killed it
    output: str
    reason: str                 # "exited", "timeout", "triple fault", "output flood"
    log: Path
    diagnosis: str = ""         # e.g. the exceptions before a triple fault

    def describe(self) -> str:
        if self.reason == "exited":
            if self.status is not None and self.status % 2 == 1:
                what = f"kernel exit value {self.status >> 1:#x} (QEMU status {self.status})"
            else:
                what = f"QEMU status {self.status}"
        else:
            what = self.reason
        text = f"{what}; log: {self.log}"
        if self.diagnosis:
            text += "\n" + self.diagnosis
        return text

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.output.splitlines()[-lines:])

    def expect_status(self, value: int, what: str) -> None:
        if self.reason != "exited" or self.status != qemu_status(value):
            raise GradeFailure(
                f"{what}: expected the kernel to exit with value {value:#x} "
                f"(QEMU status {qemu_status(value)}), got: {self.describe()}\n"
                f"--- last console lines ---\n{self.tail()}")


def _last_exceptions(qemu_log: Path, count: int = 4) -> str:
    """The exceptions QEMU logged before a triple fault (-d int)."""
    try:
        text = qemu_log.read_text(errors="replace")
    except OSError:
        return ""
    traps = re.findall(r"^\s*\d+: v=([0-9a-f]+) e=([0-9a-f]+) .*?pc=([0-9a-f]+).*?"
                       r"(?:CR2=([0-9a-f]+))?$", text, re.M)
    names = {0x0: "divide error", 0x3: "breakpoint", 0x6: "invalid opcode",
             0x8: "double fault", 0xd: "general protection", 0xe: "page fault"}
    lines = []
    for vec, err, pc, cr2 in traps[-count:]:
        v = int(vec, 16)
        line = f"  trap {v:#x} ({names.get(v, 'exception')}) err {err} at pc {pc}"
        if v == 0xE and cr2:
            line += f" cr2 {cr2}"
        lines.append(line)
    return "last traps before the reset:\n" + "\n".join(lines) if lines else ""


# Resolved here, not in the child: between fork and exec the child may
# take no lock another thread could have held (imports included).
try:
    import ctypes
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child, before exec: QEMU gets SIGKILL if the grader that
    started it dies, however it dies (a batch's timeout or Ctrl-C kills
    the grader's process group, and QEMU has a session of its own). Linux
    only; elsewhere nothing."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))


class Qemu:
    """One QEMU run of KERNEL_IMAGE with a chosen kernel command line."""

    def __init__(self, name: str, args: dict[str, object], *, gdb: bool = False,
                 timeout: float = 20.0, qemu_args: tuple[str, ...] = ()):
        self.name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        self.args = {"panic": "exit", **args}
        self.gdb_port = free_port() if gdb else None
        self.timeout = timeout * TIMEOUT_SCALE
        self.qemu_args = list(qemu_args)
        self.workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"exokit-{os.getpid()}-{self.name}"
        self._output = bytearray()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._flooded = False
        self.proc: subprocess.Popen | None = None
        self.log_path = LOG_DIR / f"{self.name}.log"
        self._logged = False

    def command(self) -> list[str]:
        append = " ".join(f"{k}={v}" if v != "" else k for k, v in self.args.items())
        cmd = ["qemu-system-x86_64", "-kernel", str(KERNEL_IMAGE), "-append", append,
               "-m", "128M", "-no-reboot", *accel_options(ACCEL), "-display", "none",
               "-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console",
               "-monitor", "none",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-d", "int,cpu_reset", "-D", str(self.workdir / "qemu-debug.log")]
        if self.gdb_port:
            cmd += ["-S", "-gdb", f"tcp:{LOOPBACK}:{self.gdb_port}"]
        return cmd + self.qemu_args + EXTRA_QEMU_ARGS

    def start(self) -> "Qemu":
        if not KERNEL_IMAGE.exists():
            raise GradeFailure(f"{KERNEL_IMAGE} is missing: the kernel did not build")
        # A failed run must never leave an earlier run's log looking current.
        for stale in (self.log_path, self.log_path.with_suffix(".qemu-debug.log")):
            stale.unlink(missing_ok=True)
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=die_with_parent)
        self._started = time.monotonic()
        threading.Thread(target=self._read, daemon=True).start()
        if self.gdb_port:
            self._wait_for_port()
        return self

    def _read(self) -> None:
        assert self.proc and self.proc.stdout
        while chunk := self.proc.stdout.read1(4096):
            with self._lock:
                self._output += chunk
                if len(self._output) > MAX_OUTPUT and not self._flooded:
                    self._flooded = True
                    self._kill()
                self._changed.notify_all()
        with self._lock:
            self._changed.notify_all()

    def _wait_for_port(self) -> None:
        deadline = time.monotonic() + 10 * TIMEOUT_SCALE
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex((LOOPBACK, self.gdb_port)) == 0:
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise GradeFailure(f"QEMU's gdbstub never listened on port {self.gdb_port}:\n"
                           + self.output)

    def _kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    @property
    def output(self) -> str:
        with self._lock:
            return self._output.decode(errors="replace").replace("\r\n", "\n")

    def remaining(self) -> float:
        return max(0.0, self._started + self.timeout - time.monotonic())

    def wait_for(self, pattern: str) -> re.Match:
        """Waits until the console output matches pattern (a regex)."""
        regex = re.compile(pattern, re.M)
        with self._lock:
            while True:
                text = self._output.decode(errors="replace").replace("\r\n", "\n")
                if m := regex.search(text):
                    return m
                if self.proc.poll() is not None or self.remaining() == 0:
                    break
                self._changed.wait(min(0.1, self.remaining()))
        result = self.wait()
        raise GradeFailure(f"never saw {pattern!r} on the console: {result.describe()}\n"
                           f"--- last console lines ---\n{result.tail()}")

    def send(self, text: str) -> None:
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait(self, within: float | None = None) -> Result:
        """Waits for QEMU to exit (or kills it at the deadline, or `within`
        seconds from now if sooner); keeps the logs."""
        assert self.proc
        timed_out = False
        limit = self.remaining()
        if within is not None:
            limit = min(limit, within * TIMEOUT_SCALE)
            self.timeout = time.monotonic() - self._started + limit
        try:
            self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            self._kill()
            self.proc.wait()
        with self._lock:
            flooded = self._flooded
        status = None if (timed_out or flooded) else self.proc.returncode
        qemu_log = self.workdir / "qemu-debug.log"
        reason, diagnosis = "exited", ""
        if flooded:
            reason = f"output flood (over {MAX_OUTPUT // 1024} KiB)"
        elif timed_out:
            reason = f"timeout after {self.timeout:.0f} s"
        elif status == 0:
            # With -no-reboot a triple fault is the one way QEMU exits with 0.
            reason = "triple fault"
            diagnosis = _last_exceptions(qemu_log)
        self._write_log(copy_qemu_log=reason != "exited")
        shutil.rmtree(self.workdir, ignore_errors=True)
        return Result(status, self.output, reason, self.log_path, diagnosis)

    def _write_log(self, copy_qemu_log: bool = False) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path.write_text(f"$ {' '.join(self.command())}\n{self.output}")
        qemu_log = self.workdir / "qemu-debug.log"
        if copy_qemu_log and qemu_log.exists():
            shutil.copy(qemu_log, self.log_path.with_suffix(".qemu-debug.log"))
        self._logged = True

    def __enter__(self) -> "Qemu":
        return self.start()

    def __exit__(self, *exc) -> None:
        self._kill()
        if self.proc:
            self.proc.wait()
            if not self._logged:        # the test gave up before wait()
                self._write_log(copy_qemu_log=True)
        shutil.rmtree(self.workdir, ignore_errors=True)


def run(name: str, args: dict[str, object], timeout: float = 20.0) -> Result:
    """Boots, lets the kernel run to its own exit, returns the result."""
    with Qemu(name, args, timeout=timeout) as q:
        return q.wait()


def gdb_session(qemu: Qemu, script: str, timeout: float = 30.0) -> dict:
    """Runs a Python script inside GDB attached to QEMU's gdbstub.

    The script gets `gdb`, a helper `report(obj)` and the readers in
    gdb_helpers.py; whatever it reports is returned. GDB connects with the
    kernel's symbols loaded. A session that loses the kernel (it exited,
    panicked, triple-faulted or hung) fails with what QEMU saw: its status,
    the reason and the console's last lines, not GDB's "Remote connection
    closed".
    """
    try:
        return _gdb_session(qemu.gdb_port, script, timeout)
    except GradeFailure as failure:
        if qemu.proc is None:
            raise
        result = qemu.wait(within=5)
        gdb_tail = "\n".join(str(failure).splitlines()[-6:])
        raise GradeFailure(f"the kernel stopped before GDB's checks were done: "
                           f"{result.describe()}\n--- last console lines ---\n{result.tail()}"
                           f"\n--- GDB's last words ---\n{gdb_tail}") from None


def _gdb_session(port: int, script: str, timeout: float) -> dict:
    prelude = f"""
import gdb, json
def report(obj):
    print("EXOKIT-GDB-REPORT " + json.dumps(obj), flush=True)
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set architecture i386:x86-64")
gdb.execute("file {KERNEL_ELF}")
gdb.execute("target remote {LOOPBACK}:{port}")
"""
    helpers = (Path(__file__).parent / "gdb_helpers.py").read_text()
    with subprocess.Popen([GDB, "-q", "-n", "-batch", "-ex",
                           "python\n" + prelude + helpers + script],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          start_new_session=True) as proc:
        try:
            out, _ = proc.communicate(timeout=timeout * TIMEOUT_SCALE)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            raise GradeFailure("GDB timed out:\n" + out.decode(errors="replace")[-2000:])
    text = out.decode(errors="replace")
    m = re.search(r"^EXOKIT-GDB-REPORT (.*)$", text, re.M)
    if not m:
        raise GradeFailure("GDB did not report:\n" + text[-2000:])
    return json.loads(m.group(1))


@dataclass
class Symbol:
    name: str
    address: int
    size: int


_symbols: list[Symbol] | None = None


def kernel_symbols() -> list[Symbol]:
    """The kernel's function symbols, read from the ELF by nm (not by the kernel)."""
    global _symbols
    if _symbols is None:
        out = subprocess.run(["nm", "-n", "-S", "-C", "--defined-only", str(KERNEL_ELF)],
                             capture_output=True, text=True, check=True).stdout
        syms = []
        for line in out.splitlines():
            parts = line.split(None, 3)
            if len(parts) == 4 and parts[2] in "tTwW":
                syms.append(Symbol(parts[3], int(parts[0], 16), int(parts[1], 16)))
        _symbols = syms
    return _symbols


def function_at(address: int) -> str | None:
    for s in kernel_symbols():
        if s.address <= address < s.address + s.size:
            return s.name
    return None


def base_name(name: str) -> str:
    """'selftest::run(char const*)' and 'selftest::run' both -> 'selftest::run'."""
    return name.replace("(anonymous namespace)::", "").split("(")[0].strip()


FRAME_LINE = re.compile(r"^\s*#(\d+)\s+rbp ([0-9a-f]{16})\s+rip ([0-9a-f]{16})\s+(.*?)\s*$", re.M)


@dataclass
class Frame:
    rbp: int
    rip: int
    name: str      # function name as printed, without "+offset"


def parse_backtrace(text: str) -> list[Frame]:
    frames = []
    for m in FRAME_LINE.finditer(text):
        symbol = m.group(4).rsplit("+", 1)[0]
        frames.append(Frame(int(m.group(2), 16), int(m.group(3), 16), base_name(symbol)))
    return frames
