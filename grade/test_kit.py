"""Self-checks of the kit itself (run by `make test`, never graded): the
harness must recognise every way a run can go wrong, the build must
embed the user programs intact, and the sanitizer build must catch
undefined behaviour."""
import random
import re
import struct

import pytest

from harness import BUILD, EXIT_PANIC, EXIT_SUCCESS, ROOT, SAN, GradeFailure, nonce, run


def test_boot_echoes_nonce():
    n = nonce()
    result = run("kit-boot", {"test": "boot", "nonce": hex(n)})
    result.expect_status(EXIT_SUCCESS, "boot")
    assert f"boot {n:x}" in result.output


def test_embedded_program_matches_build():
    image = (BUILD / "user-embedded" / "hello").read_bytes()
    entry = struct.unpack_from("<Q", image, 24)[0]
    n = nonce()
    result = run("kit-embed", {"test": "embed", "prog": "hello", "nonce": hex(n)})
    result.expect_status(EXIT_SUCCESS, "embed")
    assert re.search(rf"^embed {n:x} hello size {len(image)} entry {entry:x}$",
                     result.output, re.M), result.output


@pytest.mark.harness_only
def test_triple_fault_is_reported():
    result = run("kit-triple-fault", {"test": "triple-fault"})
    assert result.reason == "triple fault", result.describe()
    assert "breakpoint" in result.diagnosis and "double fault" in result.diagnosis


@pytest.mark.harness_only
def test_hang_times_out():
    result = run("kit-hang", {"test": "hang"}, timeout=3)
    assert result.reason.startswith("timeout"), result.describe()


@pytest.mark.harness_only
def test_output_flood_is_cut_off():
    result = run("kit-flood", {"test": "flood"})
    assert result.reason.startswith("output flood"), result.describe()


@pytest.mark.harness_only
def test_submission_overlay_takes_only_editable_files(tmp_path):
    """Batch and Gradescope grading lay a submission over a pristine tree:
    only files the lab definitions list may come through."""
    from harness import ROOT
    from submission import editable_files, overlay
    tree = tmp_path / "tree"
    (tree / "labs").mkdir(parents=True)
    (tree / "labs" / "lab1.json").write_text('{"lab": 1, "files": ["kern/a.cc"]}')
    (tree / "labs" / "lab2.json").write_text('{"lab": 2, "files": ["kern/b.cc"]}')
    (tree / "grade").mkdir()
    (tree / "grade" / "test_lab1.py").write_text("pristine")
    # A submission wrapped in one folder, as a zip or a clone would be.
    sub = tmp_path / "student" / "exokit-main"
    (sub / "kern").mkdir(parents=True)
    (sub / "grade").mkdir()
    (sub / "kern" / "a.cc").write_text("student a")
    (sub / "kern" / "b.cc").write_text("student b")
    (sub / "grade" / "test_lab1.py").write_text("tampered")
    assert editable_files(tree, 1) == ["kern/a.cc"]
    assert overlay(tmp_path / "student", tree, 1) == {"taken": ["kern/a.cc"], "missing": []}
    assert (tree / "kern" / "a.cc").read_text() == "student a"
    assert not (tree / "kern" / "b.cc").exists()          # lab 2's file, not lab 1's
    assert (tree / "grade" / "test_lab1.py").read_text() == "pristine"
    # The real lab definitions name files that exist.
    for f in editable_files(ROOT, 99):
        assert (ROOT / f).is_file(), f


def test_page_tables_freed_on_unmap():
    """Unmapping the last page under a page table gives the table (and the
    directory above it) back at once: user/ptfree maps and unmaps a page in
    32768 different GiBs, which would pin 256 MiB of tables otherwise."""
    from test_lab3 import expect_exit
    expect_exit("ptfree")


