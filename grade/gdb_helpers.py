# Runs inside GDB (harness.gdb_session prepends it to every script): small
# readers for kernel state, so tests look at memory, not at console text.
import struct

PHYS_MAP_BASE = 0xFFFF800000000000
ADDRESS_MASK = 0x000FFFFFFFFFF000
_inferior = gdb.selected_inferior()


def value(expr):
    return int(gdb.parse_and_eval(expr))


def read(addr, size):
    return bytes(_inferior.read_memory(addr, size))


def words(addr, count):
    return list(struct.unpack("<%dQ" % count, read(addr, 8 * count)))


def phys_words(pa, count):
    return words(PHYS_MAP_BASE + pa, count)


def resume():
    """Continues from a stop. Continuing straight from a breakpoint, QEMU
    sometimes reports that same breakpoint again without running anything:
    in user code a pending timer tick is taken first and the breakpoint hit
    on the way back, and under load even a kernel breakpoint (interrupts
    off) was seen twice. Either way one event would count twice. A single
    step first (QEMU steps with interrupts held off) moves past it."""
    gdb.execute("stepi", to_string=True)
    gdb.execute("continue")


def other_stops(stages, max_stages):
    """Runs a program from stop to stop, with a hardware breakpoint on
    selftest_checkpoint among others. Each checkpoint is appended to stages
    as [stage, value, free frames]; the run ends at the last one (every env
    done, 0x1D1E, or the first env refused, 0xE1) or after max_stages.
    Yields at every other stop, with the CPU there; the caller may break."""
    checkpoint_pc = value("(unsigned long)&selftest_checkpoint")
    while len(stages) < max_stages:
        resume()
        if value("$pc") == checkpoint_pc:
            stages.append([value("$rdi"), value("$rsi"), value("frame_table.free_count")])
            if stages[-1][0] in (0x1D1E, 0xE1):
                return
            continue
        yield


def checkpoint():
    """Runs to the next selftest_checkpoint(stage, value); returns both."""
    resume()
    return value("$rdi"), value("$rsi")


ENV_END_FORMAT = "<iiIIQQQQ"   # kern/env.hh's EnvEnd, field for field


def env_ends():
    """The kernel's record of how envs ended, oldest first. env_ends[] is a
    ring: after more endings than it holds, the most recent ones."""
    size = value("sizeof(env_ends) / sizeof(env_ends[0])")
    stride = value("sizeof(env_ends[0])")
    if stride != struct.calcsize(ENV_END_FORMAT):
        raise gdb.GdbError("EnvEnd changed: update ENV_END_FORMAT in grade/gdb_helpers.py")
    raw = read(value("(unsigned long)&env_ends"), size * stride)
    count = value("env_end_count")
    ends = []
    for k in range(max(0, count - size), count):
        id_, parent, how, _, detail, fault_va, rip, error_code = struct.unpack_from(
            ENV_END_FORMAT, raw, (k % size) * stride)
        ends.append({"id": id_, "parent": parent, "how": how, "detail": detail, "fault_va": fault_va,
                     "rip": rip, "error_code": error_code})
    return ends


CPU_VIEW_FORMAT = "<iIIIIIIIQQQQ"   # lib/abi.hh's EnvCpuView, field for field
CPU_VIEW_FIELDS = ("env_id", "slots", "in_epilogue", "borrowed", "overruns", "slice_length",
                   "epilogue_ticks", "unused", "slices", "epilogues", "prologues", "handoffs")


def slice_report(env_ids):
    """Lab 6: the slice table's clock and counters, and each env's CPU
    counters (slice_table.env, by env index), keyed by env id."""
    stride = value("sizeof(slice_table.env[0])")
    if stride != struct.calcsize(CPU_VIEW_FORMAT):
        raise gdb.GdbError("EnvCpuView changed: update CPU_VIEW_FORMAT in grade/gdb_helpers.py")
    base = value("(unsigned long)&slice_table.env")
    envs = {}
    for env_id in env_ids:
        view = dict(zip(CPU_VIEW_FIELDS, struct.unpack(CPU_VIEW_FORMAT, read(base + stride * (env_id & 1023), stride))))
        if view["env_id"] == env_id:
            envs[str(env_id)] = view   # JSON keys are strings
    header = {name: value("slice_table." + name)
              for name in ("ticks", "turns", "handoffs", "slice_ticks", "epilogue_budget")}
    return {"envs": envs, **header}


