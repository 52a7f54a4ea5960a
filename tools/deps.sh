#!/bin/sh
# Installs the Debian/Ubuntu packages ExoKit needs, if any are missing.
# Every entry point (the quick start, make's run and test targets, CI)
# goes through here, so a new machine needs nothing done by hand.
set -eu

packages="make g++ binutils gdb qemu-system-x86 libgtest-dev
python3 python3-pytest python3-pytest-xdist python3-pytest-timeout"

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
