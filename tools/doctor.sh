#!/bin/sh
# `make doctor`: what this machine has, and what the kit will do with it.
#   tools/doctor.sh GDBPORT [ACCEL]
set -u
cd "$(dirname "$0")/.."
ok() { printf "  %-24s %s\n" "$1" "$2"; }
problems=0
for tool in g++ ld objcopy qemu-system-x86_64 gdb make; do
    if command -v "$tool" >/dev/null 2>&1; then
        ok "$tool" "$("$tool" --version 2>/dev/null | head -n 1)"
    else
        ok "$tool" "MISSING (tools/deps.sh installs it)"; problems=$((problems + 1))
    fi
done
if python=$(tools/find-python.sh 2>/dev/null); then
    ok "python for grading" "$python ($("$python" -c 'import pytest, xdist; print("pytest", pytest.__version__, "xdist", xdist.__version__)'))"
else
    ok "python for grading" "MISSING: no python3 with pytest, pytest-xdist and pytest-timeout"; problems=$((problems + 1))
fi
if [ -f /usr/include/gtest/gtest.h ]; then ok "googletest" "yes"; else
    ok "googletest" "MISSING (libgtest-dev)"; problems=$((problems + 1)); fi
ok "accelerator (make qemu)" "$(tools/accel.sh --why ${2:-})"
ok "accelerator (grading)" "${EXOKIT_ACCEL:-tcg} (EXOKIT_ACCEL overrides)"
ok "GDB port" "$1 (from your user id)"
ok "timeout scale" "${EXOKIT_TIMEOUT_SCALE:-1} (EXOKIT_TIMEOUT_SCALE)"
if [ "$problems" -gt 0 ]; then echo "doctor: $problems problem(s); run tools/deps.sh"; exit 1; fi
echo "doctor: all set"
