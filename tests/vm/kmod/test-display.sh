#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: the vGPU's display as QEMU's display=on uses it
# (vfio-check.c display): plane queries decoded from pipe A's registers,
# dmabuf ids, dma-bufs mmap'd and imported by vgem, refusals, a dma-buf
# outliving its vGPU.  The harness fails the run on any kernel warning.
set -u
. "$(dirname "$0")/lib.sh"
vfio_check=${GVT_BUILDDIR:-$PWD/build}/tests/vm/kmod/vfio-check

modprobe vgem || fail "modprobe vgem"
load_both || { fail "load"; finish; }
d=$(types_dir)
u=$(uuid)
expect "create a GVTg_V5_4" "$(write_attr "$u" "$d/gvt_base-GVTg_V5_4/create")" ok
"$vfio_check" display "$u" || fail "vfio-check display"
expect "the display check removed its vGPU" "$(ls /sys/bus/mdev/devices | wc -l)" 0
expect "gvt_mdev unused again" "$(cat /sys/module/gvt_mdev/refcnt)" 0
unload_all
expect "modules unloaded" "$([ -d /sys/module/gvt_mdev ] || [ -d /sys/module/gvt_base ] && echo loaded || echo gone)" gone
finish
