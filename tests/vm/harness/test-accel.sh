#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The VM harness's choice of accelerator (tests/vm/accel), with a fake
# qemu-system-x86_64 on PATH and a fake KVM device node: no VM boots.
#   test-accel.sh PATH-TO-ACCEL (in the unit suite: it boots nothing)
accel=$1
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: >"$tmp/kvm"
export GVT_VM_KVM_DEVICE=$tmp/kvm GVT_VM_ACCEL_PROBE_TIMEOUT=2
unset GVT_VM_ACCEL

# fake NAME BODY: a qemu-system-x86_64 in $tmp/NAME that logs each call
# to $tmp/NAME.calls and then runs BODY (with the arguments in "$*").
fake() {
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1/qemu-system-x86_64" <<FAKE
#!/bin/bash
echo "\$*" >>"$tmp/$1.calls"
$2
FAKE
	chmod +x "$tmp/$1/qemu-system-x86_64"
}
# Each scenario gets its own cache: a verdict is not shared between them.
pick() {	# pick FAKE [ENV...]: what the harness would boot with
	local name=$1
	shift
	env PATH="$tmp/$name:$PATH" GVT_VM_CACHE="$tmp/cache-$name" "$@" "$accel" 2>"$tmp/$name.err"
}
calls() { [ -f "$tmp/$1.calls" ] && wc -l <"$tmp/$1.calls" || echo 0; }

# (a) KVM that aborts as on a host without nested virtualization.
fake abort 'echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion failed." >&2
kill -ABRT $$'
check "aborting KVM: TCG" "tcg max" "$(pick abort)"
grep -q "^tests/vm/accel: using TCG: KVM cannot run a guest here: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69$" "$tmp/abort.err"
check "aborting KVM: one line with QEMU's message" 0 $?
check "aborting KVM: -cpu host and -cpu max were tried" 2 "$(calls abort)"

# (b) KVM that hangs: each probe is stopped after 2 s.
fake hang 'exec sleep 300'
t0=$(date +%s)
check "hanging KVM: TCG" "tcg max" "$(pick hang)"
took=$(($(date +%s) - t0))
[ $took -le 10 ]; check "hanging KVM: the probes gave up in time (${took} s, 10 allowed)" 0 $?
grep -q "did not finish within 2 s" "$tmp/hang.err"; check "hanging KVM: says it did not finish" 0 $?
pgrep -f "$tmp/hang/" >/dev/null; check "hanging KVM: no probe left running" 1 $?

# (c) KVM that runs the probe's guest: it exits through isa-debug-exit.
fake works 'case "$*" in *"-accel kvm"*isa-debug-exit*) exit 85 ;; esac; exit 1'
check "working KVM: KVM with -cpu host" "kvm host" "$(pick works)"
check "working KVM: nothing said on stderr" "" "$(cat "$tmp/works.err")"
check "working KVM: one probe" 1 "$(calls works)"
# The verdict is cached for this boot and machine: no second probe.
check "cached: the same verdict" "kvm host" "$(pick works)"
check "cached: no probe the second time" 1 "$(calls works)"
check "cached: described for people" "kvm (-cpu host)" \
	"$(PATH="$tmp/works:$PATH" GVT_VM_CACHE="$tmp/cache-works" "$accel" --describe)"
# A VM that died under KVM after all demotes the verdict.
env GVT_VM_CACHE="$tmp/cache-works" PATH="$tmp/works:$PATH" "$accel" --demote "a VM died under KVM: test"
check "demoted: TCG" "tcg max" "$(pick works)"
grep -q "using TCG: a VM died under KVM: test" "$tmp/works.err"; check "demoted: says why" 0 $?

# A changed machine is probed again: another QEMU binary.
fake works2 'case "$*" in *"-accel kvm -cpu host"*) exit 1 ;; *"-accel kvm -cpu max"*) exit 85 ;; esac; exit 1'
check "only -cpu max works under KVM: KVM with -cpu max" "kvm max" "$(pick works2)"

# No KVM node, or one that cannot be opened: TCG without starting QEMU.
check "no KVM device: TCG" "tcg max" "$(pick works env GVT_VM_KVM_DEVICE="$tmp/nonexistent" GVT_VM_CACHE="$tmp/cache-none")"
grep -q "using TCG: no $tmp/nonexistent" "$tmp/works.err"; check "no KVM device: says so" 0 $?

# Overrides.
check "GVT_VM_ACCEL=tcg: TCG" "tcg max" "$(pick abort env GVT_VM_ACCEL=tcg)"
check "GVT_VM_ACCEL=tcg: nothing said" "" "$(cat "$tmp/abort.err")"
out=$(pick abort env GVT_VM_ACCEL=kvm GVT_VM_CACHE="$tmp/cache-forced")
check "GVT_VM_ACCEL=kvm with a broken KVM: an error" "1:" "$?:$out"
grep -q "GVT_VM_ACCEL=kvm but KVM cannot run a guest here: qemu-system-x86_64: error: failed to set MSR" "$tmp/abort.err"
check "GVT_VM_ACCEL=kvm with a broken KVM: says why" 0 $?
check "GVT_VM_ACCEL=kvm with a working KVM: KVM" "kvm host" "$(pick works env GVT_VM_ACCEL=kvm)"
pick works env GVT_VM_ACCEL=bogus >/dev/null; check "GVT_VM_ACCEL=bogus: usage error" 2 $?
grep -q "GVT_VM_ACCEL='bogus' is not one of kvm, tcg, auto" "$tmp/works.err"; check "GVT_VM_ACCEL=bogus: names the value" 0 $?
pick works env GVT_VM_ACCEL_PROBE_TIMEOUT=0 >/dev/null; check "probe timeout 0: usage error" 2 $?

finish
