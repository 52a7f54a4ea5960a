"""GDB that knows the exokernel. `make gdb` loads it.

- User symbols follow the running environment: at every stop with an env
  current, the symbols of the program it runs are loaded (and the previous
  program's dropped), so `break umain`, `bt` across the user/kernel
  boundary and `list` work without `symbol-file`. The kernel does not know
  which program an env runs (spawn is the library OS's), so the program is
  recognised by its code: the bytes of each candidate's `umain`, read
  through the env's own page tables.
- `info envs`: the env table (id, parent, status, program, upcall entry,
  frames owned).
- `pt VA [ENVID]`: VA's walk through an env's page tables, level by level,
  with each entry's bits decoded.
- `frames [OWNER]`: who owns the frames, summarised; with OWNER (an env id,
  `kernel` or `free`), its frames and their reference counts.
- `memmap`: physical memory as a grid of frames by owner, and the current
  env's mapped ranges.
- `audit`: runs the kernel's Lab 4 audit (only when stopped in the kernel).
- `pte VALUE`: decodes a page-table entry.
- Pretty-printers for TrapFrame, UTrapFrame, Env and Mapping, and an
  unwinder that takes `bt` from the kernel's entry code into the user code
  that trapped.

Every reader goes through GDB's view of memory: the kernel half is mapped
in every address space, and physical memory is reached through the direct
map, so it works whatever CR3 holds.
"""
import os
import struct
import shutil
import subprocess

import gdb
import gdb.unwinder

# x86-64 binutils on any host: the cross ones' names first (an arm64 host's
# own objdump cannot disassemble x86-64).
OBJDUMP = shutil.which("x86_64-linux-gnu-objdump") or "objdump"
NM = shutil.which("x86_64-linux-gnu-nm") or "nm"

