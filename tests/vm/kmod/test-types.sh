#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: GVT-g types, available_instances and description for three
# aperture sizes against kvmgt's formula; filling a GPU to -ENOSPC with the
# exhausted resource logged; remove and create again; vgpu_id; config space
# of a vGPU read through VFIO.
set -u
. "$(dirname "$0")/lib.sh"

for ap in 256 512 1024; do
	load_both aperture_mb=$ap || { fail "load aperture_mb=$ap"; continue; }
	expect "aperture $ap: types and available_instances" \
		"$(shown_types)" "$(check types $ap)"
	d=$(types_dir)
	for t in "$d"/*; do
		n=$(basename "$t")
		expect "aperture $ap: $n device_api" "$(cat "$t/device_api")" vfio-pci
		case $n in gvt_base-GVTg_V5_*) ;; *) fail "type directory name $n" ;; esac
	done

	# Fill with the smallest type, then one more.
	made=()
	want=$(check types $ap | sed -n 's/^GVTg_V5_8 //p')
	for _ in $(seq "$want"); do
		u=$(uuid)
		r=$(write_attr "$u" "$d/gvt_base-GVTg_V5_8/create")
		[ "$r" = ok ] && made+=("$u") || fail "aperture $ap: create #${#made[@]}: $r"
	done
	expect "aperture $ap: created $want of GVTg_V5_8" "${#made[@]}" "$want"
	expect "aperture $ap: full" "$(cat "$d/gvt_base-GVTg_V5_8/available_instances")" 0
	allocated=$(for _ in "${made[@]}"; do echo -n "8 "; done)
	expect "aperture $ap: other types after filling" "$(shown_types)" \
		"$(check types $ap $allocated)"
	dmesg -C
	r=$(write_attr "$(uuid)" "$d/gvt_base-GVTg_V5_8/create")
	expect "aperture $ap: create beyond capacity" "$r" "No space left on device"
	res=$(check exhausted $ap 8 $allocated)
	if dmesg | grep -q "GVTg_V5_8 not created: $res exhausted"; then
		ok "aperture $ap: log names '$res'"
	else
		fail "aperture $ap: no '$res exhausted' in the log:"; dmesg | tail -3
	fi

	ids=$(for u in "${made[@]}"; do cat "/sys/bus/mdev/devices/$u/intel_vgpu/vgpu_id"; done | sort -n | tr '\n' ' ')
	expect "aperture $ap: vgpu_ids" "$ids" "$(seq -s ' ' "$want") "

	# Remove one: its resources come back, the same create now works.
	id0=$(cat "/sys/bus/mdev/devices/${made[0]}/intel_vgpu/vgpu_id")
	expect "aperture $ap: remove" "$(write_attr 1 "/sys/bus/mdev/devices/${made[0]}/remove")" ok
	expect "aperture $ap: available after remove" \
		"$(cat "$d/gvt_base-GVTg_V5_8/available_instances")" 1
	u=$(uuid)
	expect "aperture $ap: create again" "$(write_attr "$u" "$d/gvt_base-GVTg_V5_8/create")" ok
	expect "aperture $ap: freed vgpu_id reused" \
		"$(cat "/sys/bus/mdev/devices/$u/intel_vgpu/vgpu_id")" "$id0"
done

# description, name, and a mixed population, at the default aperture.
load_both || fail "load defaults"
d=$(types_dir)
while read -r suffix low high fences weight res; do
	t=$d/gvt_base-GVTg_V5_$suffix
	[ -d "$t" ] || continue
	expect "GVTg_V5_$suffix name" "$(cat "$t/name")" "GVTg_V5_$suffix"
	expect "GVTg_V5_$suffix description" "$(cat "$t/description")" \
		"$(printf 'low_gm_size: %dMB\nhigh_gm_size: %dMB\nfence: %d\nresolution: %s\nweight: %d' \
			"$low" "$high" "$fences" "$res" "$weight")"
done <<TABLE
8 64 384 4 2 1024x768
4 128 512 4 4 1920x1200
2 256 1024 4 8 1920x1200
1 512 2048 4 16 1920x1200
TABLE
u4=$(uuid) u2=$(uuid)
write_attr "$u4" "$d/gvt_base-GVTg_V5_4/create" >/dev/null
write_attr "$u2" "$d/gvt_base-GVTg_V5_2/create" >/dev/null
expect "mixed _4 + _2: available_instances" "$(shown_types)" "$(check types 512 4 2)"
expect "mdev_type link" "$(basename "$(readlink "/sys/bus/mdev/devices/$u4/mdev_type")")" \
	gvt_base-GVTg_V5_4

# A vGPU's config space starts from the snapshot: vendor/device as the GPU's.
want=$(od -An -tx1 -N4 /sys/bus/platform/devices/gvt_base.0/golden_hw_state -j48 | tr -d ' \n')
expect "vGPU config space vendor/device (VFIO read)" "$(check cfg-read "$u4" 0 4)" "$want"
expect "... which is 8086:1912" "$want" 86801219

unload_all
expect "unload with vGPUs present" "$(ls /sys/bus/mdev/devices | wc -l)" 0
finish
