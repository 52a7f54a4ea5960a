#include "kern/monitor.hh"
#include "kern/audit.hh"
#include "kern/backtrace.hh"
#include "kern/console.hh"
#include "kern/memlayout.hh"
#include "kern/memmap.hh"
#include "kern/qemu_exit.hh"
#include "kern/userprogs.hh"
#include "kern/x86.hh"
#include "lib/parse.hh"
#include "lib/string.hh"

extern "C" char kernel_text_start[], kernel_text_end[], kernel_data_end[], kernel_end[];

namespace {

constexpr size_t max_args = 8;

struct Command {
    const char* name;
    const char* help;
    void (*run)(int argc, char** argv);
};

void cmd_help(int, char**);

void cmd_kerninfo(int, char**) {
    cprintf("Kernel image (virtual addresses; physical = virtual - 0x%lx):\n", kernbase);
    cprintf("  text  %p .. %p\n", kernel_text_start, kernel_text_end);
    cprintf("  data  %p .. %p\n", kernel_text_end, kernel_data_end);
    cprintf("  end   %p  (%lu KiB in memory)\n", kernel_end,
            (reinterpret_cast<uintptr_t>(kernel_end) - reinterpret_cast<uintptr_t>(kernel_text_start)) / 1024);
    cprintf("User programs:");
    for (const UserProgram* p = user_programs(); p->name; ++p) cprintf(" %s", p->name);
    cprintf("\n");
}

void cmd_backtrace(int, char**) { print_backtrace(); }

// The page-table entry flags worth showing, lowest bit first.
void print_pte_flags(uint64_t e) {
    cprintf("%c%c%c%c%c%c%c", (e & 1) ? 'P' : '-', (e & 2) ? 'W' : '-', (e & 4) ? 'U' : '-',
            (e & 0x20) ? 'A' : '-', (e & 0x40) ? 'D' : '-', (e & 0x100) ? 'G' : '-',
            (e >> 63) ? 'X' : '-');
}

// Walks the live page tables for va, printing each level. Returns the
// physical address, or ~0 if va is not mapped.
uint64_t show_translation(uint64_t va, bool verbose) {
    static const char* const level_names[] = {"PML4", "PDPT", "PD", "PT"};
    constexpr uint64_t address_mask = 0x000FFFFFFFFFF000;
    uint64_t table = x86::read_cr3() & address_mask;
    for (int level = 0; level < 4; ++level) {
        int shift = 39 - 9 * level;
        unsigned index = (va >> shift) & 511;
        uint64_t entry = phys_to_kva<uint64_t>(table)[index];
        if (verbose) {
            cprintf("  %-4s[%3u] = %016lx ", level_names[level], index, entry);
            print_pte_flags(entry);
            cprintf("%s\n", (level == 1 || level == 2) && (entry & 0x80) ? " (large page)" : "");
        }
        if (!(entry & 1)) return ~0ul;
        if ((level == 1 || level == 2) && (entry & 0x80)) {
            uint64_t page_mask = (1ul << shift) - 1;
            return (entry & address_mask & ~page_mask) | (va & page_mask);
        }
        table = entry & address_mask;
    }
    return table | (va & 0xFFF);
}

void cmd_pagetable(int argc, char** argv) {
    uint64_t va;
    if (argc != 2 || !parse_u64(argv[1], &va)) {
        cprintf("usage: pt VIRTUAL-ADDRESS\n");
        return;
    }
    cprintf("Translation of %016lx (CR3 %016lx):\n", va, x86::read_cr3());
    uint64_t pa = show_translation(va, true);
    if (pa == ~0ul) cprintf("  not mapped\n");
    else cprintf("  -> physical %016lx\n", pa);
}

void cmd_examine(int argc, char** argv) {
    uint64_t va, count = 4;
    if (argc < 2 || argc > 3 || !parse_u64(argv[1], &va) ||
        (argc == 3 && !parse_u64(argv[2], &count)) || va % 8 != 0) {
        cprintf("usage: x ALIGNED-ADDRESS [QUADWORDS]\n");
        return;
    }
    for (uint64_t i = 0; i < count && i < 256; ++i, va += 8) {
        // Check each page before touching it: a fault here would be fatal.
        if (show_translation(va, false) == ~0ul) {
            cprintf("%016lx: not mapped\n", va);
            return;
        }
        cprintf("%016lx: %016lx\n", va, *reinterpret_cast<const uint64_t*>(va));
    }
}

void cmd_exit(int argc, char** argv) {
    uint64_t code;
    if (argc != 2 || !parse_u64(argv[1], &code) || code > 0x7F) {
        cprintf("usage: exit CODE   (0..0x7f; QEMU exits with status CODE*2+1)\n");
        return;
    }
    qemu::exit(static_cast<uint8_t>(code));
}

void cmd_audit(int, char**) {
    if (audit::run())
        cprintf("audit: ok: %lu frames, %lu free; every refcount matches the page tables\n",
                frame_table.count, frame_table.free_count);
}

void cmd_memmap(int argc, char** argv) {
    uint64_t id = 0;
    if (argc > 2 || (argc == 2 && !parse_u64(argv[1], &id))) {
        cprintf("usage: memmap [ENVID]   (ENVID in hex, as the kernel prints it)\n");
        return;
    }
    const Env* env = nullptr;
    if (argc == 2) {
        const Env& e = envs[env_index(static_cast<int32_t>(id))];
        if (!e.alive() || static_cast<uint64_t>(static_cast<uint32_t>(e.id)) != id) {
            cprintf("memmap: no live env %lx\n", id);
            return;
        }
        env = &e;
    }
    memmap::show(env);
}

const Command commands[] = {
    {"help", "list the commands", cmd_help},
    {"kerninfo", "show the kernel image layout and programs", cmd_kerninfo},
    {"backtrace", "show the monitor's own stack backtrace", cmd_backtrace},
    {"pt", "walk the page tables for a virtual address", cmd_pagetable},
    {"x", "examine memory, one quadword a line", cmd_examine},
    {"audit", "check the frame table against every env's page tables", cmd_audit},
    {"memmap", "draw physical memory by owner [and an env's mapped ranges]", cmd_memmap},
    {"exit", "end the QEMU run with a status", cmd_exit},
};

void cmd_help(int, char**) {
    for (const Command& c : commands) cprintf("  %-10s %s\n", c.name, c.help);
}

}  // namespace

