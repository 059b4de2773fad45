#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: the kernel races under stress.  vfio-stress runs for
# GVT_RACE_SECONDS (default 120) on three vGPUs of GPU 0 at once, three
# threads each doing what a VMM does (BAR0 and config space, the aperture
# mapped and unmapped, reset, SET_IRQS, device fds opened and closed) while
# each vGPU is removed under them and created again, and rmmod of both
# modules is tried while a fourth vGPU (GPU 1) is held open.  Every
# operation must succeed or get the clean error vfio-stress expects; the
# harness fails the run on any kernel warning.  Afterwards the accounting
# is kvmgt's again and both modules unload.
set -u
. "$(dirname "$0")/lib.sh"
stress=${GVT_BUILDDIR:-$PWD/build}/tests/vm/kmod/vfio-stress
seconds=${GVT_RACE_SECONDS:-120}

load_both gpus=2 || { fail "load"; finish; }
start0=$(shown_types 0) start1=$(shown_types 1)
type=gvt_base-GVTg_V5_8
guard=$(uuid) us=()
expect "guard vGPU on GPU 1" "$(write_attr "$guard" "$(types_dir 1)/$type/create")" ok
for i in 1 2 3; do
	u=$(uuid)
	expect "vGPU $i on GPU 0" "$(write_attr "$u" "$(types_dir 0)/$type/create")" ok
	us+=("$u")
done

t0=$(date +%s)
"$stress" "$seconds" "$(types_dir 0)/$type" "$guard" "${us[@]}" >/tmp/stress 2>/tmp/stress.err
rc=$?
cat /tmp/stress /tmp/stress.err
expect "vfio-stress: every kind of operation ran, none failed" "$rc" 0
took=$(($(date +%s) - t0))
[ "$took" -ge "$seconds" ] && ok "ran for ${took} s (asked: $seconds)" || fail "ran for ${took} s only, asked $seconds"
echo "# stress: ${took} s, $(awk '{ s += $(NF - 3) } END { print s }' /tmp/stress) operations"

for u in "$guard" "${us[@]}"; do
	[ -e "/sys/bus/mdev/devices/$u" ] || { fail "$u gone after the stress"; continue; }
	echo 1 >"/sys/bus/mdev/devices/$u/remove" || fail "remove $u"
done
expect "GPU 0: capacity back" "$(shown_types 0)" "$start0"
expect "GPU 1: capacity back" "$(shown_types 1)" "$start1"
rmmod gvt_mdev && ok "gvt_mdev unloads after the stress" || fail "rmmod gvt_mdev"
rmmod gvt_base && ok "gvt_base unloads after the stress" || fail "rmmod gvt_base"
finish
