"""Lab 2: physical memory and address spaces.

Each test stops the kernel at selftest_checkpoint and reads the frame table
or the page tables over GDB, then compares them with what this test
computed on its own.
"""
import random
import re
import subprocess

import pytest

from unit_tests import check_unit_group, unit_groups
from harness import EXIT_SUCCESS, KERNEL_ELF, GradeFailure, Qemu, gdb_session, nonce, run

PTE_P, PTE_W, PTE_U, PTE_G, PTE_NX = 1, 2, 4, 1 << 8, 1 << 63
ADDRESS_MASK = 0x000FFFFFFFFFF000
NO_FRAME = 0xFFFFFFFF
KERNBASE = 0xFFFFFFFF80000000
PHYS_MAP_BASE = 0xFFFF800000000000
FRAME_TABLE_VIEW = 0xFFFFFD0000000000   # lib/abi.hh: frame_table_view
PROGRAM_TABLE_VIEW = 0xFFFFFC0000000000  # lib/abi.hh: program_table_view (Lab 5)
SLICE_TABLE_VIEW = 0xFFFFFB0000000000    # lib/abi.hh: slice_table_view (Lab 6)
MEMORY_TABLE_VIEW = 0xFFFFFA0000000000   # lib/abi.hh: memory_table_view (Lab 7)


def run_with_gdb(name, args, script):
    with Qemu(name, args, gdb=True) as q:
        report = gdb_session(q, "gdb.execute('hbreak *selftest_checkpoint')\n"
                             + script + "\ngdb.execute('delete')\ngdb.execute('detach')\n")
        result = q.wait()
    return report, result


def linker_symbols():
    """Every symbol in the kernel ELF, by name (linker labels included)."""
    out = subprocess.run(["nm", str(KERNEL_ELF)], capture_output=True, text=True).stdout
    return {parts[2]: int(parts[0], 16) for parts in map(str.split, out.splitlines())
            if len(parts) == 3}


def check(condition, message):
    if not condition:
        raise GradeFailure(message)


def test_frame_allocator():
    """alloc, free and exhaustion, checked against the frame table itself."""
    k = random.randint(8, 64)
    n = nonce()
    report, result = run_with_gdb("lab2-frames", {"test": "frames", "k": k, "nonce": hex(n)}, """
stages = []
for expected in range(5):
    stage, arg = checkpoint()
    table = frame_table()
    held = words(value("(unsigned long)&selftest_frames"), value("selftest_frame_count"))
    contents = [phys_words(pa, 1)[0] for pa in held]
    stages.append({"stage": stage, "arg": arg, "held": held, "contents": contents,
                   "free_count": table["free_count"], "free_head": table["free_head"],
                   "free_list": table["free_list"],
                   "owner_of_held": [table["owner"][pa // 4096] for pa in held],
                   "ref_of_held": [table["refcount"][pa // 4096] for pa in held],
                   "arg_owned": table["owner"].count(arg),
                   "free_refs": sorted({table["refcount"][f] for f in table["free_list"]}),
                   "free_owners": sorted({table["owner"][f] for f in table["free_list"]}),
                   "count": table["count"]})
report(stages)
""")
    if not isinstance(report, list) or len(report) != 5:
        raise GradeFailure(f"the test stopped early: {result.describe()}\n{result.tail()}")
    s0, s1, s2, s3, s4 = report
    f0 = s0["free_count"]
    check(len(s0["free_list"]) == f0, f"free list has {len(s0['free_list'])} frames, "
          f"free_count says {f0}")
    check(f0 * 4096 > 100 << 20, f"only {f0} free frames in 128 MiB of RAM")
    check(s0["free_owners"] == [0] and s0["free_refs"] == [0],
          "frames on the free list must have owner 0 and refcount 0")
    owner = s1["arg"]
    check(len(s1["held"]) == k and len(set(s1["held"])) == k, "the frames are not distinct")
    check(all(o == owner for o in s1["owner_of_held"]), f"allocated frames must have owner {owner}")
    check(s1["arg_owned"] == k, f"{s1['arg_owned']} frames have the "
          f"test's owner; {k} were allocated")
    check(s1["free_count"] == f0 - k, f"free_count {s1['free_count']} after {k} allocations "
          f"from {f0}")
    check(not set(s1["held"]) & {f * 4096 for f in s1["free_list"]},
          "allocated frames are still on the free list")
    check(s1["contents"] == [n ^ i for i in range(k)], "frame contents do not match what was written "
          "(the frames overlap or are not real memory)")
    freed = {pa for i, pa in enumerate(s1["held"]) if i % 2 == 0}
    on_list = {f * 4096 for f in s2["free_list"]}
    check(freed <= on_list, "freed frames are not on the free list")
    check(len(s2["free_list"]) == s2["free_count"] == f0 - k + len(freed),
          f"after freeing {len(freed)}: free_count {s2['free_count']}, list {len(s2['free_list'])}")
    check(all(o == 0 for pa, o in zip(s2["held"], s2["owner_of_held"]) if pa in freed),
          "freed frames must have owner 0")
    check(s3["free_count"] == 0 and s3["free_head"] == NO_FRAME,
          "after exhausting memory the free list must be empty")
    check(s3["arg"] == f0 - k + len(freed), f"{s3['arg']} frames allocated until exhaustion; "
          f"{f0 - k + len(freed)} were free")
    check(s4["free_count"] == f0 == len(s4["free_list"]), "frames were lost after freeing everything")
    result.expect_status(EXIT_SUCCESS, "frames test")