namespace monitor {

bool run_command(char* line) {
    // BEGIN LAB 1
    char* argv[max_args + 1];
    int argc = 0;
    for (char* p = line; *p;) {
        while (*p == ' ' || *p == '\t') *p++ = '\0';
        if (!*p) break;
        if (argc == static_cast<int>(max_args)) {
            cprintf("too many arguments (at most %zu)\n", max_args);
            return true;
        }
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t') ++p;
    }
    argv[argc] = nullptr;
    if (argc == 0) return true;
    for (const Command& c : commands) {
        if (strcmp(c.name, argv[0]) == 0) {
            c.run(argc, argv);
            return true;
        }
    }
    return false;
    // STUB LAB 1
    //~ // LAB 1: your code here. Split line into words at spaces and tabs
    //~ // (write '\0' over the separators), at most max_args of them; then
    //~ // find argv[0] in commands[] and call its run(argc, argv). An empty
    //~ // line is fine (return true); an unknown command returns false.
    //~ (void) line;
    //~ return false;
    // END LAB 1
}

void run() {
    cprintf("Welcome to the ExoKit kernel monitor. Type 'help' for commands.\n");
    char line[256];
    for (;;) {
        console::readline("K> ", line, sizeof line);
        if (!run_command(line)) cprintf("unknown command; try 'help'\n");
    }
}

}  // namespace monitor
