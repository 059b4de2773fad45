#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: load order owned by the module dependency (gvt_mdev needs
# gvt_base, never the reverse, nothing autoloads gvt_mdev), out-of-range
# parameters refused by name, gpus=2 giving two parents, and unbind/unload
# with vGPUs present removing them cleanly.
set -u
. "$(dirname "$0")/lib.sh"

# refused PARAMS... -- MESSAGE: loading gvt_base with PARAMS fails and logs MESSAGE.
refused() {
	local params=() msg
	while [ "$1" != -- ]; do params+=("$1"); shift; done
	msg=$2
	dmesg -C
	if load_base "${params[@]}" 2>/dev/null; then
		fail "${params[*]}: loaded"; rmmod gvt_base
	elif dmesg | grep -qF "gvt_base: $msg"; then
		ok "${params[*]}: refused, '$msg'"
	else
		fail "${params[*]}: refused without '$msg':"; dmesg | tail -3
	fi
}

# -- load order ---------------------------------------------------------------
dmesg -C
if load_mdev 2>/dev/null; then
	fail "gvt_mdev loaded without gvt_base"; rmmod gvt_mdev
else
	dmesg | grep -q "gvt_mdev: Unknown symbol gvt_base_" &&
		ok "gvt_mdev alone: unknown gvt_base symbols" || fail "gvt_mdev alone: no unknown-symbol message"
fi
# GVT_BASE for gvt_base's calls, DMA_BUF for the display's dma-bufs: no more.
expect "gvt_mdev imports namespaces GVT_BASE and DMA_BUF" \
	"$(modinfo -F import_ns "$kmod_dir/gvt_mdev.ko" | sort | tr '\n' ' ')" "DMA_BUF GVT_BASE "
expect "gvt_mdev depends on gvt_base" \
	"$(modinfo -F depends "$kmod_dir/gvt_mdev.ko" | tr , '\n' | grep -x gvt_base)" gvt_base
expect "gvt_base depends on nothing" "$(modinfo -F depends "$kmod_dir/gvt_base.ko")" ""
expect "gvt_mdev has no aliases (nothing autoloads it)" "$(modinfo -F alias "$kmod_dir/gvt_mdev.ko")" ""

extra=/lib/modules/$(uname -r)/extra
mkdir -p "$extra" && cp "$kmod_dir"/gvt_base.ko "$kmod_dir"/gvt_mdev.ko "$extra"/ && depmod -a
modprobe gvt_mdev && [ -d /sys/module/gvt_base ] &&
	ok "modprobe gvt_mdev pulls in gvt_base" || fail "modprobe gvt_mdev"
rmmod gvt_base 2>/dev/null && fail "rmmod gvt_base under gvt_mdev succeeded" ||
	ok "rmmod gvt_base refused while gvt_mdev is loaded"
expect "gvt_base held by gvt_mdev" "$(ls /sys/module/gvt_base/holders)" gvt_mdev
rmmod gvt_mdev gvt_base
rm -r "$extra" && depmod -a
modprobe gvt_base 2>/dev/null && fail "modprobe after removal" || true
expect "gvt_base alone: no gvt_mdev" "$(load_base && [ -d /sys/module/gvt_mdev ] && echo loaded)" ""
expect "gvt_base alone: auxiliary device, no driver" \
	"$(ls /sys/bus/auxiliary/devices/gvt_base.gpu.0/ | grep -c '^driver$')" 0
unload_all

