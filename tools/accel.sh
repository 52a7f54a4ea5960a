#!/bin/sh
# Chooses QEMU's accelerator and prints the options for it:
#   tools/accel.sh            TCG, or KVM if a probe proved KVM sound here
#   tools/accel.sh tcg|kvm    that accelerator, no probe
#   tools/accel.sh --why      the choice, and the reason, in words
#
# /dev/kvm existing proves nothing: some hosts' KVM is a software hypervisor
# that runs ring-3 system calls wrongly (`syscall` lands in the kernel still
# at CPL 3). So KVM is chosen only after this kit's own kernel, booted under
# it, ran a user program that made system calls and exited with the status
# it was given. The verdict is cached in build/accel-probe, keyed on QEMU's
# version and the kernel image, so the probe runs again when either changes;
# a verdict of "this KVM runs `syscall` wrongly" (the kernel recognises it)
# is about the host, not the kernel, and is kept until QEMU or the host
# kernel changes.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CACHE=$BUILD/accel-probe
PROBE_SECONDS=${EXOKIT_KVM_PROBE_SECONDS:-20}

# SMEP, SMAP and UMIP are not in QEMU's default model; TCG emulates them,
# and KVM passes them through where the host has them. (Not `-cpu host`:
# on some hosts' KVM it makes QEMU abort at start-up.)
CPU=qemu64,+smep,+smap,+umip
options() {
    case $1 in
        tcg|kvm) echo "-accel $1 -cpu $CPU" ;;
        *) echo "accel.sh: unknown accelerator '$1' (tcg or kvm)" >&2; exit 2 ;;
    esac
}

# Prints "ACCEL REASON..." after probing (or reading the cache).
decide() {
    if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
        echo "tcg /dev/kvm is not usable here"; return
    fi
    if [ ! -f "$BUILD/kernel.img" ]; then
        echo "tcg no kernel built yet to probe KVM with"; return
    fi
    host_key="$(qemu-system-x86_64 --version 2>/dev/null | head -n 1) $(uname -r)"
    key="$host_key $(cksum < "$BUILD/kernel.img")"
    if [ -f "$CACHE" ]; then
        cached=$(head -n 1 "$CACHE")
        if [ "$cached" = "$key" ] || [ "$cached" = "$host_key" ]; then
            tail -n 1 "$CACHE"; return
        fi
    fi
    arg=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
    want=$(printf '%x' $((0x$arg ^ 0x600D)))
    out=$(timeout "$PROBE_SECONDS" qemu-system-x86_64 $(options kvm) -kernel "$BUILD/kernel.img" \
          -append "prog=hello arg=0x$arg idle=exit panic=exit" -m 128M -no-reboot -display none \
          -serial stdio -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 2>&1 < /dev/null)
    status=$?
    if printf '%s\n' "$out" | grep -q "exited with status 0x$want"; then
        verdict="kvm a probe boot under KVM ran user/hello's system calls correctly"
    elif printf '%s\n' "$out" | grep -q "was run wrongly"; then
        key=$host_key
        verdict="tcg KVM here runs \`syscall\` wrongly: the probe's first system call entered the kernel still in ring 3"
    elif [ $status -eq 124 ]; then
        verdict="tcg the KVM probe boot did not finish within $PROBE_SECONDS s"
    elif printf '%s\n' "$out" | grep -q "killed"; then
        verdict="tcg KVM here mis-runs ring-3 system calls: the probe's user program was killed ($(printf '%s\n' "$out" | grep -m1 killed | tr -d '\r'))"
    else
        verdict="tcg the KVM probe boot did not run user/hello to its end (QEMU status $status)"
    fi
    mkdir -p "$BUILD"
    printf '%s\n%s\n' "$key" "$verdict" > "$CACHE"
    echo "$verdict"
}

case ${1:-} in
    tcg|kvm) options "$1" ;;
    --why)
        if [ -n "${2:-}" ]; then echo "$2 (asked for with ACCEL=$2)"; exit 0; fi
        d=$(decide); echo "${d%% *}: ${d#* }" ;;
    "") d=$(decide); options "${d%% *}" ;;
    *) echo "usage: tools/accel.sh [tcg|kvm|--why [ACCEL]]" >&2; exit 2 ;;
esac