class Random:
    """xorshift64*, as kern/selftest_lab2.cc has it."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        s = self.state
        s ^= s >> 12
        s ^= (s << 25) & (2**64 - 1)
        s ^= s >> 27
        self.state = s
        return (s * 0x2545F4914F6CDD1D) & (2**64 - 1)


def expected_mappings(seed, ops):
    regions = [0x400000, 0x00007FFFFFF00000, 0x0000008000000000, 0xFFFF900000000000]
    perms = [0, PTE_W, PTE_U, PTE_W | PTE_U, PTE_NX | PTE_U]
    rng, mappings = Random(seed), {}
    for _ in range(ops):
        r = rng.next()
        va = regions[(r >> 8) % 4] + ((r >> 16) % 64) * 4096
        if r % 4 == 3:
            mappings.pop(va, None)
            continue
        pa = ((rng.next() >> 20) << 12) & 0xFFFFFFFFF000
        mappings[va] = pa | perms[(r >> 32) % 5] | PTE_P
    return mappings


def test_page_table_operations():
    """Random map/unmap; the tree in memory must hold exactly the mappings
    this test predicts, and nothing else."""
    seed, ops = random.randint(1, 2**63), random.randint(200, 400)
    report, result = run_with_gdb("lab2-pagetable", {"test": "pagetable", "seed": seed, "ops": ops},
                                  """
stage, root = checkpoint()
leaves, inner = page_table(root)
report({"leaves": {str(va): e for va, e in leaves.items()}, "inner": inner})
""")
    result.expect_status(EXIT_SUCCESS, "page-table test")
    got = {int(va): e for va, e in report["leaves"].items()}
    want = expected_mappings(seed, ops)
    wrong = [f"{va:#x}: got {got.get(va, 0):#x}, want {want.get(va, 0):#x}"
             for va in sorted(set(got) | set(want)) if got.get(va) != want.get(va)]
    check(not wrong, f"{len(wrong)} mappings differ (seed {seed}, {ops} ops):\n" + "\n".join(wrong[:10]))
    bad_inner = [e for e in report["inner"] if e & (PTE_P | PTE_W | PTE_U) != PTE_P | PTE_W | PTE_U]
    check(not bad_inner, f"intermediate entries must be present, writable and user: "
          f"{[hex(e) for e in bad_inner[:5]]}")


def test_tlb_invalidation():
    """Remapping a live address must drop the stale TLB entry."""
    n = nonce()
    result = run("lab2-tlb", {"test": "tlb", "nonce": hex(n)})
    result.expect_status(EXIT_SUCCESS, "TLB test")
    check(re.search(rf"^tlb {n:x}: {n:x} {n ^ (2**64 - 1):x}$", result.output, re.M),
          f"the remapped page did not show the new frame:\n{result.tail()}")


def test_kernel_address_space():
    """The live page tables: image permissions, the direct map, the guard
    page, and an empty user half."""
    report, result = run_with_gdb("lab2-kernel-vm", {"test": "kernel-vm"}, """