def test_fpu_registers_are_per_env():
    """Three envs keep their own values in xmm0-15 and the x87 stack while
    they yield and are preempted (user/fpuswitch.cc)."""
    from test_lab3 import EXITED, OK, expect_frames_returned, run_program
    arg, _, report, result = run_program("fpuswitch", copies=3, prefix="kit")
    for end in report["ends"]:
        own_arg = arg + (end["id"] & 63)       # slots 0, 1, 2 got arg, arg + 1, arg + 2
        assert end["how"] == EXITED and end["detail"] ^ own_arg == OK, \
            f"env {end['id']:x}: how {end['how']}, status ^ arg {end['detail'] ^ own_arg:#x}\n{result.tail()}"
    expect_frames_returned(report, result)


def test_cpu_protections_are_on():
    """SMEP, SMAP, UMIP and global pages, read from CR4 over GDB; UMIP seen
    at work: user code executing sidt is killed by a #GP."""
    from harness import Qemu, gdb_session
    from test_lab3 import GENERAL_PROTECTION, KILLED_BY_TRAP, expect_killed
    with Qemu("kit-cpu", {"prog": "hello", "arg": "1", "idle": "exit"}, gdb=True) as q:
        state = gdb_session(q, """
gdb.execute("hbreak *selftest_checkpoint")
checkpoint()
report({"cr4": value("$cr4"), "smep": value("cpu::protections.smep"),
        "smap": value("cpu::protections.smap"), "umip": value("cpu::protections.umip")})
gdb.execute("delete")
gdb.execute("detach")
""")
        q.wait()
    bits = {"global pages": 7, "umip": 11, "smep": 20, "smap": 21}
    off = [name for name, bit in bits.items() if not state["cr4"] >> bit & 1]
    assert not off, f"CR4 {state['cr4']:#x}: off: {off}"
    assert state["smep"] and state["smap"] and state["umip"], state
    expect_killed("sidt", KILLED_BY_TRAP, vector=GENERAL_PROTECTION)


def test_slice_table_read_only():
    """Lab 6's slice table is exposed read-only: a user write there is a
    protection fault, and the env that tries it goes (kern/kernel_vm.cc maps
    it; no lab region does, so this is the kit's check)."""
    from test_lab3 import KILLED_BY_TRAP, PAGE_FAULT, PF_PRESENT, PF_USER, PF_WRITE, run_program
    arg, end, report, result = run_program("writeslices", prefix="kit")
    if end["how"] != KILLED_BY_TRAP or end["detail"] != PAGE_FAULT:
        raise GradeFailure(f"writeslices wrote to the slice table and was not killed by a page fault "
                           f"(how {end['how']}, detail {end['detail']:#x})\n{result.tail()}")
    want_va = 0xFFFFFB0000000000 + 4096 + 64 * (end["id"] & 1023) + 4
    if end["fault_va"] != want_va or end["error_code"] & 7 != PF_PRESENT | PF_WRITE | PF_USER:
        raise GradeFailure(f"writeslices: fault at {end['fault_va']:#x} (error {end['error_code']:#x}), want a "
                           f"user write protection fault at {want_va:#x}\n{result.tail()}")


