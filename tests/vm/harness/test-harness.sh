#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Tests of tests/vm/run itself, run on the host: each case boots a VM.
#   test-harness.sh PATH-TO-RUN
run=$1
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export GVT_VM_LOGDIR=$tmp/logs
# The harness's exchange directory lands here: it names this test's QEMU.
export TMPDIR=$tmp

# Usage errors: exit 2 with a one-line reason, before anything boots.
"$run" >/dev/null 2>"$tmp/err"; check "no -- CMD is a usage error" 2 $?
grep -q "missing '-- CMD'" "$tmp/err"; check "no -- CMD names the problem" 0 $?
"$run" -- >/dev/null 2>&1; check "-- without CMD is a usage error" 2 $?
"$run" --timeout abc -- true >/dev/null 2>"$tmp/err"; check "non-number timeout" 2 $?
grep -q "'abc' is not a positive number" "$tmp/err"; check "non-number timeout names the value" 0 $?
"$run" --kernel /nonexistent/vmlinuz -- true >/dev/null 2>"$tmp/err"; check "missing kernel" 2 $?
grep -q "/nonexistent/vmlinuz' does not exist" "$tmp/err"; check "missing kernel names the file" 0 $?
"$run" --bogus -- true >/dev/null 2>&1; check "unknown option" 2 $?

# A "kernel" that does not boot: the VM fails cleanly, no CMD status faked.
echo "not a kernel" >"$tmp/bogus-vmlinuz"
"$run" --kernel "$tmp/bogus-vmlinuz" -- true >/dev/null 2>"$tmp/err"
check "a kernel that does not boot is a VM failure" 125 $?
grep -q "stopped before CMD finished" "$tmp/err"; check "VM failure explained" 0 $?

# A passing CMD; its output, cwd and GVT_* environment arrive.
cd "$tmp"
GVT_PROBE='a b$c' NOT_PASSED=1 "$run" --log "$tmp/pass.log" -- \
	sh -c 'echo "out:$GVT_PROBE:${NOT_PASSED-unset}:$(pwd):$(id -u)"' >"$tmp/out" 2>"$tmp/err"
check "passing CMD exits 0" 0 $?
check "CMD output, GVT_* env, cwd, root" "out:a b\$c:unset:$tmp:0" "$(cat "$tmp/out")"
grep -q "boot to CMD: [0-9.]* s" "$tmp/err"; check "boot-to-CMD time printed" 0 $?
grep -q "^tests/vm/run: accelerator: \(kvm (-cpu \(host\|max\))\|tcg (-cpu max)\)$" "$tmp/err"
check "accelerator said in the log" 0 $?
grep -q "Linux version" "$tmp/pass.log"; check "console log kept in --log file" 0 $?
sed -n 's/.*boot to CMD: \([0-9.]*\) s.*/boot to CMD: \1 s/p' "$tmp/err"

# A failing CMD's status comes back.
"$run" -- sh -c 'exit 7' >/dev/null 2>&1; check "CMD status 7 returned" 7 $?

# timed CMD...: run CMD, stderr to $tmp/err; sets st (status), took (s).
timed() {
	local t0
	t0=$(date +%s)
	"$@" >/dev/null 2>"$tmp/err"
	st=$?
	took=$(($(date +%s) - t0))
}

# A timeout fails within about 10 s, with a message, and leaves no QEMU.
timed "$run" --timeout 5 -- sleep 60
check "timeout exit status" 124 $st
grep -q "timeout" "$tmp/err"; check "timeout message" 0 $?
[ $took -le 12 ]; check "timeout within ~10 s (took ${took} s)" 0 $?
pgrep -f "path=$tmp/gvt-vm" >/dev/null; check "no QEMU left behind" 1 $?

# A boot that stalls (QEMU started paused: -S) is killed and booted again;
# the retry is said on stderr and marked in the one console log.
GVT_VM_TEST_STALLS=1 "$run" --boot-timeout 40 --log "$tmp/stall.log" -- true >/dev/null 2>"$tmp/err"
check "one stalled boot, then CMD runs" 0 $?
grep -q "boot attempt 1 of 3 stalled: CMD not reached within 40 s" "$tmp/err"; check "stalled boot reported" 0 $?
grep -q "^==== gvt-vm: boot attempt 2 ====" "$tmp/stall.log"; check "retry marked in the console log" 0 $?
grep -q "gvt-vm: \[[0-9.]*\] stage2: system set up" "$tmp/stall.log"; check "boot progress marks on the console" 0 $?

# Three stalls: a VM failure, within about 3 x 2 s, no QEMU left.
GVT_VM_TEST_STALLS=3 timed "$run" --boot-timeout 2 -- true
check "three stalled boots are a VM failure" 125 $st
grep -q "did not reach CMD in 3 boots of 2 s each" "$tmp/err"; check "VM failure after stalls explained" 0 $?
[ $took -le 20 ]; check "three stalls of 2 s end the run (took ${took} s, 20 allowed)" 0 $?
pgrep -f "path=$tmp/gvt-vm" >/dev/null; check "no QEMU left behind after stalls" 1 $?
"$run" --boot-timeout 0 -- true >/dev/null 2>"$tmp/err"; check "zero boot timeout is a usage error" 2 $?
GVT_VM_TEST_STALLS=x "$run" -- true >/dev/null 2>&1; check "non-number GVT_VM_TEST_STALLS is a usage error" 2 $?

# A KVM that passes the probe but kills
# the real VM at once (a fake QEMU that aborts under -accel kvm, except for
# the probe's guest, and is the real one otherwise): booted again under TCG
# once, and the verdict is demoted for the runs after it.
real_qemu=$(command -v qemu-system-x86_64)
mkdir -p "$tmp/fakekvm"
cat >"$tmp/fakekvm/qemu-system-x86_64" <<FAKE
#!/bin/bash
case "\$*" in
*"-accel kvm"*isa-debug-exit*) exit 85 ;;
*"-accel kvm"*) echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2; exit 134 ;;
esac
exec "$real_qemu" "\$@"
FAKE
chmod +x "$tmp/fakekvm/qemu-system-x86_64"
: >"$tmp/kvm-node"
fake_env=(env PATH="$tmp/fakekvm:$PATH" GVT_VM_KVM_DEVICE="$tmp/kvm-node" GVT_VM_CACHE="$tmp/cache" GVT_VM_ACCEL=auto)
"${fake_env[@]}" "$run" -- true >/dev/null 2>"$tmp/err"
check "VM dying under KVM: CMD runs under TCG" 0 $?
grep -q "died under KVM after [0-9.]* s (qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69): booting it again under TCG" "$tmp/err"
check "VM dying under KVM: the retry is said, with QEMU's message" 0 $?
check "VM dying under KVM: the verdict is now TCG" "tcg max" "$("${fake_env[@]}" "$(dirname "$run")/accel" 2>/dev/null)"
"${fake_env[@]}" "$run" -- true >/dev/null 2>"$tmp/err"
check "after the demotion: CMD runs" 0 $?
grep -q "booting it again under TCG" "$tmp/err"; check "after the demotion: the next run goes to TCG at once" 1 $?
grep -q "^tests/vm/run: accelerator: tcg (-cpu max)$" "$tmp/err"; check "after the demotion: TCG said" 0 $?

# A kernel Call Trace on the console fails a CMD that succeeded.
"$run" -- sh -c 'echo l >/proc/sysrq-trigger; sleep 1' >/dev/null 2>"$tmp/err"
check "kernel fault fails the run" 123 $?
grep -q "Call Trace:" "$tmp/err"; check "kernel fault lines shown" 0 $?

finish
