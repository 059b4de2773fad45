#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: the kernel's VFIO/mdev stack that gvt_mdev builds on loads.
set -u
fails=0
for m in vfio_iommu_type1 mdev; do
	if modprobe "$m"; then
		echo "ok   - modprobe $m"
	else
		echo "FAIL - modprobe $m"; fails=$((fails + 1))
	fi
done
for m in vfio vfio_iommu_type1 mdev; do
	if [ -d "/sys/module/$m" ]; then
		echo "ok   - /sys/module/$m present"
	else
		echo "FAIL - /sys/module/$m missing"; fails=$((fails + 1))
	fi
done
[ -d /sys/bus/mdev ] && echo "ok   - mdev bus registered" ||
	{ echo "FAIL - /sys/bus/mdev missing"; fails=$((fails + 1)); }
[ $fails = 0 ]
