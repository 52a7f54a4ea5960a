#!/bin/sh
# Writes the assembly that embeds the user programs in the kernel, plus the
# table kern/userprogs.cc searches. Usage: gen-userprogs.sh BIN...
set -eu
echo '    .section .userprogs, "a"'
for bin in "$@"; do
    name=$(basename "$bin")
    echo "    .balign 16"
    echo "userprog_${name}_start: .incbin \"$bin\""
    echo "userprog_${name}_end:"
done
echo '    .section .rodata'
for bin in "$@"; do
    name=$(basename "$bin")
    echo "userprog_${name}_name: .asciz \"$name\""
done
echo '    .balign 8'
echo '    .globl user_program_table'
echo 'user_program_table:'
for bin in "$@"; do
    name=$(basename "$bin")
    echo "    .quad userprog_${name}_name, userprog_${name}_start, userprog_${name}_end"
done
echo '    .quad 0, 0, 0'
