#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM (harness --spare-pci: QEMU edu at 0000:00:02.0): a GPU
# hosted on a PCI function with host=, and unmodified mdevctl driving vGPUs
# on it and on a platform-device GPU.
set -u
. "$(dirname "$0")/lib.sh"

pci=0000:00:02.0
dev=/sys/bus/pci/devices/$pci
[ -d "$dev" ] || { fail "no PCI function at $pci (harness --spare-pci?)"; finish; }

refused_host() {
	dmesg -C
	load_base "$@" 2>/dev/null && { fail "$*: loaded"; rmmod gvt_base; return; }
	dmesg | grep -q "gvt_base: host=" && ok "$*: refused: $(dmesg | grep -o 'host=.*' | head -1)" ||
		fail "$*: refused without a host= message"
	expect "$*: function left without driver and override" \
		"$(ls "$dev/driver" 2>/dev/null)$(cat "$dev/driver_override")" "(null)"
}
refused_host gpus=2 host=$pci,$pci
echo vfio-pci >"$dev/driver_override"
dmesg -C
load_base host=$pci 2>/dev/null && { fail "host= over another driver_override: loaded"; rmmod gvt_base; }
dmesg | grep -q "host=$pci: PCI function has driver_override vfio-pci; clear it first" &&
	ok "host= over another driver_override: refused" || fail "host= over another driver_override: no message"
expect "... which is left alone" "$(cat "$dev/driver_override")" vfio-pci
echo >"$dev/driver_override"

load_both gpus=2 host=$pci aperture_mb=1024 || { fail "load host=$pci"; finish; }
expect "function bound to gvt_base" "$(basename "$(readlink "$dev/driver")")" gvt_base
expect "bound through driver_override" "$(cat "$dev/driver_override")" gvt_base
cat "$dev/golden_hw_state" >/tmp/pci.bin
expect "golden_hw_state on the function: the model's identity, not the function's" \
	"$(check golden-check /tmp/pci.bin 0x8086 0x1912 0x06)" ""
expect "GPU 0 on the function, GPU 1 a platform device" \
	"$(ls "$dev" | grep gvt_base.gpu) $(ls /sys/bus/platform/devices/gvt_base.1 | grep gvt_base.gpu)" \
	"gvt_base.gpu.0 gvt_base.gpu.1"
expect "mdev parents" "$(ls /sys/class/mdev_bus | tr '\n' ' ')" "$pci gvt_base.1 "
expect "types on the function" "$(ls "$dev/mdev_supported_types" | tr '\n' ' ')" \
	"gvt_base-GVTg_V5_1 gvt_base-GVTg_V5_2 gvt_base-GVTg_V5_4 gvt_base-GVTg_V5_8 "

# mdevctl, unmodified.
mdevctl types >/tmp/types
for p in $pci gvt_base.1; do
	grep -q "^$p\$" /tmp/types && ok "mdevctl types: parent $p" || fail "mdevctl types: no $p"
done
want=$(check types 1024 | sed -n 's/^GVTg_V5_4 //p')
grep -A1 '^  gvt_base-GVTg_V5_4$' /tmp/types | grep -q "Available instances: $want\$" &&
	ok "mdevctl types: GVTg_V5_4 available $want" || { fail "mdevctl types output:"; cat /tmp/types; }
u1=$(uuid) u2=$(uuid)
mdevctl start -p $pci -t gvt_base-GVTg_V5_4 -u "$u1" && ok "mdevctl start on $pci" || fail "mdevctl start on $pci"
mdevctl start -p gvt_base.1 -t gvt_base-GVTg_V5_8 -u "$u2" && ok "mdevctl start on gvt_base.1" ||
	fail "mdevctl start on gvt_base.1"
expect "mdevctl list" "$(mdevctl list | grep . | sort)" "$(printf '%s\n' \
	"$u1 $pci gvt_base-GVTg_V5_4 manual" "$u2 gvt_base.1 gvt_base-GVTg_V5_8 manual" | sort)"
expect "vGPU's parent is the PCI function" "$(basename "$(readlink -f "/sys/bus/mdev/devices/$u1/..")")" $pci
expect "available after start" "$(cat "$dev/mdev_supported_types/gvt_base-GVTg_V5_4/available_instances")" \
	"$(check types 1024 4 | sed -n 's/^GVTg_V5_4 //p')"
expect "vGPU config space through VFIO" "$(check cfg-read "$u1" 0 4)" 86801219
mdevctl start -p $pci -t gvt_base-GVTg_V5_4 -u "$u1" 2>/dev/null && fail "mdevctl start, same UUID again" ||
	ok "mdevctl start, same UUID again: refused"
mdevctl stop -u "$u1" && mdevctl stop -u "$u2" && ok "mdevctl stop" || fail "mdevctl stop"
expect "mdevctl list after stop" "$(mdevctl list)" ""
expect "capacity back" "$(cat "$dev/mdev_supported_types/gvt_base-GVTg_V5_4/available_instances")" "$want"

# A vGPU present at unload: removed, the function handed back as it was.
mdevctl start -p $pci -t gvt_base-GVTg_V5_1 -u "$u1" >/dev/null
unload_all
expect "after unload: function has no driver and no override" \
	"$(ls "$dev/driver" 2>/dev/null)$(cat "$dev/driver_override")" "(null)"
expect "after unload: no vGPUs" "$(ls /sys/bus/mdev/devices | wc -l)" 0
finish