MEMORY_VIEW_FORMAT = "<iIIIII" + "Q" * 13   # lib/abi.hh's EnvMemoryView, up to the vector
MEMORY_VIEW_FIELDS = ("env_id", "quota", "held", "pending", "requested", "target", "requested_at",
                      "deadline", "answered_at", "requests", "complied", "aborts", "repossessed",
                      "released", "request_released", "refused", "upcalls", "notices", "vector_count")
REPOSSESSION_SLOTS = 112


def memory_report(env_ids):
    """Lab 7: the memory table's pool and each env's quota, request
    counters and repossession vector (memory_table.env, by env index),
    keyed by env id."""
    stride = value("sizeof(memory_table.env[0])")
    head = struct.calcsize(MEMORY_VIEW_FORMAT)
    if stride != head + 8 * REPOSSESSION_SLOTS or value("sizeof(memory_table.env[0].vector)") != 8 * REPOSSESSION_SLOTS:
        raise gdb.GdbError("EnvMemoryView changed: update MEMORY_VIEW_FORMAT in grade/gdb_helpers.py")
    base = value("(unsigned long)&memory_table.env")
    envs = {}
    for env_id in env_ids:
        raw = read(base + stride * (env_id & 1023), stride)
        view = dict(zip(MEMORY_VIEW_FIELDS, struct.unpack_from(MEMORY_VIEW_FORMAT, raw)))
        ring = struct.unpack_from("<%dQ" % REPOSSESSION_SLOTS, raw, head)
        count = view["vector_count"]
        view["vector"] = [ring[i % REPOSSESSION_SLOTS] for i in range(max(0, count - REPOSSESSION_SLOTS), count)]
        if view["env_id"] == env_id:
            envs[str(env_id)] = view
    header = {name: value("memory_table." + name) for name in ("pool_limit", "pool_held", "grace_ticks")}
    return {"envs": envs, **header}


def audit_report():
    """The frame-table audit's verdict (kern/audit.hh's audit_report): how
    many runs, how many failed, and the first problem found."""
    first = "audit_report.first."
    return {"runs": value("audit_report.runs"), "failures": value("audit_report.failures"),
            "problem": value("(unsigned)" + first + "problem"), "frame": value(first + "frame"),
            "owner": value(first + "owner"), "expected": value(first + "expected"),
            "found": value(first + "found"), "mapper": value(first + "mappers[0]")}


def pte_of(pml4, va):
    """The last-level entry for va in the page table rooted at pml4 (a
    physical address), or 0 if some level is missing."""
    table = pml4
    for shift in (39, 30, 21, 12):
        entry = phys_words(table + ((va >> shift) & 511) * 8, 1)[0]
        if not entry & 1:
            return 0
        if shift == 12:
            return entry
        table = entry & ADDRESS_MASK
    return 0


def frame_table():
    """The frame table as lists: refcount, owner, next_free per frame."""
    base, count = value("frame_table.frames"), value("frame_table.count")
    raw = b"".join(read(base + off, min(65536, count * 16 - off))
                   for off in range(0, count * 16, 65536))
    refs, owners, nexts = [], [], []
    for i in range(count):
        ref, owner, nxt, _ = struct.unpack_from("<IiII", raw, 16 * i)
        refs.append(ref)
        owners.append(owner)
        nexts.append(nxt)
    free_list, seen, f = [], set(), value("frame_table.free_head")
    while f != 0xFFFFFFFF and f < count and f not in seen and len(free_list) <= count:
        free_list.append(f)
        seen.add(f)
        f = nexts[f]
    return {"count": count, "free_count": value("frame_table.free_count"),
            "free_head": value("frame_table.free_head"), "refcount": refs,
            "owner": owners, "free_list": free_list}


def page_table(root, user_only=False):
    """Every mapping under root (or under its user half, the lower 256 PML4
    slots): leaves {va: entry} and the inner entries."""
    leaves, inner = {}, []

    def visit(table_pa, level, base):
        for i, entry in enumerate(phys_words(table_pa, 512)):
            if user_only and level == 3 and i >= 256:
                break
            if not entry & 1:
                continue
            if level == 3 and entry & ADDRESS_MASK == root:
                continue   # an env's self-map (Lab 4): the tree again, as data
            va = base | (i << (12 + 9 * level))
            if level == 3 and i >= 256:
                va |= 0xFFFF000000000000      # sign-extend the upper half
            if level == 0 or entry & 0x80:
                leaves[va] = entry
            else:
                inner.append(entry)
                visit(entry & ADDRESS_MASK, level - 1, va)

    visit(root, 3, 0)
    return leaves, inner
