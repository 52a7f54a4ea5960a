// The kernel's C++ entry: boot.S calls kernel_main in long mode on the boot
// stack, with the Multiboot magic and the physical address of its info.
#include "kern/assert.hh"
#include "kern/bootargs.hh"
#include "kern/console.hh"
#include "kern/error.hh"
#include "kern/frames.hh"
#include "kern/kernel_vm.hh"
#include "kern/memlayout.hh"
#include "kern/monitor.hh"
#include "kern/multiboot.hh"
#include "kern/selftest.hh"
#include "kern/userprogs.hh"

constinit BootArgs boot_args;

namespace {

// Lab 1 only proves the embedding: the program is found and its ELF header
// checked. Lab 3 turns it into the first environment.
void announce_first_program(const char* name) {
    const UserProgram* p = find_user_program(name);
    if (!p) {
        cprintf("no user program '%s'; 'kerninfo' lists them\n", name);
        return;
    }
    const elf::FileHeader* h = p->header();
    if (!h) {
        cprintf("user program '%s' is not a valid x86-64 ELF executable\n", name);
        return;
    }
    cprintf("first program: %s (%zu bytes, entry %lx); environments arrive in lab 3\n",
            p->name, p->size(), h->entry);
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(uint32_t magic, uint32_t multiboot_info_pa) {
    console::init();
    if (magic != multiboot::boot_magic) panic("not booted by a Multiboot loader (eax %x)", magic);
    auto* info = phys_to_kva<const multiboot::Info>(multiboot_info_pa);
    if (info->flags & multiboot::has_cmdline) boot_args.parse(phys_to_kva<const char>(info->cmdline));

    cprintf("ExoKit x86-64 exokernel\n");
    if (boot_args.text()[0]) cprintf("boot arguments: %s\n", boot_args.text());

    const char* test = boot_args.get("test");
    if (test && !selftest::exists(test)) panic("unknown self-test '%s'", test);
    if (test) selftest::run(test, selftest::Stage::early);

    frames::init(*info);
    if (int r = kernel_vm::init(); r < 0)
        cprintf("memory: no kernel address space (%s); staying on the boot page tables\n", error_name(r));
    if (test) selftest::run(test, selftest::Stage::memory);

    if (const char* prog = boot_args.get("prog")) announce_first_program(prog);
    monitor::run();
}
