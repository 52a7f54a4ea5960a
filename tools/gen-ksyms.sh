#!/bin/sh
# Writes the assembly for a kernel's symbol table from `nm` output of a
# first link. Usage: gen-ksyms.sh KERNEL_ELF > ksyms.S (no arg: empty table)
set -eu
emit() {
    awk '
    BEGIN { n = 0; off = 0 }
    # With -S, sized symbols have 4 fields and unsized ones 3; the name is
    # the rest of the line (demangled C++ names contain spaces).
    {
        addr = $1
        if ($2 ~ /^[0-9a-f]+$/ && length($2) == 16) { size = $2; type = $3; first = 4 }
        else { size = "0"; type = $2; first = 3 }
        if (type !~ /^[tTwW]$/) next
        name = $first
        for (i = first + 1; i <= NF; i++) name = name " " $i
        gsub(/\\/, "\\\\", name); gsub(/"/, "\\\"", name)
        # Two names at one address (a function and a linker label): keep
        # the sized one, which is the function.
        if (n > 0 && addrs[n - 1] == addr) {
            if (size == "0") next
            n--
        }
        addrs[n] = addr; sizes[n] = size; names[n] = name
        n++
    }
    END {
        print "    .section .ksyms, \"a\""
        print "    .balign 8"
        print "    .globl ksym_count, ksym_entries, ksym_names"
        print "ksym_count: .quad " n
        print "ksym_entries:"
        for (i = 0; i < n; i++) {
            printf "    .quad 0x%s, 0x%s, %d\n", addrs[i], sizes[i], off
            off += length(names[i]) + 1
        }
        print "ksym_names:"
        for (i = 0; i < n; i++) printf "    .asciz \"%s\"\n", names[i]
        print "    .byte 0"
    }'
}
if [ $# -eq 0 ]; then
    emit </dev/null
else
    # Not a pipe: a failing nm must fail the build, not leave the kernel
    # an empty symbol table (sh has no pipefail).
    symbols=$("${NM:-nm}" -n -S -C --defined-only "$1")
    printf '%s\n' "$symbols" | emit
fi
