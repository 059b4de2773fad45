# SPDX-License-Identifier: GPL-2.0-only
# Shared by the kmod VM tests (sourced, bash).  Runs inside the VM as root.
kmod_dir=${GVT_BUILDDIR:-$PWD/build}/kmod
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Expected values; a traceback shows up in the output and fails the comparison.
check() { python3 "$here/gvtcheck.py" "$@" 2>&1; }
fails=0

ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
# expect WHAT GOT WANT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
finish() {
	if [ $fails = 0 ]; then echo "all passed"; exit 0; fi
	echo "$fails failed"; exit 1
}

# Write VALUE to FILE; print "ok" or the error the kernel returned.
write_attr() {
	local out
	if out=$( { printf '%s\n' "$1" >"$2"; } 2>&1); then echo ok; else echo "${out##*: }"; fi
}

# The VFIO/mdev stack gvt_mdev needs; gvt_base needs nothing.
modprobe vfio_iommu_type1 && modprobe mdev || { echo "FAIL - vfio/mdev modules"; exit 1; }

load_base() { insmod "$kmod_dir/gvt_base.ko" "$@"; }
load_mdev() { insmod "$kmod_dir/gvt_mdev.ko"; }
unload_all() {
	[ -d /sys/module/gvt_mdev ] && rmmod gvt_mdev
	[ -d /sys/module/gvt_base ] && rmmod gvt_base
	return 0
}
# load_both [gvt_base params...]
load_both() { unload_all; load_base "$@" && load_mdev; }

types_dir() { echo "/sys/bus/platform/devices/gvt_base.${1:-0}/mdev_supported_types"; }
uuid() { cat /proc/sys/kernel/random/uuid; }

# Lines "GVTg_V5_<n> <available_instances>" as the module shows them.
shown_types() {
	local t
	for t in "$(types_dir "${1:-0}")"/*; do
		[ -e "$t" ] || continue
		echo "$(cat "$t/name") $(cat "$t/available_instances")"
	done | sort -t_ -k3 -n -r
}