PHYS_MAP_BASE = 0xFFFF800000000000
USER_TOP = 0x00007FFFFFFFF000
ADDRESS_MASK = 0x000FFFFFFFFFF000
MAX_ENVS = 1024
STATUS = {0: "free", 1: "runnable", 2: "running", 3: "not runnable", 4: "receiving"}
OWNER_FREE, OWNER_KERNEL = 0, -1
BITS = [(0, "P"), (1, "W"), (2, "U"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"), (7, "PS"),
        (8, "G"), (9, "COW"), (10, "SHARE"), (11, "SW2"), (63, "NX")]

KIT = os.environ.get("EXOKIT_BUILD") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build")
USER_DIR = os.path.join(KIT, "user")


def value(expr):
    return int(gdb.parse_and_eval(expr))


def read(addr, size):
    return bytes(gdb.selected_inferior().read_memory(addr, size))


def phys_word(pa):
    return struct.unpack("<Q", read(PHYS_MAP_BASE + pa, 8))[0]


def decode(entry):
    """A page-table entry's address and set bits, as text."""
    names = [name for bit, name in BITS if entry & (1 << bit)]
    return f"{entry & ADDRESS_MASK:#x} [{' '.join(names) or '-'}]"


def walk(root, va):
    """[(level, index, entry)] from the PML4 down, stopping at the first
    entry that is not present (or the leaf)."""
    steps, table = [], root
    for level in (3, 2, 1, 0):
        index = (va >> (12 + 9 * level)) & 511
        entry = phys_word(table + 8 * index)
        steps.append((level, index, entry))
        if not entry & 1 or level == 0:
            break
        table = entry & ADDRESS_MASK
    return steps


def translate(root, va):
    steps = walk(root, va)
    level, _, entry = steps[-1]
    if level != 0 or not entry & 1:
        return None
    return (entry & ADDRESS_MASK) | (va & 0xFFF)


def env_at(index):
    return gdb.parse_and_eval(f"envs[{index}]")


def live_envs():
    envs = []
    for i in range(MAX_ENVS):
        e = env_at(i)
        if int(e["status"]) != 0:
            envs.append(e)
    return envs


def find_env(env_id):
    if env_id == 0:
        current = value("(unsigned long)current_env")
        return gdb.parse_and_eval("*current_env") if current else None
    e = env_at(env_id & (MAX_ENVS - 1))
    return e if int(e["status"]) != 0 and int(e["id"]) == env_id else None


class Programs:
    """The user programs in build/user and the bytes of each one's umain."""

    def __init__(self):
        self.known = None

    def load(self):
        if self.known is not None:
            return self.known
        self.known = []
        if not os.path.isdir(USER_DIR):
            return self.known
        for name in sorted(os.listdir(USER_DIR)):
            path = os.path.join(USER_DIR, name)
            if not os.path.isfile(path) or not os.access(path, os.X_OK):
                continue
            sig = umain_bytes(path)
            if sig:
                self.known.append((name, path, sig[0], sig[1]))
        return self.known

    def identify(self, root):
        """The program whose umain the address space at root holds."""
        for name, path, address, code in self.load():
            try:
                pa = translate(root, address)
                if pa is not None and pa & 0xFFF <= 4096 - len(code) and read(PHYS_MAP_BASE + pa, len(code)) == code:
                    return name, path
            except gdb.MemoryError:
                continue
        return None, None


def umain_bytes(path):
    """(address, the first 32 bytes of umain) from an ELF, or None."""
    try:
        out = subprocess.run([NM, path], capture_output=True, text=True, check=True).stdout
        # umain(unsigned long), mangled; the weak umain(int, char**) is the
        # library's and the same in every program.
        address = next(int(l.split()[0], 16) for l in out.splitlines()
                       if l.endswith(" T _Z5umainm") or l.endswith(" T umain"))
        sections = subprocess.run([OBJDUMP, "-h", "-w", path], capture_output=True, text=True,
                                  check=True).stdout
        with open(path, "rb") as f:
            data = f.read()
    except (subprocess.CalledProcessError, StopIteration, OSError):
        return None
    for line in sections.splitlines():
        parts = line.split()
        if len(parts) > 6 and parts[1] == ".text":
            size, vma, offset = int(parts[2], 16), int(parts[3], 16), int(parts[5], 16)
            if vma <= address < vma + size:
                start = offset + address - vma
                return address, data[start:start + 32]
    return None


PROGRAMS = Programs()
STATE = {"loaded": None, "env": None}


def program_of(env):
    cache = STATE.setdefault("programs", {})
    key = (int(env["id"]), int(env["pml4"]))
    if key not in cache:
        cache[key] = PROGRAMS.identify(int(env["pml4"]))[0]
    return cache[key]


def follow_env(event=None):
    """Loads the symbols of the program the current env runs."""
    try:
        current = value("(unsigned long)current_env")
    except gdb.error:
        return
    if not current:
        return
    env = gdb.parse_and_eval("*current_env")
    key = (int(env["id"]), int(env["pml4"]))
    if STATE["env"] == key:
        return
    STATE["env"] = key
    name = program_of(env)
    if not name or name == STATE["loaded"]:
        return
    path = os.path.join(USER_DIR, name)
    if STATE["loaded"]:
        gdb.execute(f"remove-symbol-file {os.path.join(USER_DIR, STATE['loaded'])}", to_string=True)
    gdb.execute(f"add-symbol-file {path}", to_string=True)
    STATE["loaded"] = name
    print(f"[exokit] env {int(env['id']):08x} runs {name}: its symbols are loaded")


def note_loaded(name):
    """`make gdb` loaded this program's symbols up front (run-PROG-gdb)."""
    STATE["loaded"] = name


class InfoEnvs(gdb.Command):
    """The env table: id, parent, status, program, fault upcall entry, frames owned."""

    def __init__(self):
        super().__init__("info envs", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        owned = frames_by_owner()
        current = value("(unsigned long)current_env")
        print(f"  {'id':>8} {'parent':>8} {'status':<13} {'program':<14} {'upcall':>18} {'frames':>6}")
        for e in live_envs():
            env_id = int(e["id"])
            mark = "*" if int(e.address) == current else " "
            print(f"{mark} {env_id:08x} {int(e['parent_id']):08x} {STATUS.get(int(e['status']), '?'):<13} "
                  f"{program_of(e) or '?':<14} {int(e['upcalls']['fault_entry']):>#18x} "
                  f"{owned.get(env_id, 0):>6}")


def frame_table():
    count = value("frame_table.count")
    base = value("(unsigned long)frame_table.frames")
    raw = read(base, count * 16)
    return [struct.unpack_from("<IiII", raw, 16 * i)[:2] for i in range(count)]


def frames_by_owner():
    owned = {}
    for _, owner in frame_table():
        owned[owner] = owned.get(owner, 0) + 1
    return owned


def owner_name(owner):
    return {OWNER_FREE: "free", OWNER_KERNEL: "kernel"}.get(owner, f"env {owner & 0xFFFFFFFF:08x}")


class Frames(gdb.Command):
    """frames [OWNER]: frames by owner; with OWNER (env id, kernel, free), its frames."""

    def __init__(self):
        super().__init__("frames", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        table = frame_table()
        if not arg.strip():
            owned, refs = {}, {}
            for refcount, owner in table:
                owned[owner] = owned.get(owner, 0) + 1
                refs[owner] = refs.get(owner, 0) + refcount
            print(f"{len(table)} frames ({len(table) * 4 // 1024} MiB)")
            for owner in sorted(owned, key=lambda o: (o > 0, o)):
                print(f"  {owner_name(owner):<14} {owned[owner]:>6} frames, {refs[owner]:>6} references")
            return
        word = arg.strip()
        owner = {"free": OWNER_FREE, "kernel": OWNER_KERNEL}.get(word)
        if owner is None:
            owner = int(gdb.parse_and_eval(word))
            owner = owner - (1 << 32) if owner >= 1 << 31 else owner
        mine = [(n, refcount) for n, (refcount, o) in enumerate(table) if o == owner]
        print(f"{owner_name(owner)}: {len(mine)} frames")
        for n, refcount in mine[:256]:
            print(f"  frame {n:#7x} (pa {n << 12:#x}) refcount {refcount}")
        if len(mine) > 256:
            print(f"  ... and {len(mine) - 256} more")


class PageWalk(gdb.Command):
    """pt VA [ENVID]: VA's walk through the env's page tables (default: the current env, or CR3)."""

    def __init__(self):
        super().__init__("pt", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if not words:
            raise gdb.GdbError("usage: pt VA [ENVID]")
        va = int(gdb.parse_and_eval(words[0])) & 0xFFFFFFFFFFFFFFFF
        if len(words) > 1:
            env = find_env(int(gdb.parse_and_eval(words[1])))
            if env is None:
                raise gdb.GdbError(f"no env {words[1]}")
            root, whose = int(env["pml4"]), f"env {int(env['id']):08x}"
        elif value("(unsigned long)current_env"):
            root, whose = value("current_env->pml4"), f"env {value('current_env->id'):08x}"
        else:
            root, whose = value("$cr3") & ADDRESS_MASK, "CR3"
        print(f"{va:#x} in {whose}'s tables (root {root:#x}):")
        for level, index, entry in walk(root, va):
            name = ["PT  ", "PD  ", "PDPT", "PML4"][level]
            state = decode(entry) if entry & 1 else "not present"
            print(f"  {name}[{index:3}] = {entry:#018x}  {state}")
        pa = translate(root, va)
        print(f"  -> {'pa %#x' % pa if pa is not None else 'no mapping'}")


class Pte(gdb.Command):
    """pte VALUE: a page-table entry's address and bits."""

    def __init__(self):
        super().__init__("pte", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        print(decode(int(gdb.parse_and_eval(arg)) & 0xFFFFFFFFFFFFFFFF))


ENV_MARKS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def mark_of(owner):
    """The monitor's letters (kern/memmap.cc): envs by slot."""
    if owner == OWNER_FREE:
        return "."
    if owner == OWNER_KERNEL:
        return "#"
    return ENV_MARKS[(owner & (MAX_ENVS - 1)) % len(ENV_MARKS)]


def memmap_text(columns=64, rows=16):
    """The monitor's memmap, drawn from GDB: physical memory as a grid
    (a cell shows an env if it holds any env's frame, else the kernel if
    any, else free), a legend, and the current env's mapped ranges."""
    table = frame_table()
    per_cell = max(1, -(-len(table) // (columns * rows)))
    lines = [f"physical memory: {len(table)} frames ({len(table) // 256} MiB), {per_cell} a cell: "
             f". free, # kernel, letters envs"]
    for first in range(0, len(table), columns * per_cell):
        cells = []
        for start in range(first, min(first + columns * per_cell, len(table)), per_cell):
            owners = [o for _, o in table[start:start + per_cell]]
            env_owners = [o for o in owners if o > 0]
            shown = env_owners[0] if env_owners else OWNER_KERNEL if OWNER_KERNEL in owners else OWNER_FREE
            cells.append(mark_of(shown))
        lines.append(f"  {first << 12:010x} {''.join(cells)}")
    counts = {}
    for _, o in table:
        counts[o] = counts.get(o, 0) + 1
    legend = f"legend: . free {counts.get(OWNER_FREE, 0)}, # kernel {counts.get(OWNER_KERNEL, 0)}"
    for e in live_envs():
        env_id = int(e["id"])
        legend += f", {mark_of(env_id)} env {env_id:08x} {counts.get(env_id, 0)}"
    lines.append(legend)
    if value("(unsigned long)current_env"):
        env_id = value("current_env->id")
        lines.append(f"env {env_id:08x}'s address space ({mark_of(env_id)}):")
        lines += address_space_ranges(value("current_env->pml4"))
    return "\n".join(lines)


def address_space_ranges(root):
    """The user half's mappings, merged into ranges of equal permissions."""
    ranges = []

    def visit(table, level, base):
        raw = read(PHYS_MAP_BASE + table, 4096)
        for i in range(512 if level < 3 else 256):
            entry = struct.unpack_from("<Q", raw, 8 * i)[0]
            if not entry & 1:
                continue
            va = base | (i << (12 + 9 * level))
            if level == 0:
                perm = "r" + ("w" if entry & 2 else "-") + ("-" if entry & (1 << 63) else "x")
                perm += " cow" if entry & (1 << 9) else " share" if entry & (1 << 10) else ""
                if ranges and ranges[-1][1] == va and ranges[-1][2] == perm:
                    ranges[-1][1] = va + 4096
                else:
                    ranges.append([va, va + 4096, perm])
            else:
                visit(entry & ADDRESS_MASK, level - 1, va)

    visit(root, 3, 0)
    return [f"  {lo:012x}-{hi:012x} {perm} {(hi - lo) >> 12} page(s)" for lo, hi, perm in ranges]


class Memmap(gdb.Command):
    """memmap: physical memory by owner, and the current env's mapped ranges."""

    def __init__(self):
        super().__init__("memmap", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        print(memmap_text())


class Audit(gdb.Command):
    """audit: runs the kernel's audit of frame ownership (Lab 4), stopped in the kernel."""

    def __init__(self):
        super().__init__("audit", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if value("$cs") & 3:
            raise gdb.GdbError("audit runs kernel code: stop in the kernel first (e.g. hbreak trap)")
        try:
            gdb.parse_and_eval("audit::run")
        except gdb.error:
            raise gdb.GdbError("this kernel has no audit (it comes with Lab 4)")
        ok = bool(gdb.parse_and_eval("audit::run()"))
        print("audit: ok: every frame's owner and refcount match the page tables" if ok
              else "audit: problems found; the kernel printed them on its console")


class TrapFramePrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        ring = int(v["cs"]) & 3
        return (f"vector {int(v['vector'])} err {int(v['error_code']):#x} rip {int(v['rip']):#x} "
                f"rsp {int(v['rsp']):#x} rflags {int(v['rflags']):#x} ring {ring} | "
                f"rax {int(v['rax']):#x} rdi {int(v['rdi']):#x} rsi {int(v['rsi']):#x} "
                f"rdx {int(v['rdx']):#x}")


class UTrapFramePrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        return (f"fault_va {int(v['fault_va']):#x} err {int(v['error_code']):#x} vector "
                f"{int(v['vector'])} rip {int(v['rip']):#x} rsp {int(v['rsp']):#x} "
                f"rflags {int(v['rflags']):#x}")


class EnvPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        status = STATUS.get(int(v["status"]), "?")
        if status == "free":
            return "free env slot"
        return (f"env {int(v['id']):08x} ({status}, parent {int(v['parent_id']):08x}, "
                f"pml4 {int(v['pml4']):#x}, rip {int(v['tf']['rip']):#x})")

    def children(self):
        for field in self.val.type.fields():
            yield field.name, self.val[field.name]


class MappingPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        if not bool(self.val["present"]):
            return "not mapped"
        return f"pa {int(self.val['pa']):#x} perm {decode(int(self.val['perm']))}"


def printers(val):
    name = val.type.strip_typedefs().unqualified().tag
    return {"TrapFrame": TrapFramePrinter, "UTrapFrame": UTrapFramePrinter, "Env": EnvPrinter,
            "Mapping": MappingPrinter}.get(name, lambda v: None)(val)


class TrapUnwinder(gdb.unwinder.Unwinder if hasattr(gdb, "unwinder") else object):
    """`bt` across the user/kernel boundary. The kernel's frame chain ends
    at the entry code (trapentry.S zeroes rbp); the frame below it is the
    user code that trapped, whose registers are in the running env's tf."""

    def __init__(self):
        super().__init__("exokit-trap")
        self.ranges = None

    def entry_ranges(self):
        if self.ranges is None:
            self.ranges = []
            for start, end in (("syscall_entry", "trap_common"), ("trap_common", "trap_return")):
                try:
                    self.ranges.append((value(f"(unsigned long)&{start}"), value(f"(unsigned long)&{end}")))
                except gdb.error:
                    pass
        return self.ranges

    def __call__(self, pending_frame):
        pc_value = pending_frame.read_register("rip")
        pc = int(pc_value)
        if not any(lo <= pc < hi for lo, hi in self.entry_ranges()):
            return None
        try:
            if not value("(unsigned long)current_env"):
                return None
            tf = gdb.parse_and_eval("current_env->tf")
        except gdb.error:
            return None
        if int(tf["cs"]) & 3 != 3:
            return None
        sp = pending_frame.read_register("rsp")
        info = pending_frame.create_unwind_info(FrameId(sp, pc_value))
        ulong = gdb.lookup_type("unsigned long")
        for reg in ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
                    "r12", "r13", "r14", "r15", "rip"):
            info.add_saved_register(reg, tf[reg].cast(ulong))
        return info


class FrameId:
    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


def register():
    InfoEnvs()
    Frames()
    PageWalk()
    Pte()
    Memmap()
    Audit()
    gdb.pretty_printers.append(printers)
    if hasattr(gdb, "unwinder"):
        gdb.unwinder.register_unwinder(None, TrapUnwinder(), replace=True)
    gdb.events.stop.connect(follow_env)


register()