@pytest.mark.harness_only
def test_handin_tarball_round_trip(tmp_path):
    """make handin's tarball holds exactly lab N's files and a manifest
    that grade-submissions checks; a tree with uncommitted changes is
    refused unless forced."""
    import hashlib
    import io
    import json
    import shutil
    import subprocess
    import sys
    import tarfile
    from harness import ROOT
    sys.path.insert(0, str(ROOT / "tools"))
    from grade_submissions import handin_name, unpack
    # A throwaway git tree with the kit's lab definitions and handin script.
    kit = tmp_path / "kit"
    (kit / "tools").mkdir(parents=True)
    shutil.copytree(ROOT / "labs", kit / "labs")
    shutil.copy(ROOT / "tools" / "handin.py", kit / "tools" / "handin.py")
    files = json.loads((ROOT / "labs" / "lab6.json").read_text())["files"]
    for f in files:
        (kit / f).parent.mkdir(parents=True, exist_ok=True)
        (kit / f).write_text(f"// {f}: {nonce():#x}\n")
    git = ["git", "-c", "user.name=kit", "-c", "user.email=kit@example.invalid"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "lab 6"]):
        subprocess.run(git + cmd, cwd=kit, check=True, capture_output=True)
    handin = [sys.executable, "tools/handin.py", "--lab", "6", "--out", str(tmp_path / "out")]
    subprocess.run(handin, cwd=kit, check=True, capture_output=True)
    tarball = tmp_path / "out" / "lab6-handin.tar.gz"
    with tarfile.open(tarball) as tar:
        names = sorted(tar.getnames())
        manifest = json.loads(tar.extractfile("MANIFEST.json").read())
    assert names == sorted(files + ["MANIFEST.json"]), names
    assert manifest["lab"] == 6 and not manifest["dirty"] and len(manifest["kit_commit"]) == 40, manifest
    assert {e["path"]: e["sha256"] for e in manifest["files"]} == \
        {f: hashlib.sha256((kit / f).read_bytes()).hexdigest() for f in files}
    assert handin_name(tarball) == "lab6-handin"
    assert unpack(tarball, tmp_path / "unpacked") == "ok"
    # A file changed after packing is caught by the manifest.
    with tarfile.open(tarball) as tar, tarfile.open(tmp_path / "edited.tar.gz", "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == files[0]:
                data += b"// edited\n"
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    assert unpack(tmp_path / "edited.tar.gz", tmp_path / "unpacked") == \
        f"differs from its manifest: {files[0]}"
    # Uncommitted changes: refused, then packed with --force and marked dirty.
    (kit / files[0]).write_text("// changed\n")
    refused = subprocess.run(handin, cwd=kit, capture_output=True, text=True)
    assert refused.returncode != 0 and "uncommitted" in refused.stderr, refused.stderr
    subprocess.run(handin + ["--force"], cwd=kit, check=True, capture_output=True)
    with tarfile.open(tarball) as tar:
        assert json.loads(tar.extractfile("MANIFEST.json").read())["dirty"] is True


@pytest.mark.harness_only
def test_gradescope_uploads(tmp_path):
    """The packaged run_autograder, run the way Gradescope runs it (in a fake
    /autograder): the reference's lab 1 files uploaded flat, then in the
    kit's folders, score full marks; an upload without them scores 0 and
    says which files were expected."""
    import json
    import os
    import shutil
    import subprocess
    import zipfile
    from harness import ROOT
    from submission import editable_files
    subprocess.run(["make", "-s", "-C", str(ROOT), "gradescope", "LAB=1"], check=True,
                   capture_output=True)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(ROOT / "build" / "gradescope" / "lab1-autograder.zip") as z:
        z.extractall(root / "source")
    for info in zipfile.ZipFile(ROOT / "build" / "gradescope" / "lab1-autograder.zip").infolist():
        mode = info.external_attr >> 16
        if mode:
            os.chmod(root / "source" / info.filename, mode)
    files = editable_files(ROOT, 1)

    def grade(layout):
        shutil.rmtree(root / "submission", ignore_errors=True)
        shutil.rmtree(root / "results", ignore_errors=True)
        (root / "submission").mkdir()
        for f in files if layout else []:
            dest = root / "submission" / (f if layout == "folders" else os.path.basename(f))
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / f, dest)
        env = {**os.environ, "AUTOGRADER_ROOT": str(root), "EXOKIT_TIMEOUT_SCALE": "2"}
        run = subprocess.run([str(root / "source" / "run_autograder")], env=env,
                             capture_output=True, text=True)
        results = json.loads((root / "results" / "results.json").read_text())
        return results, run.stdout + run.stderr

    for layout in ("flat", "folders"):
        results, log = grade(layout)
        assert results["score"] == results["extra_data"]["max_score"] > 0, (layout, log[-3000:])
    results, log = grade(None)
    assert results["score"] == 0 and results["tests"], log[-3000:]
    for f in files:
        assert os.path.basename(f) in results["output"], results["output"]
    assert all(t["status"] == "failed" and "none of the files" in t["output"]
               for t in results["tests"]), results["tests"]


def ubsan_line(kind: str) -> int:
    source = (ROOT / "kern" / "selftest.cc").read_text().splitlines()
    for number, line in enumerate(source, 1):
        if line.endswith(f"// kit: ubsan {kind}"):
            return number
    raise GradeFailure(f"kern/selftest.cc has lost its '// kit: ubsan {kind}' line")


