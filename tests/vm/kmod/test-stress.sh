#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: 8 creators racing on one parent never exceed capacity;
# create/remove loops leave available_instances where they started; bad
# input (malformed and duplicate UUIDs, writes to read-only attributes)
# gets clean errors.  The harness fails the run on any kernel warning.
set -u
. "$(dirname "$0")/lib.sh"

load_both gpus=2 || { fail "load"; finish; }
d=$(types_dir)
start=$(shown_types)
expect "start: kvmgt's numbers" "$start" "$(check types 512)"

# race TYPE...: one creator per TYPE, all at once; results in /tmp/race.<n>.
race() {
	local i=0 t
	rm -f /tmp/race.*
	for t in "$@"; do
		i=$((i + 1))
		( u=$(uuid); echo "$t $u $(write_attr "$u" "$d/gvt_base-GVTg_V5_$t/create")" >/tmp/race.$i ) &
	done
	wait
}
remove_all() {
	local r
	for r in /sys/bus/mdev/devices/*/remove; do
		[ -e "$r" ] || continue
		echo 1 >"$r" &
	done
	wait
}

# Same type: exactly the capacity succeeds, every other create gets -ENOSPC.
cap=$(check types 512 | sed -n 's/^GVTg_V5_8 //p')
for round in 1 2 3 4; do
	race 8 8 8 8 8 8 8 8
	made=$(grep -c ' ok$' /tmp/race.*  | grep -c ':1$')
	nospc=$(grep -l 'No space left on device$' /tmp/race.* | wc -l)
	expect "round $round: 8 racing creators, capacity $cap: created, refused" "$made $nospc" "$cap $((8 - cap))"
	expect "round $round: vGPUs present" "$(ls /sys/bus/mdev/devices | wc -l)" "$cap"
	remove_all
done

# Mixed types: whatever won, the numbers must be kvmgt's for that population
# (an over-allocation would show as a negative expected value).
for round in 1 2 3; do
	race 2 4 8 2 4 8 4 8
	won=$(grep -h ' ok$' /tmp/race.* | cut -d' ' -f1 | tr '\n' ' ')
	want=$(check types 512 $won)
	case $want in *-*) fail "mixed round $round: over-allocated: $won" ;; esac
	expect "mixed round $round: won [$won], available_instances" "$(shown_types)" "$want"
	remove_all
done
expect "after races: capacity back" "$(shown_types)" "$start"

# Create/remove loops, two types interleaved.
for i in $(seq 25); do
	u1=$(uuid) u2=$(uuid)
	r1=$(write_attr "$u1" "$d/gvt_base-GVTg_V5_4/create")
	r2=$(write_attr "$u2" "$d/gvt_base-GVTg_V5_8/create")
	[ "$r1 $r2" = "ok ok" ] || fail "loop $i: create: $r1 / $r2"
	echo 1 >"/sys/bus/mdev/devices/$u1/remove"
	echo 1 >"/sys/bus/mdev/devices/$u2/remove"
done
expect "after 25 create/remove loops: capacity back" "$(shown_types)" "$start"
expect "after loops: no vGPU left" "$(ls /sys/bus/mdev/devices | wc -l)" 0

# Bad input.
u=$(uuid)
expect "malformed UUID" "$(write_attr not-a-uuid "$d/gvt_base-GVTg_V5_4/create")" "Invalid argument"
expect "empty UUID" "$(write_attr '' "$d/gvt_base-GVTg_V5_4/create")" "Invalid argument"
expect "UUID with trailing garbage" "$(write_attr "${u}x" "$d/gvt_base-GVTg_V5_4/create")" "Invalid argument"
expect "create" "$(write_attr "$u" "$d/gvt_base-GVTg_V5_4/create")" ok
expect "duplicate UUID, same type" "$(write_attr "$u" "$d/gvt_base-GVTg_V5_4/create")" "File exists"
expect "duplicate UUID, other type" "$(write_attr "$u" "$d/gvt_base-GVTg_V5_8/create")" "File exists"
expect "duplicate UUID, other GPU" "$(write_attr "$u" "$(types_dir 1)/gvt_base-GVTg_V5_8/create")" "File exists"
expect "remove with garbage" "$(write_attr abc "/sys/bus/mdev/devices/$u/remove")" "Invalid argument"
for a in "$d/gvt_base-GVTg_V5_4/available_instances" "$d/gvt_base-GVTg_V5_4/name" \
	"$d/gvt_base-GVTg_V5_4/description" "$d/gvt_base-GVTg_V5_4/device_api" \
	"/sys/bus/mdev/devices/$u/intel_vgpu/vgpu_id" \
	/sys/bus/platform/devices/gvt_base.0/golden_hw_state \
	/sys/module/gvt_base/parameters/gpus /sys/module/gvt_base/parameters/aperture_mb; do
	expect "write to read-only ${a#/sys/}" "$(write_attr 1 "$a")" "Permission denied"
done
expect "vGPU survived the bad input" "$(cat "/sys/bus/mdev/devices/$u/intel_vgpu/vgpu_id")" 1
expect "accounting survived the bad input" "$(shown_types)" "$(check types 512 4)"

unload_all
finish
