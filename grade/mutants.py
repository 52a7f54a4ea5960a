"""The mutation list: the mistakes students most likely make in each solution
region of labs 1-7, each of which the autograder should turn into lost
points. grade/mutation_check.py (`make mutants`) applies them one at a time
to a copy of the reference tree and grades the mutation's lab.

Each entry:
  id        unique, short, LN-area-what
  lab       the lab whose region it mutates (and whose tests are run)
  file      the file, relative to the tree's root
  mistake   the mistake as a student would make it
  find      text that must occur exactly once in `file`, inside a solution
            region of `lab` (the check fails loudly otherwise, so the list
            stays true as the code changes)
  replace   what the student wrote instead; it must compile, warnings included
  known_gap (optional) the autograder misses this mistake today; says what
            test would catch it. A marked mutant that survives is an
            "expected survivor"; a marked mutant that is caught fails the
            check, so the mark is removed as soon as the test lands.
  random    (optional) whether the autograder catches it depends on the
            run's random values; says why. Either outcome is reported and
            neither fails the check.

Unit tests (grade/unit/) are run for every mutant and reported separately:
they are not graded yet, so a mutant only they catch still needs known_gap.
"""

MUTANTS = [
    # ------------------------------------------------------------ lab 1
    # format_digits (lib/printfmt.cc)
    dict(
        id="L1-digits-zero-empty", lab=1, file="lib/printfmt.cc",
        mistake="loops `while (value != 0)` instead of do/while, so 0 has no digits",
        find="    do {\n"
             "        reversed[n++] = digit_chars[value % base];\n"
             "        value /= base;\n"
             "    } while (value != 0);\n",
        replace="    while (value != 0) {\n"
                "        reversed[n++] = digit_chars[value % base];\n"
                "        value /= base;\n"
                "    }\n"),
    dict(
        id="L1-digits-not-reversed", lab=1, file="lib/printfmt.cc",
        mistake="copies the digits out in the order they were produced (least significant first)",
        find="buf[i] = reversed[n - 1 - i];",
        replace="buf[i] = reversed[i];"),
    dict(
        id="L1-digits-reverse-off-by-one", lab=1, file="lib/printfmt.cc",
        mistake="reverses with reversed[n - i], one past the last digit",
        find="buf[i] = reversed[n - 1 - i];",
        replace="buf[i] = reversed[n - i];"),
    dict(
        id="L1-digits-case-swapped", lab=1, file="lib/printfmt.cc",
        mistake="picks the upper-case digits when upper is false and vice versa",
        find='upper ? "0123456789ABCDEF" : "0123456789abcdef"',
        replace='upper ? "0123456789abcdef" : "0123456789ABCDEF"'),
    dict(
        id="L1-digits-buffer-for-decimal", lab=1, file="lib/printfmt.cc",
        mistake="sizes the scratch array for 20 decimal digits; 64-bit values in binary overflow it",
        find="    char reversed[64];\n",
        replace="    char reversed[20];\n"),

    # monitor::run_command (kern/monitor.cc)
    dict(
        id="L1-monitor-blank-line-error", lab=1, file="kern/monitor.cc",
        mistake="returns false for an empty or all-blank line, so it prints 'unknown command'",
        find="    if (argc == 0) return true;\n",
        replace="    if (argc == 0) return false;\n"),
    dict(
        id="L1-monitor-no-terminators", lab=1, file="kern/monitor.cc",
        mistake="skips the blanks but does not write '\\0' over them, so a word runs to the end of the line",
        find="        while (*p == ' ' || *p == '\\t') *p++ = '\\0';\n",
        replace="        while (*p == ' ' || *p == '\\t') ++p;\n"),
    dict(
        id="L1-monitor-args-limit-off-by-one", lab=1, file="kern/monitor.cc",
        mistake="checks the limit with argc > max_args, so a ninth word is stored and argv[9] written",
        find="        if (argc == static_cast<int>(max_args)) {\n",
        replace="        if (argc > static_cast<int>(max_args)) {\n",
        known_gap="unobservable from the console: the extra word lands in argv[max_args] "
                  "and the nullptr one past argv's end; exit refuses the extra words "
                  "anyway, so test_monitor_exit's nine-word line gets a prompt either way"),
    dict(
        id="L1-monitor-spaces-only", lab=1, file="kern/monitor.cc",
        mistake="splits words at spaces only, not at tabs",
        find="        while (*p == ' ' || *p == '\\t') *p++ = '\\0';\n"
             "        if (!*p) break;\n"
             "        if (argc == static_cast<int>(max_args)) {\n"
             "            cprintf(\"too many arguments (at most %zu)\\n\", max_args);\n"
             "            return true;\n"
             "        }\n"
             "        argv[argc++] = p;\n"
             "        while (*p && *p != ' ' && *p != '\\t') ++p;\n",
        replace="        while (*p == ' ') *p++ = '\\0';\n"
                "        if (!*p) break;\n"
                "        if (argc == static_cast<int>(max_args)) {\n"
                "            cprintf(\"too many arguments (at most %zu)\\n\", max_args);\n"
                "            return true;\n"
                "        }\n"
                "        argv[argc++] = p;\n"
                "        while (*p && *p != ' ') ++p;\n",
        known_gap="none can: the console's readline drops tabs (it keeps only "
                  "characters from ' ' up), so no monitor line ever holds one"),

    # walk_stack (kern/backtrace_walk.cc)
    dict(
        id="L1-walk-drops-last-frame", lab=1, file="kern/backtrace_walk.cc",
        mistake="treats a saved rbp of 0 as the end before emitting that record, dropping the outermost frame",
        find="        if (return_address == 0) break;\n",
        replace="        if (return_address == 0 || saved_rbp == 0) break;\n"),
    dict(
        id="L1-walk-record-swapped", lab=1, file="kern/backtrace_walk.cc",
        mistake="reads the record the wrong way round (return address first)",
        find="uintptr_t saved_rbp = record[0], return_address = record[1];",
        replace="uintptr_t saved_rbp = record[1], return_address = record[0];"),
    dict(
        id="L1-walk-no-bounds-check", lab=1, file="kern/backtrace_walk.cc",
        mistake="never checks that a record lies on the stack before reading it "
                "(keeping the stub's (void) bounds)",
        find="    while (n < max && rbp != 0 && bounds.contains_record(rbp)) {\n",
        replace="    (void) bounds;\n"
                "    while (n < max && rbp != 0) {\n"),
    dict(
        id="L1-walk-max-off-by-one", lab=1, file="kern/backtrace_walk.cc",
        mistake="loops while n <= max, writing one frame past the caller's array",
        find="    while (n < max && rbp != 0 && bounds.contains_record(rbp)) {\n",
        replace="    while (n <= max && rbp != 0 && bounds.contains_record(rbp)) {\n"),

    # SymbolTable::find (kern/ksyms.cc)
    dict(
        id="L1-ksyms-exact-start", lab=1, file="kern/ksyms.cc",
        mistake="binary search with < instead of <=, so a symbol's exact start finds the symbol before it",
        find="if (symbols[mid].address <= addr) lo = mid + 1;",
        replace="if (symbols[mid].address < addr) lo = mid + 1;"),
    dict(
        id="L1-ksyms-one-past-end", lab=1, file="kern/ksyms.cc",
        mistake="treats the byte one past a sized symbol's end as inside it (> instead of >=)",
        find="addr - s.address >= s.size",
        replace="addr - s.address > s.size"),
    dict(
        id="L1-ksyms-size-ignored", lab=1, file="kern/ksyms.cc",
        mistake="ignores the size: any address after a symbol is named after it",
        find="    if (s.size != 0 && addr - s.address >= s.size) return nullptr;\n",
        replace=""),
    dict(
        id="L1-ksyms-unsized-never-matches", lab=1, file="kern/ksyms.cc",
        mistake="forgets that size 0 means 'up to the next symbol', so unsized labels never match",
        find="if (s.size != 0 && addr - s.address >= s.size)",
        replace="if (addr - s.address >= s.size)"),
    dict(
        id="L1-ksyms-wrong-neighbour", lab=1, file="kern/ksyms.cc",
        mistake="returns symbols[lo], the first symbol above addr, instead of symbols[lo - 1]",
        find="    const KernelSymbol& s = symbols[lo - 1];\n",
        replace="    if (lo == count) return nullptr;\n"
                "    const KernelSymbol& s = symbols[lo];\n"),

    # ------------------------------------------------------------ lab 2
    # frames::alloc (kern/frames.cc)
    dict(
        id="L2-alloc-no-zero-fill", lab=2, file="kern/frames.cc",
        mistake="does not zero the frame it hands out",
        find="    memset(phys_to_kva(*pa), 0, 4096);\n",
        replace=""),
    dict(
        id="L2-alloc-free-count", lab=2, file="kern/frames.cc",
        mistake="takes the frame off the list but forgets to decrement free_count",
        find="    --frame_table.free_count;\n",
        replace=""),
    dict(
        id="L2-alloc-returns-frame-number", lab=2, file="kern/frames.cc",
        mistake="returns the frame number instead of its physical address",
        find="    *pa = uintptr_t(n) * 4096;\n",
        replace="    *pa = n;\n"),
    dict(
        id="L2-alloc-refcount-one", lab=2, file="kern/frames.cc",
        mistake="hands the frame out with refcount 1 ('allocated means referenced') instead of 0",
        find="    f = FrameInfo{0, owner, no_frame, 0};\n",
        replace="    f = FrameInfo{1, owner, no_frame, 0};\n"),

    # frames::free (kern/frames.cc)
    dict(
        id="L2-free-not-linked", lab=2, file="kern/frames.cc",
        mistake="makes the freed frame the head without linking it to the old head",
        find="    f = FrameInfo{0, owner_free, frame_table.free_head, 0};\n",
        replace="    f = FrameInfo{0, owner_free, no_frame, 0};\n"),
    dict(
        id="L2-free-count", lab=2, file="kern/frames.cc",
        mistake="pushes the frame but forgets to increment free_count",
        find="number(pa));\n"
             "    ++frame_table.free_count;\n",
        replace="number(pa));\n"),
    dict(
        id="L2-free-owner-kept", lab=2, file="kern/frames.cc",
        mistake="pushes the frame on the list but leaves its owner set",
        find="    f = FrameInfo{0, owner_free, frame_table.free_head, 0};\n",
        replace="    f = FrameInfo{0, f.owner, frame_table.free_head, 0};\n"),
    dict(
        id="L2-free-head-is-address", lab=2, file="kern/frames.cc",
        mistake="stores the physical address as the list head instead of the frame number",
        find="    frame_table.free_head = static_cast<uint32_t>(number(pa));\n",
        replace="    frame_table.free_head = static_cast<uint32_t>(pa);\n"),

    # PageTable::walk (kern/pagetable.cc)
    dict(
        id="L2-walk-stops-a-level-early", lab=2, file="kern/pagetable.cc",
        mistake="walks levels 3 and 2 only, returning an entry of the level-1 table",
        find="for (int level = pagetable_levels - 1; level > 0; --level) {\n"
             "        uint64_t& entry",
        replace="for (int level = pagetable_levels - 1; level > 1; --level) {\n"
                "        uint64_t& entry"),
    dict(
        id="L2-walk-inner-present-only", lab=2, file="kern/pagetable.cc",
        mistake="installs new tables as present only, so W and U are masked off below them",
        find="            entry = page | pte::present | pte::writable | pte::user;\n",
        replace="            entry = page | pte::present;\n"),
    dict(
        id="L2-walk-always-creates", lab=2, file="kern/pagetable.cc",
        mistake="allocates missing tables even when create is false (keeping the "
                "stub's (void) create)",
        find="            if (!create) return nullptr;\n",
        replace="            (void) create;\n"),
    dict(
        id="L2-walk-entry-not-masked", lab=2, file="kern/pagetable.cc",
        mistake="follows the entry without masking off its flag bits",
        find="        table = table_page(pte::address(entry));\n",
        replace="        table = table_page(entry);\n"),
    dict(
        id="L2-walk-alloc-unchecked", lab=2, file="kern/pagetable.cc",
        mistake="does not check alloc_table() for 0 (out of memory)",
        find="            if (!page) return nullptr;\n",
        replace=""),

    # PageTable::map (kern/pagetable.cc)
    dict(
        id="L2-map-no-invalidate", lab=2, file="kern/pagetable.cc",
        mistake="forgets the TLB when replacing a present entry",
        find="    bool was_present = *entry & pte::present;\n"
             "    *entry = pa | (perm & pte::perm_mask) | pte::present;\n"
             "    if (was_present) memory_->invalidate(root_, va);\n",
        replace="    *entry = pa | (perm & pte::perm_mask) | pte::present;\n"),
    dict(
        id="L2-map-perm-unmasked", lab=2, file="kern/pagetable.cc",
        mistake="ORs perm into the entry without masking it with pte::perm_mask",
        find="    *entry = pa | (perm & pte::perm_mask) | pte::present;\n",
        replace="    *entry = pa | perm | pte::present;\n"),
    dict(
        id="L2-map-not-present", lab=2, file="kern/pagetable.cc",
        mistake="writes the address and perm but not the present bit",
        find="    *entry = pa | (perm & pte::perm_mask) | pte::present;\n",
        replace="    *entry = pa | (perm & pte::perm_mask);\n"),

    # PageTable::unmap (kern/pagetable.cc)
    dict(
        id="L2-unmap-no-invalidate", lab=2, file="kern/pagetable.cc",
        mistake="clears the entry but forgets to invalidate the TLB",
        find="    memory_->invalidate(root_, page_round_down(va));\n",
        replace=""),
    dict(
        id="L2-unmap-null-entry", lab=2, file="kern/pagetable.cc",
        mistake="forgets that walk returns nullptr when a table is missing",
        find="    if (!entry || !(*entry & pte::present)) return;\n",
        replace="    if (!(*entry & pte::present)) return;\n",
        random="test_page_table_operations faults only if some region's first random "
               "op is an unmap (about 2 runs in 3); a fixed unmap of an address in a "
               "fresh region would catch it always"),
    dict(
        id="L2-unmap-creates-tables", lab=2, file="kern/pagetable.cc",
        mistake="walks with create = true, building tables just to clear an entry",
        find="    uint64_t* entry = walk(page_round_down(va), false);\n",
        replace="    uint64_t* entry = walk(page_round_down(va), true);\n"),

    # kernel_vm::map_kernel (kern/kernel_vm.cc)
    dict(
        id="L2-kvm-image-not-global", lab=2, file="kern/kernel_vm.cc",
        mistake="does not mark the kernel image's mappings global",
        find="        uint64_t perm = pte::global;\n",
        replace="        uint64_t perm = 0;\n"),
    dict(
        id="L2-kvm-directmap-not-global", lab=2, file="kern/kernel_vm.cc",
        mistake="does not mark the direct map global",
        find="pte::writable | pte::global | pte::no_execute",
        replace="pte::writable | pte::no_execute"),
    dict(
        id="L2-kvm-text-writable", lab=2, file="kern/kernel_vm.cc",
        mistake="maps the whole image writable, text included",
        find="        uint64_t perm = pte::global;\n",
        replace="        uint64_t perm = pte::global | pte::writable;\n"),
    dict(
        id="L2-kvm-guard-mapped", lab=2, file="kern/kernel_vm.cc",
        mistake="maps the stack's guard page like the rest of the image",
        find="        if (va == image_va(kernel_stack_guard)) continue;\n",
        replace=""),
    dict(
        id="L2-kvm-directmap-one-extra", lab=2, file="kern/kernel_vm.cc",
        mistake="maps one page past the last frame (<= instead of <)",
        find="pa < frame_table.count * 4096;",
        replace="pa <= frame_table.count * 4096;"),
    dict(
        id="L2-kvm-rodata-executable", lab=2, file="kern/kernel_vm.cc",
        mistake="makes only the writable data no-execute, leaving read-only data executable",
        find="        if (va >= image_va(kernel_text_end)) perm |= pte::no_execute;\n",
        replace="        if (va >= image_va(kernel_rodata_end)) perm |= pte::no_execute;\n"),
    dict(
        id="L2-kvm-last-text-page-nx", lab=2, file="kern/kernel_vm.cc",
        mistake="compares the page's end with kernel_text_end, making the last page of text no-execute",
        find="        if (va >= image_va(kernel_text_end)) perm |= pte::no_execute;\n",
        replace="        if (va + 4096 > image_va(kernel_text_end)) perm |= pte::no_execute;\n"),

    # ------------------------------------------------------------ lab 3
    # load_program (kern/env.cc)
    dict(
        id="L3-load-shared-page-remapped", lab=3, file="kern/env.cc",
        mistake="maps a fresh page even where the previous segment already mapped one, losing its bytes",
        find="        PageTable pt = e.page_table();\n"
             "        for (uintptr_t va = page_round_down(ph.vaddr); va < ph.vaddr + ph.memsz; va += page_size) {\n"
             "            if (pt.lookup(va).present) continue;  // shared with the previous segment\n",
        replace="        for (uintptr_t va = page_round_down(ph.vaddr); va < ph.vaddr + ph.memsz; va += page_size) {\n"),
    dict(
        id="L3-load-vaddr-not-rounded", lab=3, file="kern/env.cc",
        mistake="starts mapping at vaddr itself instead of its page",
        find="for (uintptr_t va = page_round_down(ph.vaddr);",
        replace="for (uintptr_t va = ph.vaddr;"),
    dict(
        id="L3-load-wrapping-end-check", lab=3, file="kern/env.cc",
        mistake="checks the segment's end with vaddr + memsz > user_top, a sum that can wrap",
        find="ph.vaddr >= user_top || ph.memsz > user_top - ph.vaddr)",
        replace="ph.vaddr >= user_top || ph.vaddr + ph.memsz > user_top)"),
    dict(
        id="L3-load-wrapping-file-check", lab=3, file="kern/env.cc",
        mistake="checks the file range with offset + filesz > size, a sum that can wrap",
        find="ph.offset > program.size() ||\n"
             "            ph.filesz > program.size() - ph.offset",
        replace="ph.offset + ph.filesz > program.size()"),
    dict(
        id="L3-load-writable-by-PF_R", lab=3, file="kern/env.cc",
        mistake="tests PF_R (4) instead of PF_W (2) for writable, so text and rodata are writable",
        find="((ph.flags & 2) ? perm_writable : 0)",
        replace="((ph.flags & 4) ? perm_writable : 0)"),
    dict(
        id="L3-load-nx-inverted", lab=3, file="kern/env.cc",
        mistake="sets no-execute on the segments that have PF_X instead of those without",
        find="((ph.flags & 1) ? 0 : perm_no_execute)",
        replace="((ph.flags & 1) ? perm_no_execute : 0)"),
    dict(
        id="L3-load-copies-memsz", lab=3, file="kern/env.cc",
        mistake="copies memsz bytes, filling .bss with whatever follows in the file",
        find="program.image + ph.offset, ph.filesz, false)",
        replace="program.image + ph.offset, ph.memsz, false)"),
    dict(
        id="L3-load-no-entry", lab=3, file="kern/env.cc",
        mistake="forgets to set the env's rip to the entry point",
        find="    e.tf.rip = h->entry;\n",
        replace=""),

    # user_mem_check (kern/usermem.cc)
    dict(
        id="L3-umc-wrapping-sum", lab=3, file="kern/usermem.cc",
        mistake="checks the end with va + len > user_top, which wraps for a huge len",
        find="if (va >= user_top || len > user_top - va) {",
        replace="if (va >= user_top || va + len > user_top) {"),
    dict(
        id="L3-umc-len-zero-refused", lab=3, file="kern/usermem.cc",
        mistake="checks the last byte va + len - 1, which underflows for len == 0, so an empty range is refused",
        find="if (va >= user_top || len > user_top - va) {",
        replace="if (va + len - 1 < va || va + len - 1 >= user_top) {"),
    dict(
        id="L3-umc-len-zero-checks-a-byte", lab=3, file="kern/usermem.cc",
        mistake="treats an empty range as one byte, so len 0 at an unmapped va is refused",
        find="    uintptr_t bad = va;\n",
        replace="    if (len == 0) len = 1;\n"
                "    uintptr_t bad = va;\n"),
    dict(
        id="L3-umc-bad-va-page-start", lab=3, file="kern/usermem.cc",
        mistake="reports the page's start as the first bad address, which can lie below va",
        find="                bad = page < va ? va : page;\n",
        replace="                bad = page;\n"),
    dict(
        id="L3-umc-ignores-perm", lab=3, file="kern/usermem.cc",
        mistake="checks each page is present and user but not the perm asked for "
                "(keeping the stub's (void) perm)",
        find="        uint64_t need = perm | perm_user | perm_present;\n",
        replace="        (void) perm;\n"
                "        uint64_t need = perm_user | perm_present;\n"),
    dict(
        id="L3-umc-loop-one-page-too-far", lab=3, file="kern/usermem.cc",
        mistake="loops while page <= va + len, checking one page too many when the range ends on a page boundary",
        find="page < va + len; page += page_size",
        replace="page <= va + len; page += page_size"),

    # sys_page_alloc (kern/syscall.cc)
    dict(
        id="L3-spa-perm-unchecked", lab=3, file="kern/syscall.cc",
        mistake="passes perm on to bind::page_alloc without guard::perm",
        find="    if (int r = guard::perm(perm); r < 0) return r;\n"
             "    return bind::page_alloc",
        replace="    return bind::page_alloc"),
    dict(
        id="L3-spa-truncated-id", lab=3, file="kern/syscall.cc",
        mistake="looks the env up directly, truncating the 64-bit register to a 32-bit id",
        find="    if (int r = lookup_target(id, &target); r < 0) return r;\n"
             "    if (int r = guard::user_page(va); r < 0) return r;\n"
             "    if (int r = guard::perm(perm)",
        replace="    if (int r = env::lookup(static_cast<EnvId>(id), &target, true); r < 0) return r;\n"
                "    if (int r = guard::user_page(va); r < 0) return r;\n"
                "    if (int r = guard::perm(perm)"),
    dict(
        id="L3-spa-va-unchecked", lab=3, file="kern/syscall.cc",
        mistake="does not check va (map() refuses unaligned ones, but kernel-half pages get mapped)",
        find="    if (int r = guard::user_page(va); r < 0) return r;\n"
             "    if (int r = guard::perm(perm)",
        replace="    if (int r = guard::perm(perm)"),

    # guard::perm (kern/guard.cc)
    dict(
        id="L3-perm-no-check", lab=3, file="kern/guard.cc",
        mistake="accepts any perm",
        find="    if ((perm & ~perm_allowed) || (perm & required) != required) return E_INVAL;\n",
        replace="    (void) required, (void) perm;\n"),
    dict(
        id="L3-perm-present-user-not-required", lab=3, file="kern/guard.cc",
        mistake="refuses bits outside perm_allowed but does not require present and user",
        find="    if ((perm & ~perm_allowed) || (perm & required) != required) return E_INVAL;\n",
        replace="    if (perm & ~perm_allowed) return E_INVAL;\n"
                "    (void) required;\n"),
    dict(
        id="L3-perm-any-pte-bit", lab=3, file="kern/guard.cc",
        mistake="allows every bit a PTE may carry (pte::perm_mask), global and dirty included",
        find="    if ((perm & ~perm_allowed) || (perm & required) != required) return E_INVAL;\n",
        replace="    if ((perm & ~pte::perm_mask) || (perm & required) != required) return E_INVAL;\n"),
    dict(
        id="L3-perm-user-only", lab=3, file="kern/guard.cc",
        mistake="requires user but not present (a not-present binding would be made present anyway)",
        find="    constexpr uint64_t required = perm_present | perm_user;\n",
        replace="    constexpr uint64_t required = perm_user;\n"),

    # deliver_page_fault (kern/upcall.cc)
    dict(
        id="L3-upcall-no-nx-check", lab=3, file="kern/upcall.cc",
        mistake="checks the entry is mapped and user but not that it is executable",
        find="    if (!is_user_code(e, e.upcalls.fault_entry)) {\n",
        replace="    if (!e.upcalls.fault_entry || user_mem_check(e, e.upcalls.fault_entry, 1, 0) < 0) {\n"),
    dict(
        id="L3-upcall-no-gap", lab=3, file="kern/upcall.cc",
        mistake="puts the nested frame right below the faulting rsp, leaving no 8-byte gap",
        find="? tf.rsp - 8\n",
        replace="? tf.rsp\n"),
    dict(
        id="L3-upcall-always-top", lab=3, file="kern/upcall.cc",
        mistake="always puts the frame at the top of the exception stack, over the one the handler is using",
        find="    uintptr_t above = (tf.rsp >= stack_bottom && tf.rsp < e.upcalls.stack_top) ? tf.rsp - 8\n"
             "                                                                              : e.upcalls.stack_top;\n",
        replace="    uintptr_t above = e.upcalls.stack_top;\n"),
    dict(
        id="L3-upcall-no-lower-bound", lab=3, file="kern/upcall.cc",
        mistake="treats any rsp below the exception stack's top as a nested fault (the ordinary stack is below it too)",
        find="(tf.rsp >= stack_bottom && tf.rsp < e.upcalls.stack_top)",
        replace="(tf.rsp < e.upcalls.stack_top)"),
    dict(
        id="L3-upcall-no-bottom-check", lab=3, file="kern/upcall.cc",
        mistake="never checks that the frame stays inside the exception stack",
        find="    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||\n",
        replace="    if (above < sizeof(UTrapFrame) ||\n"),
    dict(
        id="L3-upcall-frame-unaligned", lab=3, file="kern/upcall.cc",
        mistake="does not round the frame's address down to 16 bytes",
        find="    uintptr_t frame_va = (above - sizeof(UTrapFrame)) & ~uintptr_t(15);\n",
        replace="    uintptr_t frame_va = above - sizeof(UTrapFrame);\n"),
    dict(
        id="L3-upcall-tf-before-copy", lab=3, file="kern/upcall.cc",
        mistake="redirects e.tf to the handler before the frame is written, so a failed upcall records the handler's rip and rsp",
        find="    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||\n"
             "        write_user_frame(e, frame_va, fault_va, tf.vector) < 0) {\n"
             "        *failure = EnvEndHow::no_exception_stack;\n"
             "        return E_FAULT;\n"
             "    }\n"
             "    tf.rip = e.upcalls.fault_entry;\n"
             "    tf.rsp = frame_va;\n",
        replace="    tf.rip = e.upcalls.fault_entry;\n"
                "    tf.rsp = frame_va;\n"
                "    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||\n"
                "        write_user_frame(e, frame_va, fault_va, tf.vector) < 0) {\n"
                "        *failure = EnvEndHow::no_exception_stack;\n"
                "        return E_FAULT;\n"
                "    }\n"),
    dict(
        id="L3-upcall-tf-before-checks", lab=3, file="kern/upcall.cc",
        mistake="copies the trap-time state, points e.tf at the handler first, then checks "
                "the entry and writes the frame, so every failed upcall records the "
                "handler's rip",
        find=(
            "    // The entry must be code the env could run itself.\n"
            "    if (!is_user_code(e, e.upcalls.fault_entry)) {\n"
            "        *failure = EnvEndHow::bad_upcall;\n"
            "        return E_FAULT;\n"
            "    }\n"
            "    TrapFrame& tf = e.tf;\n"
            "    uintptr_t stack_bottom = e.upcalls.stack_top - exception_stack_size;\n"
            "    // A fault inside the handler stacks a new frame below the current one,\n"
            "    // leaving 8 bytes for the trampoline to push the return address into.\n"
            "    uintptr_t above = (tf.rsp >= stack_bottom && tf.rsp < e.upcalls.stack_top) ? tf.rsp - 8\n"
            "                                                                              : e.upcalls.stack_top;\n"
            "    uintptr_t frame_va = (above - sizeof(UTrapFrame)) & ~uintptr_t(15);\n"
            "    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||\n"
            "        write_user_frame(e, frame_va, fault_va, tf.vector) < 0) {\n"
            "        *failure = EnvEndHow::no_exception_stack;\n"
            "        return E_FAULT;\n"
            "    }\n"
            "    tf.rip = e.upcalls.fault_entry;\n"
            "    tf.rsp = frame_va;\n"
            "    return 0;\n"),
        replace=(
            "    const TrapFrame t = e.tf;\n"
            "    uintptr_t stack_bottom = e.upcalls.stack_top - exception_stack_size;\n"
            "    uintptr_t above = (t.rsp >= stack_bottom && t.rsp < e.upcalls.stack_top) ? t.rsp - 8\n"
            "                                                                            : e.upcalls.stack_top;\n"
            "    uintptr_t frame_va = (above - sizeof(UTrapFrame)) & ~uintptr_t(15);\n"
            "    e.tf.rip = e.upcalls.fault_entry;\n"
            "    e.tf.rsp = frame_va;\n"
            "    if (!is_user_code(e, e.upcalls.fault_entry)) {\n"
            "        *failure = EnvEndHow::bad_upcall;\n"
            "        return E_FAULT;\n"
            "    }\n"
            "    UTrapFrame frame = user_frame(t, fault_va, t.vector);\n"
            "    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||\n"
            "        copy_to_user(e, frame_va, &frame, sizeof frame) < 0) {\n"
            "        *failure = EnvEndHow::no_exception_stack;\n"
            "        return E_FAULT;\n"
            "    }\n"
            "    return 0;\n")),

    dict(
        id="L3-upcall-frame-bytewise", lab=3, file="kern/upcall.cc",
        mistake="builds the frame and copies it to the exception stack a byte at a time "
                "(each byte checked and translated on its own): right, and 168 times the walks",
        find="    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||\n"
             "        write_user_frame(e, frame_va, fault_va, tf.vector) < 0) {\n",
        replace="    UTrapFrame frame = user_frame(tf, fault_va, tf.vector);\n"
                "    bool copied = above >= sizeof(UTrapFrame) && frame_va >= stack_bottom;\n"
                "    for (size_t i = 0; copied && i < sizeof frame; ++i)\n"
                "        copied = copy_to_user(e, frame_va + i, reinterpret_cast<char*>(&frame) + i, 1) == 0;\n"
                "    if (!copied) {\n"),
    dict(
        id="L3-upcall-checks-whole-stack", lab=3, file="kern/upcall.cc",
        mistake="checks every byte from the frame to the top of the exception stack, one "
                "user_mem_check a byte, before writing the frame",
        find="    if (above < sizeof(UTrapFrame) || frame_va < stack_bottom ||\n"
             "        write_user_frame(e, frame_va, fault_va, tf.vector) < 0) {\n",
        replace="    bool stack_ok = above >= sizeof(UTrapFrame) && frame_va >= stack_bottom;\n"
                "    for (uintptr_t b = frame_va; stack_ok && b < above; ++b)\n"
                "        stack_ok = user_mem_check(e, b, 1, perm_writable) == 0;\n"
                "    if (!stack_ok || write_user_frame(e, frame_va, fault_va, tf.vector) < 0) {\n"),

    # pgfault_upcall's return path (lib/pfentry.S)
    dict(
        id="L3-pfentry-no-gap", lab=3, file="lib/pfentry.S",
        mistake="stores rip at the trap-time rsp itself instead of 8 bytes below it",
        find="    sub $8, %rbx\n",
        replace=""),
    dict(
        id="L3-pfentry-rsp-not-written-back", lab=3, file="lib/pfentry.S",
        mistake="stores rip below the trap-time rsp but does not write the lowered rsp back into the frame",
        find="    mov %rbx, UTF_RSP(%rsp)\n",
        replace=""),
    dict(
        id="L3-pfentry-pop-order", lab=3, file="lib/pfentry.S",
        mistake="pops r10 and r11 in the wrong order",
        find="    pop %r11\n    pop %r10\n",
        replace="    pop %r10\n    pop %r11\n"),
    dict(
        id="L3-pfentry-rip-not-skipped", lab=3, file="lib/pfentry.S",
        mistake="forgets to step over the rip slot, so popfq loads rip into rflags",
        find="    add $8, %rsp                # skip rip: it is on the other stack now\n",
        replace=""),

    # ------------------------------------------------------------ lab 4
    # the self-map (kern/env.cc, alloc_env)
    dict(
        id="L4-selfmap-writable", lab=4, file="kern/env.cc",
        mistake="makes the self-map writable, so an env can write its own PTEs",
        find="    root_table[uvpt_slot] = root | pte::present | pte::user | pte::no_execute;\n",
        replace="    root_table[uvpt_slot] = root | pte::present | pte::user | pte::writable | pte::no_execute;\n"),
    dict(
        id="L4-selfmap-not-user", lab=4, file="kern/env.cc",
        mistake="forgets the user bit: the env cannot read its page tables",
        find="    root_table[uvpt_slot] = root | pte::present | pte::user | pte::no_execute;\n",
        replace="    root_table[uvpt_slot] = root | pte::present | pte::no_execute;\n"),
    dict(
        id="L4-selfmap-executable", lab=4, file="kern/env.cc",
        mistake="leaves out no-execute: page-table pages become executable user memory",
        find="    root_table[uvpt_slot] = root | pte::present | pte::user | pte::no_execute;\n",
        replace="    root_table[uvpt_slot] = root | pte::present | pte::user;\n"),

    # env::exofork (kern/env.cc)
    dict(
        id="L4-exofork-rax-kept", lab=4, file="kern/env.cc",
        mistake="copies the registers but leaves rax as the parent's, so the child cannot tell it is the child",
        find="    child->tf.rax = 0;\n",
        replace=""),
    dict(
        id="L4-exofork-runnable", lab=4, file="kern/env.cc",
        mistake="leaves the child runnable: it runs with an empty address space",
        find="    child->status = EnvStatus::not_runnable;\n",
        replace=""),
    dict(
        id="L4-exofork-fpu-reset", lab=4, file="kern/env.cc",
        mistake="keeps the fresh FPU state alloc_env gave, not the parent's",
        find="    fpu::copy(parent.fpu, child->fpu);\n",
        replace=""),
    dict(
        id="L4-exofork-fpu-stale", lab=4, file="kern/env.cc",
        mistake="copies the parent's saved FPU image, which is stale while the parent's registers are live",
        find="    fpu::copy(parent.fpu, child->fpu);\n",
        replace="    child->fpu = parent.fpu;\n"),

    # env::map_frame (kern/env.cc)
    dict(
        id="L4-mapframe-decref-first", lab=4, file="kern/env.cc",
        mistake="releases the old mapping before counting the new one: mapping a page onto itself frees it",
        find="    ++frames::info(pa).refcount;\n"
             "    if (int r = pt.map(va, pa, perm); r < 0) {\n"
             "        frames::decref(pa);\n"
             "        pt.free_empty_tables(va);\n"
             "        return r;\n"
             "    }\n"
             "    if (old.present) frames::decref(page_round_down(old.pa));   // the binding it replaced\n",
        replace="    if (old.present) frames::decref(page_round_down(old.pa));\n"
                "    ++frames::info(pa).refcount;\n"
                "    if (int r = pt.map(va, pa, perm); r < 0) {\n"
                "        frames::decref(pa);\n"
                "        pt.free_empty_tables(va);\n"
                "        return r;\n"
                "    }\n"),
    dict(
        id="L4-mapframe-no-incref", lab=4, file="kern/env.cc",
        mistake="maps the frame without counting the new reference",
        find="    ++frames::info(pa).refcount;\n",
        replace=""),
    dict(
        id="L4-mapframe-old-kept", lab=4, file="kern/env.cc",
        mistake="replaces a mapping without releasing the frame it mapped (a leak)",
        find="    if (old.present) frames::decref(page_round_down(old.pa));   // the binding it replaced\n",
        replace="    (void) old;\n"),
    dict(
        id="L4-mapframe-owner-moves", lab=4, file="kern/env.cc",
        mistake="charges a shared frame to whoever maps it last",
        find="    ++frames::info(pa).refcount;\n",
        replace="    ++frames::info(pa).refcount;\n"
                "    frames::info(pa).owner = e.id;\n"),

    # bind::page_map (kern/bind.cc)
    dict(
        id="L4-pagemap-src-any-env", lab=4, file="kern/bind.cc",
        mistake="finds the source env without the permission check: any env's frames can be borrowed",
        find="    if (int r = lookup_target(srcenv, &src); r < 0) return r;\n",
        replace="    if (int r = env::lookup(static_cast<EnvId>(srcenv), &src, false); r < 0) return r;\n"),
    dict(
        id="L4-pagemap-dst-any-env", lab=4, file="kern/bind.cc",
        mistake="finds the destination env without the permission check: bindings can be forced on any env",
        find="    if (int r = lookup_target(dstenv, &dst); r < 0) return r;\n",
        replace="    if (int r = env::lookup(static_cast<EnvId>(dstenv), &dst, false); r < 0) return r;\n"),
    dict(
        id="L4-pagemap-caller-table", lab=4, file="kern/bind.cc",
        mistake="looks srcva up in the destination's page table instead of the source's",
        find="    PageTable src_pt = src->page_table();\n",
        replace="    PageTable src_pt = dst->page_table();\n"),

    # guard::no_amplification (kern/guard.cc)
    dict(
        id="L4-amplify-no-nx", lab=4, file="kern/guard.cc",
        mistake="checks the writable right but not execute",
        find="    if (!(want & perm_no_execute) && (have & perm_no_execute)) return E_PERM;\n",
        replace=""),
    dict(
        id="L4-amplify-no-write", lab=4, file="kern/guard.cc",
        mistake="checks execute but not the writable right",
        find="    if ((want & perm_writable) && !(have & perm_writable)) return E_PERM;\n",
        replace=""),
    dict(
        id="L4-amplify-nx-inverted", lab=4, file="kern/guard.cc",
        mistake="treats no-execute as a right to be held rather than one given up",
        find="    if (!(want & perm_no_execute) && (have & perm_no_execute)) return E_PERM;\n",
        replace="    if ((want & perm_no_execute) && !(have & perm_no_execute)) return E_PERM;\n"),

    # guard::frame_request (kern/guard.cc)
    dict(
        id="L4-frame-off-by-one", lab=4, file="kern/guard.cc",
        mistake="lets frame == table.count through (one past the end of the table)",
        find="    if (frame >= table.count) return E_INVAL;\n",
        replace="    if (frame > table.count) return E_INVAL;\n"),
    dict(
        id="L4-frame-kernel-only", lab=4, file="kern/guard.cc",
        mistake="refuses the kernel's frames but not other envs' (or one's own)",
        find="    if (table.frames[frame].owner != owner_free) return E_BUSY;\n",
        replace="    if (table.frames[frame].owner == owner_kernel) return E_BUSY;\n"),
    dict(
        id="L4-frame-no-range-check", lab=4, file="kern/guard.cc",
        mistake="indexes the table with any number the library OS sends",
        find="    if (frame >= table.count) return E_INVAL;\n",
        replace=""),

    # ------------------------------------------------------------ lab 5
    # ipc::recv and ipc::send (kern/ipc.cc)
    dict(
        id="L5-recv-no-dstva-check", lab=5, file="kern/ipc.cc",
        mistake="records any dstva, kernel addresses included",
        find="    if (dstva != ipc_no_page)\n        if (int r = guard::user_page(dstva); r < 0) return r;\n",
        replace=""),
    dict(
        id="L5-recv-not-receiving", lab=5, file="kern/ipc.cc",
        mistake="parks the receiver as not_runnable, which a sender cannot tell from any other sleeper",
        find="    e.status = EnvStatus::receiving;\n",
        replace="    e.status = EnvStatus::not_runnable;\n"),
    dict(
        id="L5-recv-dstva-forgotten", lab=5, file="kern/ipc.cc",
        mistake="checks dstva but never records it, so a sender sees the last one (or none)",
        find="    e.ipc.dstva = dstva;\n",
        replace=""),
    dict(
        id="L5-send-not-waiting-ok", lab=5, file="kern/ipc.cc",
        mistake="delivers to an env whether or not it is waiting in ipc_recv",
        find="    if (receiver->status != EnvStatus::receiving) return E_IPC_NOT_RECV;\n",
        replace="    if (!receiver->alive()) return E_IPC_NOT_RECV;\n"),
    dict(
        id="L5-send-only-children", lab=5, file="kern/ipc.cc",
        mistake="looks the receiver up with lookup_target, so only a child can be sent to",
        find="    if (int r = lookup_any(to, &receiver); r < 0) return r;\n",
        replace="    if (int r = lookup_target(to, &receiver); r < 0) return r;\n"),
    dict(
        id="L5-send-no-amplification-check", lab=5, file="kern/ipc.cc",
        mistake="binds the page without guard::map's checks (looks the source up directly)",
        find="        if (int r = guard::map(own, srcva, receiver->ipc.dstva, perm, &source); r < 0) return r;\n",
        replace="        source = own.lookup(srcva);\n        if (!source.present) return E_INVAL;\n"),
    dict(
        id="L5-send-page-unasked", lab=5, file="kern/ipc.cc",
        mistake="sends the value anyway, without the page, when the receiver asked for none",
        find="    if (srcva != ipc_no_page) {\n"
             "        // No binding in an address space that did not ask for one.\n"
             "        if (receiver->ipc.dstva == ipc_no_page) return E_INVAL;\n",
        replace="    if (srcva != ipc_no_page && receiver->ipc.dstva != ipc_no_page) {\n"),
    dict(
        id="L5-send-via-scheduler", lab=5, file="kern/ipc.cc",
        mistake="makes the receiver runnable and yields through the scheduler instead of switching to it",
        find="    sched::hand_off(*receiver);   // the direct switch; e stays runnable\n",
        replace="    sched::run_next();\n"),
    dict(
        id="L5-send-page-checked-bytewise", lab=5, file="kern/ipc.cc",
        mistake="before guard::map, checks the page being sent one byte at a time with "
                "user_mem_check: right, and 4,096 walks a page sent",
        find="        PageTable own = e.page_table();\n",
        replace="        for (uintptr_t b = srcva; b < srcva + 4096; ++b)\n"
                "            if (user_mem_check(e, b, 1, 0) < 0) return E_INVAL;\n"
                "        PageTable own = e.page_table();\n"),
    dict(
        id="L5-send-no-sender-id", lab=5, file="kern/ipc.cc",
        mistake="forgets to tell the receiver who sent the message",
        find="    receiver->tf.rsi = static_cast<uint64_t>(static_cast<int64_t>(e.id));\n",
        replace=""),
    dict(
        id="L5-send-perm-not-reported", lab=5, file="kern/ipc.cc",
        mistake="never reports the perm granted (the receiver's r10 keeps whatever it held)",
        find="    receiver->tf.r10 = granted;\n",
        replace="    (void) granted;\n"),
    dict(
        id="L5-send-perm-without-page", lab=5, file="kern/ipc.cc",
        mistake="ignores perm when no page is sent instead of refusing a nonzero one",
        find="        if (perm != 0) return E_INVAL;\n",
        replace=""),

    # duppage (lib/fork.cc)
    dict(
        id="L5-dup-parent-first", lab=5, file="lib/fork.cc",
        mistake="marks its own page copy-on-write before the child's",
        find="    if (int64_t r = sys_page_map(0, va, child, va, cow); r < 0) return r;\n"
             "    return sys_page_map(0, va, 0, va, cow);\n",
        replace="    if (int64_t r = sys_page_map(0, va, 0, va, cow); r < 0) return r;\n"
                "    return sys_page_map(0, va, child, va, cow);\n"),
    dict(
        id="L5-dup-child-only", lab=5, file="lib/fork.cc",
        mistake="marks the child's mapping copy-on-write but leaves its own writable",
        find="    return sys_page_map(0, va, 0, va, cow);\n",
        replace="    return 0;\n"),
    dict(
        id="L5-dup-share-writable", lab=5, file="lib/fork.cc",
        mistake="shares every page as it is (no copy-on-write at all)",
        find="    bool writable = perm & (perm_writable | perm_cow);\n",
        replace="    bool writable = false;\n"),
    dict(
        id="L5-dup-cow-keeps-write", lab=5, file="lib/fork.cc",
        mistake="adds perm_cow but forgets to drop the writable bit",
        find="    uint64_t cow = (perm & ~perm_writable) | perm_cow;\n",
        replace="    uint64_t cow = perm | perm_cow;\n"),
    dict(
        id="L5-dup-sfork-shares-nothing", lab=5, file="lib/fork.cc",
        mistake="ignores the sharing policy: sfork is just fork",
        find=" || (sharing == Sharing::share && !(perm & perm_cow))",
        replace=" || (sharing == Sharing::share && false)"),
    dict(
        id="L5-dup-readonly-cow", lab=5, file="lib/fork.cc",
        mistake="marks read-only pages copy-on-write too",
        find="    if (!writable || (perm & perm_share)",
        replace="    if ((!writable && (perm & perm_share))"),

    # cow_fault (lib/fork.cc)
    dict(
        id="L5-cow-any-write", lab=5, file="lib/fork.cc",
        mistake="copies on any write fault, copy-on-write page or not",
        find="    if (!(pte & perm_present) || !(pte & perm_cow)) return not_copy_on_write(utf, \"not a copy-on-write page\");\n",
        replace="    if (!(pte & perm_present)) return not_copy_on_write(utf, \"not a copy-on-write page\");\n"),
    dict(
        id="L5-cow-keeps-cow-bit", lab=5, file="lib/fork.cc",
        mistake="leaves perm_cow set on the private copy",
        find="    uint64_t perm = (request_bits(pte) & ~perm_cow) | perm_writable;\n",
        replace="    uint64_t perm = request_bits(pte) | perm_writable;\n"),
    dict(
        id="L5-cow-unaligned", lab=5, file="lib/fork.cc",
        mistake="uses the fault address itself, not its page",
        find="    uintptr_t va = utf->fault_va & ~uintptr_t(4095);\n",
        replace="    uintptr_t va = utf->fault_va;\n"),
    dict(
        id="L5-cow-half-copy", lab=5, file="lib/fork.cc",
        mistake="shares the frame writable instead of copying (remaps the same page with write)",
        find="    if (int64_t r = copy_page(0, va, cow_scratch_va, perm); r < 0) {\n",
        replace="    if (int64_t r = sys_page_map(0, va, 0, va, perm & ~perm_writable); r < 0) {\n"),

    # load_segments (lib/spawn.cc)
    dict(
        id="L5-elf-no-filesz-check", lab=5, file="lib/spawn.cc",
        mistake="copies memsz bytes from the file instead of filesz (garbage where the bss should be zero)",
        find="        uintptr_t file_end = ph.vaddr + ph.filesz;\n",
        replace="        uintptr_t file_end = ph.vaddr + ph.memsz;\n"),
    dict(
        id="L5-elf-last-page-missed", lab=5, file="lib/spawn.cc",
        mistake="stops one page short when the segment ends mid-page",
        find="va < ph.vaddr + ph.memsz; va += 4096) {\n",
        replace="va + 4096 <= ph.vaddr + ph.memsz; va += 4096) {\n"),
    dict(
        id="L5-elf-all-writable", lab=5, file="lib/spawn.cc",
        mistake="maps text no-execute (reads the flags the wrong way round)",
        find="((ph.flags & elf::segment_execute) ? 0 : perm_no_execute)",
        replace="((ph.flags & elf::segment_execute) ? perm_no_execute : 0)"),
    dict(
        id="L5-elf-offset-ignored", lab=5, file="lib/spawn.cc",
        mistake="copies from the start of the segment's bytes, ignoring where in the page the segment starts",
        find="image + ph.offset + (from - ph.vaddr), to - from);",
        replace="image + ph.offset, to - from);"),
    # ------------------------------------------------------------ lab 6
    # next_in_vector (kern/sched.cc)
    dict(
        id="L6-vector-no-wrap", lab=6, file="kern/sched.cc",
        mistake="stops one slot short of a full turn, so the current slot never comes round again",
        find="    for (uint32_t i = 1; i <= slice_slots; ++i) {\n",
        replace="    for (uint32_t i = 1; i < slice_slots; ++i) {\n"),
    dict(
        id="L6-vector-current-first", lab=6, file="kern/sched.cc",
        mistake="starts the walk at the current slot, so its owner keeps the CPU",
        find="        uint32_t candidate = (slice_table.current_slot + i) % slice_slots;\n",
        replace="        uint32_t candidate = (slice_table.current_slot + i - 1) % slice_slots;\n"),
    dict(
        id="L6-vector-from-zero", lab=6, file="kern/sched.cc",
        mistake="walks from slot 0 every time instead of from the current slot",
        find="        uint32_t candidate = (slice_table.current_slot + i) % slice_slots;\n",
        replace="        uint32_t candidate = (i - 1) % slice_slots;\n"),
    dict(
        id="L6-vector-any-owner", lab=6, file="kern/sched.cc",
        mistake="runs a slot's owner whatever its status (a child exofork has not finished, a receiver)",
        find="        if (e && can_run(*e)) {\n",
        replace="        if (e) {\n",
        random="needs a slice to end while a child is still not runnable in the middle of fork"),

    # epilogue_tick and next_slice_length (kern/sched.cc)
    dict(
        id="L6-borrow-not-paid", lab=6, file="kern/sched.cc",
        mistake="gives every slice its full length: borrowed time is never paid back",
        find="    return slice_ticks - paid;\n",
        replace="    return slice_ticks;\n"),
    dict(
        id="L6-borrow-paid-forever", lab=6, file="kern/sched.cc",
        mistake="never clears the debt, so every later slice is cut again",
        find="    e.cpu.owed -= paid;\n",
        replace=""),
    dict(
        id="L6-borrow-tick-not-counted", lab=6, file="kern/sched.cc",
        mistake="forgets to count the tick, so an epilogue borrows nothing and is never switched off",
        find="    ++e.cpu.epilogue_ticks;\n",
        replace=""),
    dict(
        id="L6-borrow-budget-plus-one", lab=6, file="kern/sched.cc",
        mistake="lets an epilogue run one tick past its budget",
        find="    return e.cpu.epilogue_ticks >= epilogue_budget;\n",
        replace="    return e.cpu.epilogue_ticks > epilogue_budget;\n"),
    dict(
        id="L6-borrow-view-not-counted", lab=6, file="kern/sched.cc",
        mistake="counts the tick for the kernel but not in the env's view",
        find="    ++slices::view(e).epilogue_ticks;\n",
        replace=""),

    # force_switch (kern/sched.cc)
    dict(
        id="L6-force-not-counted", lab=6, file="kern/sched.cc",
        mistake="switches the epilogue off but does not count the overrun",
        find="    ++view.overruns;\n",
        replace=""),
    dict(
        id="L6-force-still-borrowing", lab=6, file="kern/sched.cc",
        mistake="leaves the env borrowing, so its next slice is cut off after the budget again",
        find="        e.cpu.owed += e.cpu.epilogue_ticks;\n        e.cpu.borrowing = false;\n    }\n    run_next();\n",
        replace="        e.cpu.owed += e.cpu.epilogue_ticks;\n    }\n    run_next();\n"),
    dict(
        id="L6-force-nothing-owed", lab=6, file="kern/sched.cc",
        mistake="forgets that a forced epilogue borrowed its whole budget",
        find="        view.borrowed = e.cpu.epilogue_ticks;\n        e.cpu.owed += e.cpu.epilogue_ticks;\n        e.cpu.borrowing = false;\n    }\n    run_next();\n",
        replace="        e.cpu.borrowing = false;\n    }\n    run_next();\n"),

    # yield_to (kern/sched.cc)
    dict(
        id="L6-yieldto-self", lab=6, file="kern/sched.cc",
        mistake="lets an env yield to itself",
        find="    if (to == &e || to->status != EnvStatus::runnable || slices::view(e).in_epilogue) return E_INVAL;\n",
        replace="    if (to->status != EnvStatus::runnable && to != &e) return E_INVAL;\n"),
    dict(
        id="L6-yieldto-not-runnable", lab=6, file="kern/sched.cc",
        mistake="hands the slice to an env whatever its status",
        find="    if (to == &e || to->status != EnvStatus::runnable || slices::view(e).in_epilogue) return E_INVAL;\n",
        replace="    if (to == &e || slices::view(e).in_epilogue) return E_INVAL;\n"),
    dict(
        id="L6-yieldto-no-result", lab=6, file="kern/sched.cc",
        mistake="forgets the caller's result: it sees the syscall number come back",
        find="    e.tf.rax = 0;\n    hand_off(*to);\n",
        replace="    hand_off(*to);\n"),

    # deliver_epilogue (kern/upcall.cc)
    dict(
        id="L6-epi-in-upcall", lab=6, file="kern/upcall.cc",
        mistake="delivers an epilogue even while the env runs on its exception stack",
        find="    if (!e.upcalls.epilogue_entry || on_exception_stack(e)) return 0;\n",
        replace="    if (!e.upcalls.epilogue_entry) return 0;\n"),
    dict(
        id="L6-epi-wrong-vector", lab=6, file="kern/upcall.cc",
        mistake="labels the saved state with the vector of whatever trap came last",
        find="    UTrapFrame state = user_frame(e.tf, 0, timer_vector);\n",
        replace="    UTrapFrame state = user_frame(e.tf, 0, 0);\n"),
    dict(
        id="L6-epi-no-save-area-arg", lab=6, file="kern/upcall.cc",
        mistake="enters the epilogue without telling it where the save area is",
        find="    enter_upcall(e, e.upcalls.epilogue_entry, e.upcalls.save_area);\n",
        replace="    enter_upcall(e, e.upcalls.epilogue_entry, 0);\n"),
    dict(
        id="L6-epi-nothing-saved", lab=6, file="kern/upcall.cc",
        mistake="copies nothing to the save area (a zero length)",
        find="    if (copy_to_user(e, e.upcalls.save_area, &state, sizeof state) < 0) {\n",
        replace="    if (copy_to_user(e, e.upcalls.save_area, &state, 0) < 0) {\n"),

    # enter_prologue (kern/upcall.cc)
    dict(
        id="L6-pro-flag-kept", lab=6, file="kern/upcall.cc",
        mistake="never clears the flag, so later resumes of kernel-saved state enter the prologue too",
        find="    e.cpu.enter_prologue = false;\n    if (!is_user_code(e, e.upcalls.prologue_entry)) {\n",
        replace="    if (!is_user_code(e, e.upcalls.prologue_entry)) {\n"),
    dict(
        id="L6-pro-not-counted", lab=6, file="kern/upcall.cc",
        mistake="enters the prologue without counting it",
        find="    ++slices::view(e).prologues;\n",
        replace=""),
    dict(
        id="L6-pro-epilogue-entry", lab=6, file="kern/upcall.cc",
        mistake="enters the epilogue's entry instead of the prologue's",
        find="    enter_upcall(e, e.upcalls.prologue_entry, e.upcalls.save_area);\n",
        replace="    enter_upcall(e, e.upcalls.epilogue_entry, e.upcalls.save_area);\n"),

    # on_epilogue and on_prologue (lib/threads.cc)
    dict(
        id="L6-thr-ignores-critical", lab=6, file="lib/threads.cc",
        mistake="preempts a thread in the middle of changing the queues",
        find="    if (critical) return;\n",
        replace="",
        random="threadcount's mutex hammer ends slices inside critical sections, but most such "
               "preemptions are harmless; only one inside a queue update or between `current = "
               "next` and thread_switch corrupts anything, and where slices fall depends on arg"),
    dict(
        id="L6-thr-not-requeued", lab=6, file="lib/threads.cc",
        mistake="saves the preempted thread but never makes it ready again",
        find="    current->context = *interrupted;\n    make_ready(current);\n",
        replace="    current->context = *interrupted;\n"),
    dict(
        id="L6-thr-context-not-saved", lab=6, file="lib/threads.cc",
        mistake="requeues the preempted thread without keeping its registers",
        find="    current->context = *interrupted;\n    make_ready(current);\n",
        replace="    (void) interrupted;\n    make_ready(current);\n"),
    dict(
        id="L6-thr-next-not-loaded", lab=6, file="lib/threads.cc",
        mistake="switches `current` but resumes the interrupted thread's registers",
        find="    *resume = next->context;\n",
        replace="    (void) resume;\n"),

    # ------------------------------------------------------------ lab 7
    # deliver_revocation (kern/upcall.cc)
    dict(
        id="L7-up-on-exception-stack", lab=7, file="kern/upcall.cc",
        mistake="delivers the upcall even while the env runs on its exception stack",
        find="    if (on_exception_stack(e)) return 0;   // it will hear when it leaves\n",
        replace=""),
    dict(
        id="L7-up-stale-request", lab=7, file="kern/upcall.cc",
        mistake="delivers a request that was met (or closed by force) before it could be told",
        find="    bool request = m.request_due && v.pending;\n",
        replace="    bool request = m.request_due;\n",
        known_gap="no graded victim is kept from running from its request to its deadline, so no request is closed before it is delivered; a victim blocked in ipc_recv through the window (upcalls must stay 0) would catch it"),
    dict(
        id="L7-up-flag-kept", lab=7, file="kern/upcall.cc",
        mistake="never clears the request's flag, so every return to user mode delivers it again",
        find="    if (request) {\n        m.request_due = false;\n",
        replace="    if (request) {\n"),
    dict(
        id="L7-up-frame-unaligned", lab=7, file="kern/upcall.cc",
        mistake="puts the frame at the very top of the stack, running over it",
        find="    uintptr_t frame_va = (top - sizeof frame) & ~uintptr_t(15);\n",
        replace="    uintptr_t frame_va = top & ~uintptr_t(15);\n"),
    dict(
        id="L7-up-no-notice", lab=7, file="kern/upcall.cc",
        mistake="delivers requests only; a notice is dropped",
        find="    bool request = m.request_due && v.pending;\n",
        replace="    bool request = m.request_due && v.pending;\n"
                "    if (!request) {\n        m.notice_due = false;\n        return 0;\n    }\n"),

    # record_repossessed (kern/revoke.cc)
    dict(
        id="L7-vec-no-count", lab=7, file="kern/revoke.cc",
        mistake="writes the address but never counts it",
        find="    ++v.vector_count;\n",
        replace=""),
    dict(
        id="L7-vec-off-by-one", lab=7, file="kern/revoke.cc",
        mistake="counts first, then writes at the new count (slot 0 never used)",
        find="    v.vector[v.vector_count % repossession_slots] = va;\n    ++v.vector_count;\n",
        replace="    ++v.vector_count;\n    v.vector[v.vector_count % repossession_slots] = va;\n"),
    dict(
        id="L7-vec-no-notice", lab=7, file="kern/revoke.cc",
        mistake="records the address but never tells the env",
        find="    e.memory.notice_due = true;\n",
        replace=""),

    # repossess (kern/revoke.cc)
    dict(
        id="L7-rep-any-owner", lab=7, file="kern/revoke.cc",
        mistake="takes any frame the victim maps, its parent's included",
        find="        if (f.owner != e.id || n == max_candidates) return;\n",
        replace="        if (n == max_candidates) return;\n",
        known_gap="the graded victims are asked for fewer frames than they own privately, so frames owned by others (shared, hence last) are never reached; a request for more than the victim's private frames would catch it"),
    dict(
        id="L7-rep-victim-only", lab=7, file="kern/revoke.cc",
        mistake="unmaps the frames in the victim only, leaving other envs mapping freed frames",
        find="        if (!holder.alive()) continue;\n",
        replace="        if (!holder.alive() || &holder != &e) continue;\n",
        known_gap="for the same reason no shared frame is ever taken, so no other env's mapping needs removing; a request reaching the victim's shared page (the root must then lose its mapping and find it in its own vector) would catch it"),
    dict(
        id="L7-rep-no-record", lab=7, file="kern/revoke.cc",
        mistake="takes the frames without recording them in the vector",
        find="            record_repossessed(holder, va);\n",
        replace="            (void) record_repossessed;\n"),
    dict(
        id="L7-rep-no-decref", lab=7, file="kern/revoke.cc",
        mistake="removes the mappings but never drops the frames' references",
        find="            frames::decref(pa);\n",
        replace=""),
    dict(
        id="L7-rep-ignores-accessed", lab=7, file="kern/revoke.cc",
        mistake="tells the policy nothing was accessed",
        find="                                            (entry & pte::accessed) != 0};\n",
        replace="                                            false};\n",
        known_gap="the cold pages sit below the program image, lowest of all, so address order alone picks them; a victim whose idle pages lie above pages it keeps touching would catch it"),
    dict(
        id="L7-rep-count-plus-one", lab=7, file="kern/revoke.cc",
        mistake="takes one frame more than the request left unmet",
        find="    size_t taken = policy::choose_frames(candidates, n, count);\n",
        replace="    size_t taken = policy::choose_frames(candidates, n, count + 1);\n"),

    # choose_frames (kern/revoke_policy.cc)
    dict(
        id="L7-pol-worst-first", lab=7, file="kern/revoke_policy.cc",
        mistake="compares the wrong way round: takes the least preferred frames first",
        find="            if (before(c[j], c[best])) best = j;\n",
        replace="            if (before(c[best], c[j])) best = j;\n"),
    dict(
        id="L7-pol-address-only", lab=7, file="kern/revoke_policy.cc",
        mistake="orders by address alone, ignoring sharing and the accessed bits",
        find="            if (before(c[j], c[best])) best = j;\n",
        replace="            if ((void) before, c[j].va < c[best].va) best = j;\n"),
    dict(
        id="L7-pol-duplicates", lab=7, file="kern/revoke_policy.cc",
        mistake="counts a frame mapped twice as two",
        find="        if (again) continue;\n",
        replace=""),

    # choose_victim (lib/pager.cc)
    dict(
        id="L7-pgr-no-second-chance", lab=7, file="lib/pager.cc",
        mistake="skips accessed pages without clearing their bits: with every page accessed, "
                "nothing is ever evicted",
        find="            clear_accessed(i, pte);   // a second chance\n",
        replace="            (void) clear_accessed;\n"),
    dict(
        id="L7-pgr-hand-stuck", lab=7, file="lib/pager.cc",
        mistake="never advances the hand",
        find="        hand = (hand + 1) % pages;\n",
        replace=""),
    dict(
        id="L7-pgr-one-turn", lab=7, file="lib/pager.cc",
        mistake="gives up after one turn of the clock, when the first turn only cleared bits",
        find="    for (size_t step = 0; step < 2 * pages; ++step) {\n",
        replace="    for (size_t step = 0; step < pages; ++step) {\n",
        known_gap="the kernel clears the accessed bits when it makes a request, so the pager's first turn already finds a victim; a pager request made after every page was touched again would catch it"),
    dict(
        id="L7-pgr-absent-victim", lab=7, file="lib/pager.cc",
        mistake="picks pages that are not resident",
        find="        if (!(pte & perm_present)) continue;\n",
        replace="",
        known_gap="the pager's loop goes on until its request is met, so evicting an absent page only wastes a turn; counting evictions against the frames given back would catch it"),
]