@pytest.mark.parametrize("kind", ["overflow", "shift", "bounds", "align"])
def test_ubsan_catches_undefined_behaviour(kind):
    """test=ubsan commits undefined behaviour on values chosen here. The
    sanitizer build (EXOKIT_SAN=1) must panic at that line and name what
    happened, with these values; the normal build has no checks, commits
    nothing and exits with success."""
    a = random.randint(2**30, 2**31 - 1)
    b = {"overflow": random.randint(2**31 - a, 2**31 - 1),     # a + b > INT_MAX
         "shift": random.randint(32, 10**6),                   # past int's 32 bits
         "bounds": random.randint(4, 10**6),                   # int[4]
         "align": 0}[kind]
    if kind == "align":
        a = random.randrange(0, 2**20, 4) + random.randint(1, 3)   # never a multiple of 4
    result = run(f"kit-ubsan-{kind}", {"test": "ubsan", "kind": kind, "a": a, "b": b})
    if not SAN:
        result.expect_status(EXIT_SUCCESS, "ubsan self-test without the sanitizer")
        return
    result.expect_status(EXIT_PANIC, f"ubsan self-test ({kind})")
    where = f"kern/selftest.cc:{ubsan_line(kind)}"
    m = re.search(rf"^kernel panic at {re.escape(where)}: undefined behaviour "
                  rf"\(column \d+\): (.*)$", result.output, re.M)
    if not m:
        raise GradeFailure(f"no sanitizer panic at {where}\n{result.tail()}")
    want = {"overflow": f"signed integer overflow: {a} + {b} in type 'int'",
            "shift": f"shift exponent {b} is out of range for 32-bit type 'int'",
            "bounds": f"index {b} is out of bounds for type 'int [4]'",
            "align": r"load of misaligned address 0x([0-9a-f]+) for type 'int', "
                     r"which needs 4-byte alignment"}[kind]
    got = m.group(1)
    if kind == "align":
        address = re.fullmatch(want, got)
        assert address and int(address.group(1), 16) % 4 == a % 4, got
    else:
        assert got == want, got


def test_gdb_script_follows_env(tmp_path):
    """`make gdb`'s script (tools/gdb/exokit.py, sourced by build/gdbinit):
    GDB in batch mode stops in a kernel function and in a user function,
    both by name, with no user symbols loaded by hand; `info envs` lists
    the env and its program; `bt` from the kernel reaches the user code;
    `pt` and `memmap` read the tables."""
    import subprocess
    from harness import GDB, KERNEL_ELF, LOOPBACK, Qemu
    # make's own gdbinit (the same for every build: the test names the kernel).
    init = ROOT / "build" / "gdbinit"
    if not init.exists():
        subprocess.run(["make", "-s", "build/gdbinit"], cwd=ROOT, check=True)
    with Qemu("kit-gdb-script", {"prog": "bench", "arg": hex(10 << 32 | 1 << 24 | 1), "idle": "exit"},
              gdb=True) as q:
        lines = [l for l in init.read_text().splitlines() if not l.startswith(("target remote", "file "))]
        script = tmp_path / "gdbinit"
        script.write_text("\n".join(["set pagination off", f"file {KERNEL_ELF}", *lines,
                                     f"target remote {LOOPBACK}:{q.gdb_port}",
                                     "hbreak syscall_trap", "continue",
                                     "echo STOP1 \n", "info symbol $pc", "bt", "delete",
                                     "hbreak sys_getenvid", "continue",
                                     "echo STOP2 \n", "info symbol $pc",
                                     "info envs", "pt $pc", "memmap", "kill"]) + "\n")
        out = subprocess.run([GDB, "-q", "-n", "-batch", "-x", str(script)], capture_output=True,
                             text=True, timeout=60).stdout
    first, _, second = out.partition("STOP2")
    assert "syscall_trap in section .text" in first.split("STOP1")[-1], out
    assert re.search(r"#\d+ .*\bumain \(", first), f"bt did not reach umain:\n{out}"
    assert "runs bench" in first, out
    assert re.search(r"sys_getenvid\(\) in section \.text", second), out
    assert re.search(r"^\* 00000400 00000000 running\s+bench\s", second, re.M), out
    assert re.search(r"-> pa 0x[0-9a-f]+", second), out
    assert re.search(r"legend: \. free \d+, # kernel \d+, a env 00000400 \d+", second), out
    assert "env 00000400's address space (a):" in second, out


