# load_probe(va): one load from va, at an address test programs and the
# grader can name (probe_load_rip, read from the program's symbols). A test
# that faults here checks that the kernel recorded this rip, not wherever
# it was about to send the env next.
.text
.globl load_probe, probe_load_rip
.type load_probe, @function
load_probe:
probe_load_rip:
    mov (%rdi), %rax
    ret
.size load_probe, . - load_probe
