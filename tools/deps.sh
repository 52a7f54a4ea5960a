#!/bin/sh
# Installs the Debian/Ubuntu packages ExoKit needs, if any are missing.
# Every entry point (the quick start, make's run and test targets, CI)
# goes through here, so a new machine needs nothing done by hand.
#   tools/deps.sh boot   what building and booting need
#   tools/deps.sh        everything, testing and grading included
#   tools/deps.sh bench  that, and what `make bench`'s Linux guest needs
# Booting asks only for its own packages, so a test package that cannot be
# installed never stops `./exokit qemu-nox`.
set -eu

boot_packages="make g++ binutils qemu-system-x86"
test_packages="gdb libgtest-dev python3 python3-pytest python3-pytest-xdist python3-pytest-timeout ccache"
# The kernel is x86-64 code: on any other host (arm64, say) it is built
# with Debian's cross toolchain (the Makefile's CROSS) and debugged with a
# GDB that reads x86-64.
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
case $arch in
    amd64|x86_64) ;;
    *)
        boot_packages="$boot_packages g++-x86-64-linux-gnu binutils-x86-64-linux-gnu"
        test_packages=$(echo "$test_packages" | sed 's/^gdb /gdb-multiarch /')
        ;;
esac
# The Linux guest's /init is a static C program (libc.a), and its kernel
# comes from Debian's package, fetched with apt-get download and unpacked
# with dpkg-deb (both in every Debian system), never installed.
bench_packages="gcc libc6-dev"
case ${1:-all} in
    boot) packages=$boot_packages ;;
    all) packages="$boot_packages $test_packages" ;;
    bench) packages="$boot_packages $test_packages $bench_packages" ;;
    *) echo "usage: tools/deps.sh [boot|all|bench]" >&2; exit 2 ;;
esac

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing packages:$missing, and this is not a Debian/Ubuntu system." >&2
    echo "deps: install their equivalents by hand." >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps: missing packages:$missing; run as root: apt-get install$missing" >&2
    exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