@pytest.mark.harness_only
def test_grade_submissions_batch(tmp_path):
    """make grade-submissions on two Lab 1 submissions at once: the
    reference's files score full marks, a file that does not compile is
    build_failed; the gradebook has each one's wall time, gradebook.html
    its sections, and no QEMU is left running."""
    import csv
    import json
    import shutil
    import subprocess
    import sys
    from harness import ROOT
    files = json.loads((ROOT / "labs" / "lab1.json").read_text())["files"]
    subs = tmp_path / "submissions"
    for student in ("good", "broken"):
        for f in files:
            (subs / student / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / f, subs / student / f)
    with open(subs / "broken" / files[0], "a") as f:
        f.write("\nthis does not compile\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "grade_submissions.py"), "--lab", "1",
                           "--submissions", str(subs), "--out", str(out), "-j", "2", "--timeout", "300"],
                          capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {r["student"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
    assert rows["good"]["status"] == "graded" and rows["good"]["score"] == rows["good"]["max_score"], rows
    assert rows["broken"]["status"] == "build_failed", rows
    assert all(float(r["seconds"]) > 0 for r in rows.values()), rows
    page = (out / "gradebook.html").read_text()
    for section in ("Score distribution", "Tests: full marks", "Slowest submissions", "broken: build_failed"):
        assert section in page, section
    left = subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True).stdout
    assert not left.strip(), f"left running: {left}"


@pytest.mark.harness_only
def test_bench_table_short():
    """`make bench`'s table, short (few iterations): ExoKit and the Debian
    Linux guest both produce every row they should, in instructions, and
    results.json and table.md are written. Figures are reported, never
    asserted."""
    import json
    import subprocess
    import sys
    from harness import ROOT
    proc = subprocess.run([sys.executable, str(ROOT / "grade" / "bench.py"), "--short"],
                          cwd=ROOT / "grade", capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((BUILD / "bench" / "results.json").read_text())
    assert data["linux_error"] is None, data["linux_error"]
    assert 199_000 < data["calibration_linux"] < 201_000, data["calibration_linux"]
    for row in data["rows"]:
        assert row["exokit"], f"ExoKit has no figure for {row['row']}"
        if row["row"] != "switch":
            assert row["linux"], f"Linux has no figure for {row['row']}"
    table = (BUILD / "bench" / "table.md").read_text()
    assert all(f"| {row['row']} |" in table for row in data["rows"]), table


def test_monitor_memmap():
    """The monitor's memmap: 16 rows of 64 cells covering every frame, and a
    legend whose counts add up to the frame table's size."""
    from harness import Qemu
    with Qemu("kit-memmap", {}, timeout=30) as q:
        q.wait_for(r"K> $")
        q.send("memmap\n")
        legend = q.wait_for(r"legend: \. free (\d+), # kernel (\d+)([^\n]*)\n")
        q.send("exit 0x10\n")
        result = q.wait(within=10)
    header = re.search(r"physical memory: (\d+) frames .*, (\d+) a cell", result.output)
    assert header, result.output
    frames, per_cell = int(header.group(1)), int(header.group(2))
    rows = re.findall(r"^  [0-9a-f]{10} ([.#a-zA-Z]+)\r?$", result.output, re.M)
    assert len(rows) == 16 and sum(len(r) for r in rows) * per_cell >= frames, rows
    envs = sum(int(n) for n in re.findall(r"env [0-9a-f]{8} (\d+)", legend.group(3)))
    assert int(legend.group(1)) + int(legend.group(2)) + envs == frames, legend.group(0)