# -- parameters ---------------------------------------------------------------
refused gpus=0 -- "gpus=0 out of range: allowed 1-8"
refused gpus=9 -- "gpus=9 out of range: allowed 1-8"
refused aperture_mb=128 -- "aperture_mb=128 invalid: allowed a power of two, 256-2048"
refused aperture_mb=300 -- "aperture_mb=300 invalid"
refused aperture_mb=4096 -- "aperture_mb=4096 invalid"
refused device_id=0 -- "device_id=0x0 out of range: allowed 0x0001-0xfffe"
refused device_id=0x10000 -- "device_id=0x10000 out of range"
refused revision=0x100 -- "revision=0x100 out of range: allowed 0x00-0xff"
refused host=zz -- "host=zz invalid: allowed PCI addresses DDDD:BB:DD.F"
refused host=0000:00:1f.7 -- "host=0000:00:1f.7: no such PCI function"
refused host=0000:00:01.0,0000:00:01.1 -- "host= names 2 PCI functions for 1 GPUs"
for p in /sys/module/gvt_base/parameters/*; do
	[ -e "$p" ] || continue
	fail "parameter $(basename "$p") left behind after refused loads"
done

load_base gpus=8 && ok "gpus=8 loads" || fail "gpus=8"
expect "gpus=8: eight GPUs" "$(ls -d /sys/bus/platform/devices/gvt_base.* | wc -l)" 8
expect "parameters are read-only" "$(stat -c %a /sys/module/gvt_base/parameters/gpus)" 444
unload_all

# -- two GPUs, two parents, unbind and unload with vGPUs --------------------------
load_both gpus=2 || fail "load gpus=2"
expect "gpus=2: two mdev parents" "$(ls /sys/class/mdev_bus | tr '\n' ' ')" "gvt_base.0 gvt_base.1 "
expect "gpus=2: two auxiliary devices bound to gvt_mdev" \
	"$(ls /sys/bus/auxiliary/drivers/gvt_mdev | grep -c '^gvt_base.gpu')" 2
for g in 0 1; do
	for _ in 1 2; do
		write_attr "$(uuid)" "$(types_dir $g)/gvt_base-GVTg_V5_4/create" >/dev/null
	done
	expect "GPU $g: own accounting" "$(shown_types $g)" "$(check types 512 4 4)"
done
ids=$(cat /sys/bus/mdev/devices/*/intel_vgpu/vgpu_id | sort | tr '\n' ' ')
expect "vgpu_ids per GPU" "$ids" "1 1 2 2 "

write_attr gvt_base.gpu.0 /sys/bus/auxiliary/drivers/gvt_mdev/unbind >/dev/null
expect "unbind GPU 0 from gvt_mdev: its vGPUs gone" "$(ls /sys/bus/mdev/devices | wc -l)" 2
expect "unbind GPU 0 from gvt_mdev: parent gone" "$(ls -d "$(types_dir 0)" 2>/dev/null)" ""
write_attr gvt_base.gpu.0 /sys/bus/auxiliary/drivers/gvt_mdev/bind >/dev/null
expect "rebind GPU 0: capacity back" "$(shown_types 0)" "$(check types 512)"

write_attr gvt_base.1 /sys/bus/platform/drivers/gvt_base/unbind >/dev/null
expect "unbind GPU 1 from gvt_base: its vGPUs and auxiliary device gone" \
	"$(ls /sys/bus/mdev/devices | wc -l) $(ls /sys/bus/auxiliary/devices | tr '\n' ' ')" "0 gvt_base.gpu.0 "
write_attr gvt_base.1 /sys/bus/platform/drivers/gvt_base/bind >/dev/null
expect "rebind GPU 1: parent back" "$(shown_types 1)" "$(check types 512)"

write_attr "$(uuid)" "$(types_dir 1)/gvt_base-GVTg_V5_8/create" >/dev/null
rmmod gvt_mdev && ok "rmmod gvt_mdev with a vGPU present" || fail "rmmod gvt_mdev with a vGPU"
expect "after rmmod gvt_mdev: no vGPUs, no parents" \
	"$(ls /sys/bus/mdev/devices | wc -l) $(ls /sys/class/mdev_bus | wc -l)" "0 0"
rmmod gvt_base && ok "rmmod gvt_base" || fail "rmmod gvt_base"
expect "after rmmod gvt_base: no GPUs" "$(ls /sys/bus/platform/devices | grep -c gvt_base)" 0
finish
