#!/bin/sh
# `make doctor`: what this machine has, what is missing (and the command
# that installs it), and what the kit will do with it. `make test` runs it
# first, as a smoke check: it exits 1 if anything needed is missing.
#   tools/doctor.sh GDBPORT [ACCEL]
set -u
cd "$(dirname "$0")/.."
ok() { printf "  %-24s %s\n" "$1" "$2"; }
problems=0
missing() {   # what, the package that has it
    ok "$1" "MISSING: sudo apt-get install $2 (or tools/deps.sh)"
    problems=$((problems + 1))
}
version() { "$1" --version 2>/dev/null | head -n 1; }

for tool in make:make g++:g++ ld:binutils objcopy:binutils nm:binutils readelf:binutils \
            qemu-system-x86_64:qemu-system-x86 gdb:gdb; do
    name=${tool%%:*}
    if command -v "$name" >/dev/null 2>&1; then ok "$name" "$(version "$name")"; else missing "$name" "${tool#*:}"; fi
done
# The kernel is C++20: a concept and a constinit say the compiler speaks it.
if command -v g++ >/dev/null 2>&1; then
    if printf 'template <class T> concept Any = true;\nconstinit int x = 0;\nint main() { return x; }\n' |
        g++ -std=c++20 -fsyntax-only -x c++ - 2>/dev/null; then
        ok "C++20" "yes"
    else
        ok "C++20" "NO: g++ $(g++ -dumpversion) is too old; the kit needs g++ 10 or later"
        problems=$((problems + 1))
    fi
fi
# The graders script GDB in Python.
if command -v gdb >/dev/null 2>&1; then
    if [ "$(gdb -nx -batch -ex 'python print("py-ok")' 2>/dev/null)" = "py-ok" ]; then
        ok "GDB's Python" "yes"
    else
        missing "GDB's Python" "gdb (Debian's gdb has Python; a gdb without it cannot grade)"
    fi
fi
if python=$(tools/find-python.sh 2>/dev/null); then
    ok "python for grading" "$python ($("$python" -c 'import pytest, xdist, pytest_timeout; print("pytest", pytest.__version__, "xdist", xdist.__version__)'))"
else
    missing "python for grading" "python3-pytest python3-pytest-xdist python3-pytest-timeout"
fi
if [ -f /usr/include/gtest/gtest.h ]; then ok "googletest" "yes"; else missing "googletest" "libgtest-dev"; fi
if command -v ccache >/dev/null 2>&1; then ok "ccache" "$(version ccache) (make test uses it)"; else
    ok "ccache" "not installed: make test works, only slower (sudo apt-get install ccache)"; fi
# The probe boots a guest that makes a ring-3 system call: /dev/kvm alone
# proves nothing (some hypervisors run `syscall` wrongly).
ok "accelerator (make qemu)" "$(tools/accel.sh --why ${2:-})"
ok "accelerator (grading)" "${EXOKIT_ACCEL:-tcg} (EXOKIT_ACCEL overrides)"
ok "GDB port" "$1 (from your user id)"
ok "timeout scale" "${EXOKIT_TIMEOUT_SCALE:-1} (EXOKIT_TIMEOUT_SCALE)"
if [ "$problems" -gt 0 ]; then echo "doctor: $problems problem(s); tools/deps.sh installs every package"; exit 1; fi
echo "doctor: all set"
