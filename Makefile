# ExoKit: build, run and grade the exokernel. `make help` lists the targets.

BUILD      := build
# The kernel and user programs are x86-64 code. On any other host (an arm64
# Debian machine or VM, say) they are built with Debian's cross toolchain,
# whose tools carry this prefix; tools/deps.sh installs it. CROSS=PREFIX
# forces a prefix on any host (`make test` builds once with it forced).
HOST_ARCH  := $(shell uname -m)
CROSS      ?= $(if $(filter x86_64 amd64,$(HOST_ARCH)),,x86_64-linux-gnu-)
CXX        := $(CROSS)g++
LD         := $(CROSS)ld
OBJCOPY    := $(CROSS)objcopy
NM         := $(CROSS)nm
# The unit tests and tools run on the host, whatever it is.
HOST_CXX   := g++
QEMU       := qemu-system-x86_64
# A GDB that reads x86-64 wherever it runs.
GDB        := $(if $(filter x86_64 amd64,$(HOST_ARCH)),gdb,gdb-multiarch)
# Found when a recipe runs, so that it sees what tools/deps.sh just installed.
PYTHON     = $$(tools/find-python.sh)

# Parallel builds inside `make test` (a plain `make` is as you ask).
NPROC      := $(shell nproc 2>/dev/null || echo 2)

# A per-user GDB port, so two people on one machine do not collide.
GDBPORT    := $(shell expr `id -u` % 5000 + 25000)

# Quiet by default; `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---------------------------------------------------------------- flags

# Empty, or a compiler cache: `make test` sets it (ccache, where installed)
# so that the handout trees it builds reuse the reference's objects for
# every file they share with it (the GoogleTest suites above all).
CCACHE ?=

COMMON_CXXFLAGS := -std=c++20 -ffreestanding -fno-exceptions -fno-rtti \
	-fno-threadsafe-statics -fno-stack-protector -fno-pic -fno-pie -nostdlib \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-asynchronous-unwind-tables -g -O1 -Wall -Wextra -Werror -I. -MMD -MP
# Lab 7's SYS_test_pressure, which the grader needs; 0 leaves it out.
TEST_SYSCALLS ?= 1
KERN_CXXFLAGS := $(COMMON_CXXFLAGS) -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-DEXOKIT_TEST_SYSCALLS=$(TEST_SYSCALLS)
# No red zone in user code either: an exception upcall returns by writing
# the faulting rip just below the faulting rsp.
USER_CXXFLAGS := $(COMMON_CXXFLAGS) -mgeneral-regs-only -mno-red-zone
LDFLAGS       := -nostdlib -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

HOST_CXXFLAGS := -std=c++20 -g -O1 -Wall -Wextra -Werror -I. -MMD -MP

# make SAN=1: the kernel built with GCC's undefined-behaviour sanitizer, in
# its own folder so that it never replaces the normal build/kernel. Every
# check in -fsanitize=undefined except vptr, which needs RTTI. Alignment
# stays: packed structs (TSS, IDT gates, Multiboot info) are accessed
# through their own types, so GCC knows their fields may be unaligned. No
# recovery: GCC then calls the noreturn _abort handlers (kern/ubsan.cc).
# User programs are built as usual (they are not sanitized).
UBSAN_FLAGS := -fsanitize=undefined -fno-sanitize=vptr -fno-sanitize-recover=all
ifeq ($(SAN),1)
BUILD := $(BUILD)/san
KERN_CXXFLAGS += $(UBSAN_FLAGS) -DEXOKIT_SAN=1
# The grader (grade/harness.py) boots build/san when this is set.
export EXOKIT_SAN := 1
endif

# ---------------------------------------------------------------- sources