stage, root = checkpoint()
leaves, inner = page_table(root)
report({"cr3": value("$cr3"), "root": root, "pml4": phys_words(root, 512),
        "count": value("frame_table.count"),
        "leaves": {str(va): e for va, e in leaves.items()}})
""")
    result.expect_status(EXIT_SUCCESS, "kernel address space test")
    check(report["cr3"] & ADDRESS_MASK == report["root"], "CR3 is not the kernel's page table")
    check(not any(report["pml4"][:256]), "the user half (PML4 entries 0-255) must be empty")
    leaves = {int(va): e for va, e in report["leaves"].items()}
    nm = linker_symbols()
    text, text_end, ro_end, end, guard = (nm["kernel_text_start"], nm["kernel_text_end"],
                                          nm["kernel_rodata_end"], nm["kernel_end"],
                                          nm["kernel_stack_guard"])
    problems = []
    expected = {}
    for pa in range(0, report["count"] * 4096, 4096):
        expected[PHYS_MAP_BASE + pa] = (pa, True, False)
    for va in range(text, end, 4096):
        if va != guard:
            expected[va] = (va - KERNBASE, va >= ro_end, va < text_end)
    for va, (pa, writable, executable) in expected.items():
        e = leaves.get(va)
        if e is None:
            problems.append(f"{va:#x} is not mapped")
        elif (e & ADDRESS_MASK, bool(e & PTE_W), not e & PTE_NX) != (pa, writable, executable):
            problems.append(f"{va:#x} -> {e:#x}: want pa {pa:#x}, "
                            f"{'writable' if writable else 'read-only'}, "
                            f"{'executable' if executable else 'no-execute'}")
        elif e & PTE_U:
            problems.append(f"{va:#x} is user-accessible")
        elif not e & PTE_G:
            # Shared by every address space: global, so a CR3 switch keeps them.
            problems.append(f"{va:#x} -> {e:#x} is not global")
        if len(problems) > 8:
            break
    # The frame table, the embedded programs and the slice vector, exposed to
    # library OSes (lib/abi.hh's *_view; kern/kernel_vm.cc maps them, outside
    # the exercise): user-readable only.
    views = (FRAME_TABLE_VIEW, PROGRAM_TABLE_VIEW, SLICE_TABLE_VIEW, MEMORY_TABLE_VIEW)
    exposed = {va for va in leaves if any(view <= va < view + (1 << 39) for view in views)}
    for va in sorted(exposed)[:8] + sorted(exposed)[-8:]:
        e = leaves[va]
        if not e & PTE_U or e & PTE_W or not e & PTE_NX:
            problems.append(f"the exposed page {va:#x} -> {e:#x} must be user, "
                            f"read-only and no-execute")
    extra = sorted(set(leaves) - set(expected) - exposed)
    if guard in leaves:
        problems.append(f"the guard page under the kernel stack ({guard:#x}) is mapped")
    elif extra:
        problems.append(f"{len(extra)} unexpected mappings, e.g. {extra[0]:#x}")
    check(not problems, "kernel address space:\n" + "\n".join(problems))


@pytest.mark.parametrize("group", unit_groups(2))
def test_unit(group):
    """Host unit tests of this lab's files (grade/unit/), a group of suites
    at a time; `make unit` runs them all with GoogleTest's own report."""
    check_unit_group(2, group)
