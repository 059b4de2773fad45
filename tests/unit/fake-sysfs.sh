#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fake-sysfs.sh ROOT [PARENT [DRIVER]]: a scratch mdev tree in the kernel's
# layout (kvmgt's four types, capacities from its formulas for a GPU with
# 512 MiB aperture and 4 GiB GGTT), for running gvtd with --root=ROOT.
set -eu
root=$1 parent=${2:-0000:00:02.0} driver=${3:-gvt_base}
dev=$root/sys/devices/pci0000:00/$parent
mkdir -p "$dev/mdev_supported_types" "$root/sys/bus/pci/drivers/$driver" "$root/sys/class/mdev_bus" \
	"$root/sys/bus/mdev/devices" "$root/etc/gvtd"
ln -sfn "../../../bus/pci/drivers/$driver" "$dev/driver"
ln -sfn "../../devices/pci0000:00/$parent" "$root/sys/class/mdev_bus/$parent"
# aperture 512 - 128 host = 384 MiB, hidden 3584 - 384 host = 3200 MiB, fences 32 - 4 = 28
for t in "8 64 384 2 1024x768" "4 128 512 4 1920x1200" "2 256 1024 8 1920x1200"; do
	set -- $t
	d=$dev/mdev_supported_types/$driver-GVTg_V5_$1
	mkdir -p "$d/devices"
	echo "GVTg_V5_$1" >"$d/name"
	echo vfio-pci >"$d/device_api"
	printf 'low_gm_size: %dMB\nhigh_gm_size: %dMB\nfence: %d\nresolution: %s\nweight: %d\n' \
		"$2" "$3" 4 "$5" "$4" >"$d/description"
	a=$((384 / $2)); h=$((3200 / $3)); f=$((28 / 4))
	[ $h -lt $a ] && a=$h; [ $f -lt $a ] && a=$f
	echo $a >"$d/available_instances"
	: >"$d/create"
done