# The sanitizer's runtime only in the sanitizer build, and not itself
# sanitized (a check inside a handler would call the handler again).
KERN_SRCS := $(filter-out $(if $(filter 1,$(SAN)),,kern/ubsan.cc),$(wildcard kern/*.cc kern/*.S))
$(BUILD)/kern-obj/kern/ubsan.cc.o: KERN_CXXFLAGS += -fno-sanitize=all
SHARED_SRCS := lib/printfmt.cc lib/string.cc lib/error.cc
KERN_OBJS := $(patsubst %,$(BUILD)/kern-obj/%.o,$(KERN_SRCS) $(SHARED_SRCS))

ULIB_SRCS := $(sort $(wildcard lib/*.S lib/*.cc))
ULIB_OBJS := $(patsubst %,$(BUILD)/user-obj/%.o,$(ULIB_SRCS))
USER_PROGS := $(sort $(basename $(notdir $(wildcard user/*.cc))))
USER_BINS := $(USER_PROGS:%=$(BUILD)/user/%)

# Pure logic the host unit tests compile as ordinary C++.
HOST_SRCS := lib/printfmt.cc kern/ksyms.cc kern/backtrace_walk.cc kern/bootargs.cc kern/pagetable.cc \
	kern/guard.cc kern/audit.cc kern/revoke_policy.cc \
	$(wildcard tools/handout/markers.cc) $(wildcard grade/unit/*_test.cc)
HOST_OBJS := $(patsubst %,$(BUILD)/host-obj/%.o,$(HOST_SRCS))

.SECONDARY:
.PHONY: all clean deps deps-boot qemu qemu-nox qemu-gdb qemu-nox-gdb gdb grade test unit \
	handout handin print-qemu help bench grade-submissions gradescope doctor mutants cross-check
all: $(BUILD)/kernel.img compile_commands.json

# For clangd and other editors: every compile command, from the Makefile's
# own (a dry run). Redone when the Makefile changes or a source directory
# gains or loses a file; kept out of git.
compile_commands.json: Makefile tools/compile_commands.py kern lib user grade/unit
	$(if $(Q),@echo "  GEN $@")
	$(Q)python3 tools/compile_commands.py $@ $(BUILD)/kernel.img $(BUILD)/unit-tests \
	  || echo "compile_commands.json: not written (editors only; the build goes on)"

# ---------------------------------------------------------------- kernel

$(BUILD)/kern-obj/%.cc.o: %.cc
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(CCACHE) $(CXX) $(KERN_CXXFLAGS) -c $< -o $@
$(BUILD)/kern-obj/%.S.o: %.S
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(CCACHE) $(CXX) $(KERN_CXXFLAGS) -c $< -o $@

# The kernel embeds the programs without their debug info (a third of the
# size); GDB reads the symbols from build/user/PROG itself.
USER_EMBEDDED := $(USER_PROGS:%=$(BUILD)/user-embedded/%)
$(BUILD)/user-embedded/%: $(BUILD)/user/%
	@mkdir -p $(@D)
	$(Q)$(OBJCOPY) --strip-debug $< $@
$(BUILD)/userprogs.S: $(USER_EMBEDDED) tools/gen-userprogs.sh
	$(if $(Q),@echo "  GEN-USERPROGS.SH $@")
	$(Q)tools/gen-userprogs.sh $(USER_EMBEDDED) > $@
$(BUILD)/userprogs.o: $(BUILD)/userprogs.S
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(CCACHE) $(CXX) $(KERN_CXXFLAGS) -c $< -o $@

$(BUILD)/ksyms-empty.o: tools/gen-ksyms.sh
	@mkdir -p $(@D)
	$(if $(Q),@echo "  GEN-KSYMS.SH $@")
	$(Q)NM=$(NM) tools/gen-ksyms.sh > $(BUILD)/ksyms-empty.S
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(CCACHE) $(CXX) $(KERN_CXXFLAGS) -c $(BUILD)/ksyms-empty.S -o $@

# Two links: the first finds where every function lands, the second adds
# the symbol table after code and data. The check makes sure the table
# moved no function (it would name the wrong ones otherwise).
KERN_LINK_INPUTS := $(KERN_OBJS) $(BUILD)/userprogs.o
$(BUILD)/kernel: $(KERN_LINK_INPUTS) $(BUILD)/ksyms-empty.o kern/kernel.ld
	$(if $(Q),@echo "  LD $@")
	$(Q)$(LD) $(LDFLAGS) -T kern/kernel.ld -o $@.pass1 $(KERN_LINK_INPUTS) $(BUILD)/ksyms-empty.o
	$(if $(Q),@echo "  GEN-KSYMS.SH $@")
	$(Q)NM=$(NM) tools/gen-ksyms.sh $@.pass1 > $(BUILD)/ksyms.S
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(CCACHE) $(CXX) $(KERN_CXXFLAGS) -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(if $(Q),@echo "  LD $@")
	$(Q)$(LD) $(LDFLAGS) -T kern/kernel.ld -o $@ $(KERN_LINK_INPUTS) $(BUILD)/ksyms.o
	@$(NM) -n $@.pass1 | grep -i ' t ' > $@.pass1.syms; $(NM) -n $@ | grep -i ' t ' > $@.syms; \
	  cmp -s $@.pass1.syms $@.syms || { echo "error: the symbol table moved code"; rm -f $@; exit 1; }

# QEMU's Multiboot loader takes only 32-bit ELF files; the same bytes in
# an ELF32 wrapper load fine, and entry runs at a physical address anyway.
$(BUILD)/kernel.img: $(BUILD)/kernel
	$(if $(Q),@echo "  OBJCOPY $@")
	$(Q)$(OBJCOPY) -O elf32-i386 --strip-debug $< $@

# ---------------------------------------------------------------- user

$(BUILD)/user-obj/%.cc.o: %.cc
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(CCACHE) $(CXX) $(USER_CXXFLAGS) -c $< -o $@
$(BUILD)/user-obj/%.S.o: %.S
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(CCACHE) $(CXX) $(USER_CXXFLAGS) -c $< -o $@
# A program with an unusual layout (the loader's tests) brings its own
# link script, user/PROG.ld; the rest use user/user.ld.
.SECONDEXPANSION:
$(BUILD)/user/%: $(BUILD)/user-obj/user/%.cc.o $(ULIB_OBJS) $$(firstword $$(wildcard user/$$*.ld) user/user.ld)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD $@")
	$(Q)$(LD) $(LDFLAGS) -T $(lastword $^) -o $@ $(ULIB_OBJS) $<

# ---------------------------------------------------------------- host tests

$(BUILD)/host-obj/%.cc.o: %.cc
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(CCACHE) $(HOST_CXX) $(HOST_CXXFLAGS) -c $< -o $@
$(BUILD)/unit-tests: $(HOST_OBJS)
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(HOST_CXX) -o $@ $^ -lgtest -lgtest_main -pthread
$(BUILD)/exokit-handout: tools/handout/main.cc tools/handout/markers.cc tools/handout/markers.hh
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CXX $@")
	$(Q)$(HOST_CXX) $(HOST_CXXFLAGS) -o $@ tools/handout/main.cc tools/handout/markers.cc

unit: deps $(BUILD)/unit-tests
	$(BUILD)/unit-tests

# ---------------------------------------------------------------- QEMU

# TCG unless you ask (ACCEL=kvm or ACCEL=tcg) or tools/accel.sh's probe
# proved this host's KVM runs ring-3 system calls correctly: /dev/kvm
# existing proves nothing. Found when a recipe runs, after the kernel it
# probes with is built. Debugging stays on TCG unless you ask.
ACCEL ?=
ACCEL_CHOICE = $(ACCEL)
qemu-gdb qemu-nox-gdb: ACCEL_CHOICE = $(or $(ACCEL),tcg)
# ICOUNT=1: TCG counting instructions (-icount shift=0), so that the
# guest's TSC advances once per instruction and rdtsc counts them.
ICOUNT ?=
ifeq ($(ICOUNT),1)
ACCEL_CHOICE = tcg
endif
QEMU_ACCEL = $$(tools/accel.sh $(ACCEL_CHOICE))

APPEND ?=
QEMUOPTS = -kernel $(BUILD)/kernel.img -m 128M -no-reboot $(QEMU_ACCEL) $(if $(filter 1,$(ICOUNT)),-icount shift=0) \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	$(if $(strip $(APPEND)),-append "$(strip $(APPEND))")
# A window when there is a display to put it on; the serial console is
# always on stdio.
QEMU_DISPLAY := $(if $(DISPLAY)$(WAYLAND_DISPLAY),-serial mon:stdio,-display none -serial mon:stdio)
QEMU_GDB := -S -gdb tcp:127.0.0.1:$(GDBPORT)

# isa-debug-exit makes every deliberate exit odd; say so rather than have
# make report an error. SeaBIOS turns the terminal's line wrapping off;
# turn it back on.
define run_qemu
	@echo "*** accelerator: $$(tools/accel.sh --why $(ACCEL_CHOICE))"
	@echo "*** $(1)"; $(1); status=$$?; \
	  if [ -t 1 ]; then printf '\033[?7h'; fi; \
	  if [ $$status -eq 0 ]; then echo "*** QEMU exited (status 0: a triple fault or a plain quit)"; \
	  elif [ $$((status % 2)) -eq 1 ]; then echo "*** kernel exit code $$(((status - 1) / 2)) (QEMU status $$status)"; \
	  else echo "*** QEMU failed with status $$status"; exit $$status; fi
endef

qemu: deps-boot all
	$(call run_qemu,$(QEMU) $(QEMUOPTS) $(QEMU_DISPLAY))
qemu-nox: deps-boot all
	$(call run_qemu,$(QEMU) $(QEMUOPTS) -nographic)
# `make gdb` also loads the symbols of the user program a run-PROG-gdb
# booted (kernel and user addresses never overlap); the name is left here.
GDB_USER_PROG_FILE := $(BUILD)/gdb-user-prog
qemu-gdb: deps all $(BUILD)/gdbinit
	@echo "$(GDB_USER_PROG)" > $(GDB_USER_PROG_FILE)
	@echo "*** Now run 'make gdb' in another terminal (port $(GDBPORT))."
	$(call run_qemu,$(QEMU) $(QEMUOPTS) $(QEMU_DISPLAY) $(QEMU_GDB))
qemu-nox-gdb: deps all $(BUILD)/gdbinit
	@echo "$(GDB_USER_PROG)" > $(GDB_USER_PROG_FILE)
	@echo "*** Now run 'make gdb' in another terminal (port $(GDBPORT))."
	$(call run_qemu,$(QEMU) $(QEMUOPTS) -nographic $(QEMU_GDB))

# make run-PROG[-nox][-gdb]: boot with PROG as the first program.
run-%-nox-gdb: ; @$(MAKE) --no-print-directory qemu-nox-gdb APPEND="prog=$* $(APPEND)" GDB_USER_PROG=$*
run-%-gdb: ; @$(MAKE) --no-print-directory qemu-gdb APPEND="prog=$* $(APPEND)" GDB_USER_PROG=$*
run-%-nox: ; @$(MAKE) --no-print-directory qemu-nox APPEND="prog=$* $(APPEND)"
run-%: ; @$(MAKE) --no-print-directory qemu APPEND="prog=$* $(APPEND)"

# tools/gdb/exokit.py: user symbols that follow the running env, info envs,
# pt, frames, memmap, audit, pte and pretty-printers (README, "Debugging").
$(BUILD)/gdbinit: Makefile
	@mkdir -p $(@D)
	@printf '%s\n' 'set architecture i386:x86-64' 'set confirm off' 'set breakpoint pending on' \
	  'file $(BUILD)/kernel' \
	  'python import os; os.environ.setdefault("EXOKIT_BUILD", "$(abspath $(BUILD))")' \
	  'source $(CURDIR)/tools/gdb/exokit.py' \
	  'target remote 127.0.0.1:$(GDBPORT)' \
	  'echo Connected. Try: hbreak kernel_main, continue; info envs, pt VA, frames, memmap.\n' > $@
gdb: $(BUILD)/gdbinit
	$(GDB) -q -n -x $(BUILD)/gdbinit $(foreach p,$(shell cat $(GDB_USER_PROG_FILE) 2>/dev/null),\
	  -ex 'add-symbol-file $(BUILD)/user/$(p)' -ex 'python note_loaded("$(p)")' \
	  -ex 'echo Also loaded: $(BUILD)/user/$(p) (the symbols follow the running env)\n')

print-qemu: all
	@echo $(QEMU) $(QEMUOPTS) $(QEMU_DISPLAY)
	@echo "# accelerator: $$(tools/accel.sh --why $(ACCEL_CHOICE))"
# What this machine has, and what the kit will do with it.
doctor: all
	@tools/doctor.sh $(GDBPORT) $(ACCEL)
print-gdbport:
	@echo $(GDBPORT)

# ---------------------------------------------------------------- grading

deps:
	@tools/deps.sh
deps-boot:
	@tools/deps.sh boot

# make grade [LAB=N]: a per-test table, Score: X/Y, and results.json.
grade: deps
	$(PYTHON) grade/run.py $(if $(LAB),--lab $(LAB))

# The instructors' tree: host unit tests, the reference at full marks (built
# as usual, then with the undefined-behaviour sanitizer), then every lab's
# handout. A student tree has no handout check: there `make test` runs the
# unit tests and the grader, and a failing test is a score, not an error.
# One cache for the reference, its sanitizer build and every handout tree
# (the environment carries it into handout_check's builds). Keyed by file
# contents, not paths, so a handout's untouched files are cache hits.
test: export CCACHE = $(shell command -v ccache 2>/dev/null)
test: export CCACHE_DIR := $(abspath $(BUILD))/ccache
test: export CCACHE_NOHASHDIR := 1
test: deps
	@tools/doctor.sh $(GDBPORT)
ifneq ($(wildcard grade/handout_check.py),)
	@$(MAKE) --no-print-directory -j$(NPROC) all $(BUILD)/unit-tests $(BUILD)/exokit-handout
	$(BUILD)/unit-tests
	EXOKIT_SAN= $(PYTHON) grade/run.py --kit --require-full
	EXOKIT_SAN=1 $(PYTHON) grade/run.py --kit --require-full
	EXOKIT_SAN= $(PYTHON) grade/handout_check.py
	@$(MAKE) --no-print-directory cross-check
else
	@$(MAKE) --no-print-directory -j$(NPROC) all $(BUILD)/unit-tests
	-$(BUILD)/unit-tests --gtest_brief=1
	$(PYTHON) grade/run.py
endif

# Any host: build with the cross toolchain's prefix forced on (on an x86-64
# host its tools are the native ones under their Debian triplet names),
# with plain g++, ld, objcopy and nm made to fail, so nothing unprefixed
# slips in; then grade Labs 1 and 3 on that build.
CROSS_CHECK := $(BUILD)/cross
cross-check:
	@mkdir -p $(CROSS_CHECK)/no-plain-tools
	@for t in g++ gcc c++ cc ld objcopy nm; do \
	  printf '#!/bin/sh\necho "cross build: plain %s was called; every tool must carry CROSS" >&2\nexit 1\n' $$t \
	    > $(CROSS_CHECK)/no-plain-tools/$$t; chmod +x $(CROSS_CHECK)/no-plain-tools/$$t; done
	PATH="$(abspath $(CROSS_CHECK))/no-plain-tools:$$PATH" $(MAKE) --no-print-directory -j$(NPROC) \
	  BUILD=$(CROSS_CHECK) CROSS=x86_64-linux-gnu- all
	EXOKIT_BUILD=$(abspath $(CROSS_CHECK)) EXOKIT_MAKE_ARGS="BUILD=$(CROSS_CHECK) CROSS=x86_64-linux-gnu-" \
	  $(PYTHON) grade/run.py --lab 1 --lab 3 --require-full \
	  --results $(abspath $(CROSS_CHECK))/grade/results.json

# make handout LAB=N OUT=DIR [FROM=TREE]: the student tree for lab N. With
# FROM, the student's own files for the earlier labs (the grading
# allowlist, labs/*.json) are carried over from TREE.
handout: $(BUILD)/exokit-handout
	@test -n "$(LAB)" -a -n "$(OUT)" || { echo "usage: make handout LAB=N OUT=DIR [FROM=TREE]"; exit 2; }
	$(BUILD)/exokit-handout --lab $(LAB) --src . --out $(OUT) --exclude-file tools/handout-exclude $(EXTRA_HANDOUT_FLAGS)
	$(if $(FROM),python3 grade/submission.py --from $(FROM) --to $(OUT) --lab $(LAB))

# Students: make handin LAB=N [FORCE=1] packs lab N's files and a manifest
# into build/handin/labN-handin.tar.gz (uploaded nowhere).
handin:
	@test -n "$(LAB)" || { echo "usage: make handin LAB=N [FORCE=1]"; exit 2; }
	@python3 tools/handin.py --lab $(LAB) $(if $(FORCE),--force)

# Instructors: grade a folder of submissions (one subfolder per student),
# or build the zip to upload as a Gradescope autograder.
grade-submissions: deps $(BUILD)/exokit-handout
	@test -f tools/grade_submissions.py || { echo "grade-submissions: only in the instructors' tree"; exit 2; }
	@test -n "$(LAB)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade-submissions LAB=N SUBMISSIONS=DIR [OUT=DIR] [JOBS=N] [TIMEOUT=SECONDS]"; exit 2; }
	$(PYTHON) tools/grade_submissions.py --lab $(LAB) --submissions $(SUBMISSIONS) $(if $(OUT),--out $(OUT)) \
	  $(if $(JOBS),-j $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT))
gradescope: deps $(BUILD)/exokit-handout
	@test -f tools/gradescope/package.py || { echo "gradescope: only in the instructors' tree"; exit 2; }
	@test -n "$(LAB)" || { echo "usage: make gradescope LAB=N"; exit 2; }
	$(PYTHON) tools/gradescope/package.py --lab $(LAB)

# Instructors: every likely student mistake in grade/mutants.py must lose
# points. LAB=N for one lab's mutants, MUTANT=ID for one.
mutants: deps
	@test -f grade/mutation_check.py || { echo "mutants: only in the instructors' tree"; exit 2; }
	$(PYTHON) grade/mutation_check.py $(if $(LAB),--lab $(LAB)) $(if $(MUTANT),--id $(MUTANT))

bench:
	@tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	$(PYTHON) grade/bench.py

# Where the instructions go: PROG under TCG with -icount, each instruction
# counted to its function. APPEND=... boot arguments, PER=FUNCTION divides
# by the times FUNCTION was entered, ANNOTATE=FUNCTION shows its lines.
iprofile-%: all
	python3 tools/iprofile.py $* $(if $(APPEND),--append "$(APPEND)") $(if $(PER),--per '$(PER)') \
		$(if $(ANNOTATE),--annotate '$(ANNOTATE)')

clean:
	rm -rf $(BUILD)

help:
	@echo "make [all]            build the kernel and user programs into $(BUILD)/"
	@echo "make qemu | qemu-nox  boot (window + serial on stdio | serial only)"
	@echo "make qemu-gdb | qemu-nox-gdb, then make gdb   debug with GDB (port $(GDBPORT))"
	@echo "make run-PROG[-nox][-gdb]   boot with user/PROG.cc as the first program (ICOUNT=1: count instructions)"
	@echo "make iprofile-PROG [APPEND=... PER=FUNCTION ANNOTATE=FUNCTION]   instructions by function"
	@echo "make grade [LAB=N]    grade the labs; writes $(BUILD)/grade/results.json"
	@echo "make SAN=1 [TARGET]   any target, on a kernel with the undefined-behaviour sanitizer (build/san/)"
	@echo "make test             unit tests, reference grading, handout checks and make cross-check"
	@echo "make cross-check      build with the x86-64 cross toolchain's prefix forced on; grade labs 1 and 3"
	@echo "make grade-submissions LAB=N SUBMISSIONS=DIR [JOBS=N TIMEOUT=S]   grade a folder of submissions"
	@echo "make handout LAB=N OUT=DIR   write the student tree for lab N"
	@echo "make handin LAB=N [FORCE=1]  pack lab N's files and a manifest to hand in"
	@echo "make print-qemu       show the QEMU command line and why it picked its accelerator"
	@echo "make doctor           check the tools, the python for grading, and the accelerator"
	@echo "make bench            sizes, boot time, syscall and upcall cycles"
	@echo "make grade-submissions LAB=N SUBMISSIONS=DIR   grade every student folder or handin tarball in DIR"
	@echo "make gradescope LAB=N write the Gradescope autograder zip for lab N"
	@echo "make mutants [LAB=N] [MUTANT=ID]   check that likely student mistakes lose points"

# This build's own dependency files: not build/san's, nor those of the
# trees that handouts, Gradescope and the mutation check build under build/.
-include $(shell find $(BUILD)/kern-obj $(BUILD)/user-obj $(BUILD)/host-obj -name '*.d' 2>/dev/null) $(wildcard $(BUILD)/*.d)
