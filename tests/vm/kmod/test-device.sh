#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: each vGPU as a VMM sees it through the VFIO user API
# (vfio-check.c): device info, config space emulation and BAR sizing, BAR0
# with PVINFO against the type's sizes and a second vGPU, access sizes,
# reset, the aperture slice and its mmap, EDID, the OpRegion and ASLS,
# interrupts; removing an open vGPU; gvt_mdev primary=N.  The harness
# fails the run on any kernel warning.
set -u
. "$(dirname "$0")/lib.sh"
vfio_check=${GVT_BUILDDIR:-$PWD/build}/tests/vm/kmod/vfio-check

load_both || { fail "load"; finish; }
d=$(types_dir)
u1=$(uuid) u2=$(uuid)
expect "create a GVTg_V5_4" "$(write_attr "$u1" "$d/gvt_base-GVTg_V5_4/create")" ok
expect "create a second one" "$(write_attr "$u2" "$d/gvt_base-GVTg_V5_4/create")" ok

"$vfio_check" device "$u1" "$u2" || fail "vfio-check device (GVTg_V5_4)"
# The other resolution and sizes, the second vGPU's view of the first.
u3=$(uuid)
expect "create a GVTg_V5_8" "$(write_attr "$u3" "$d/gvt_base-GVTg_V5_8/create")" ok
"$vfio_check" device "$u3" "$u1" || fail "vfio-check device (GVTg_V5_8)"

# Aperture pages come on first touch and go with the vGPU: filling a 64 MiB
# slice costs 64 MiB; four rounds of create, fill, remove cost nothing
# lasting (freed pages may wait on per-CPU lists: allow some slack).
# MemFree is a coarse gauge: page cache comes and goes (binaries read from the
# shared host root, the fill's own program) and moved it by 34 MiB once in CI.
# Each reading drops clean caches first, so what is left is the vGPUs' pages
# and other lasting allocations; the fill is still asked for only 3/4.
free_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^MemFree/ {print $2}' /proc/meminfo
}
m0=$(free_kb)
"$vfio_check" fill "$u3" || fail "vfio-check fill"
m1=$(free_kb)
echo 1 >"/sys/bus/mdev/devices/$u3/remove"
[ $((m0 - m1)) -ge $((48 * 1024)) ] && ok "filling the slice took $(((m0 - m1) / 1024)) MiB" ||
	fail "filling the slice took $(((m0 - m1) / 1024)) MiB, want about 64 (at least 48)"
for _ in 1 2 3 4; do
	u3=$(uuid)
	write_attr "$u3" "$d/gvt_base-GVTg_V5_8/create" >/dev/null
	"$vfio_check" fill "$u3" || fail "vfio-check fill"
	echo 1 >"/sys/bus/mdev/devices/$u3/remove"
done
m2=$(free_kb)
[ $((m0 - m2)) -le $((32 * 1024)) ] && ok "5 x 64 MiB filled and removed: $(((m0 - m2) / 1024)) MiB less free" ||
	fail "5 x 64 MiB filled and removed: $(((m0 - m2) / 1024)) MiB less free, a leak"
echo 1 >"/sys/bus/mdev/devices/$u2/remove"

"$vfio_check" request "$u1" || fail "vfio-check request"
expect "no vGPU left" "$(ls /sys/bus/mdev/devices | wc -l)" 0

# primary=N: class VGA_OTHER (0x0380, prog-if 0x80), as kvmgt's non-primary vGPUs.
unload_all
load_base && insmod "$kmod_dir/gvt_mdev.ko" primary=0 || fail "load primary=0"
u=$(uuid)
expect "primary=0: create" "$(write_attr "$u" "$(types_dir)/gvt_base-GVTg_V5_4/create")" ok
expect "primary=0: prog-if, subclass, class" "$(check cfg-read "$u" 9 3)" 808003
unload_all
finish
