#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# CreateVGPU and CreateVGPUEx may be retried, as REST's POST /v1/vgpus:
# the same UUID and spec again is the vGPU that exists (nothing written to
# sysfs); another spec under that UUID is AlreadyExists. gvtd on a private
# bus and a scratch tree.
# usage: test-dbus-create.sh GVTD FAKE_SYSFS
set -eu
gvtd=$1 fake=$2
. "$(dirname "$0")/private-gvtd.sh"

"$fake" "$root" 0000:00:02.0 gvt_base >/dev/null
u=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1
fake_vgpu "$root" 0000:00:02.0 gvt_base-GVTg_V5_4 $u
types=$root/sys/devices/pci0000:00/0000:00:02.0/mdev_supported_types
start_private_gvtd "$gvtd" "$root"

call() { busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager "$@" 2>&1; }
expect_contains() { case $2 in *"$3"*) ok "$1" ;; *) fail "$1: '$2' lacks '$3'" ;; esac; }
path=/org/gvtd1/vgpu/$(echo $u | tr - _)

# The caller is root, so the vGPU's owner (no record: root) is the caller's own.
expect "CreateVGPU retried: the existing vGPU" \
	"$(call CreateVGPU sssb "" gvt_base-GVTg_V5_4 $u false)" "os \"$path\" \"$u\""
expect "with its parent and short type name" \
	"$(call CreateVGPU sssb 0000:00:02.0 GVTg_V5_4 $u false)" "os \"$path\" \"$u\""
expect "in upper case" \
	"$(call CreateVGPU sssb "" gvt_base-GVTg_V5_4 "$(echo $u | tr a-f A-F)" false)" "os \"$path\" \"$u\""
expect "CreateVGPUEx retried, owner the caller" \
	"$(call CreateVGPUEx ssssa\(ss\)b "" gvt_base-GVTg_V5_4 $u "" 0 false)" "os \"$path\" \"$u\""
expect "CreateVGPUEx retried, owner root by name" \
	"$(call CreateVGPUEx ssssa\(ss\)b "" gvt_base-GVTg_V5_4 $u root 0 false)" "os \"$path\" \"$u\""
wrote=$(cat "$types"/*/create)
expect "no retry wrote to sysfs" "$wrote" ""

conflict="org.gvtd1.Error.AlreadyExists"
e=$(busctl --address="$address" --verbose call org.gvtd1 /org/gvtd1 org.gvtd1.Manager \
	CreateVGPU sssb "" gvt_base-GVTg_V5_8 $u false 2>&1 || true)
expect_contains "other type: the conflict" "$e" "exists already, of type gvt_base-GVTg_V5_4 on 0000:00:02.0 for root"
expect_contains "other parent: the conflict" "$(call CreateVGPU sssb 0000:00:03.0 gvt_base-GVTg_V5_4 $u false)" \
	"not the one asked for"
expect_contains "other owner: the conflict" \
	"$(call CreateVGPUEx ssssa\(ss\)b "" gvt_base-GVTg_V5_4 $u alice 0 false)" "not the one asked for"
expect_contains "attributes: the conflict" \
	"$(call CreateVGPUEx ssssa\(ss\)b "" gvt_base-GVTg_V5_4 $u "" 1 x y false)" "not the one asked for"
# busctl prints the message, not the error name: ask gdbus, which prints both.
if command -v gdbus >/dev/null; then
	e=$(gdbus call --address "$address" --dest org.gvtd1 --object-path /org/gvtd1 \
		--method org.gvtd1.Manager.CreateVGPU "" gvt_base-GVTg_V5_8 $u false 2>&1 || true)
	expect_contains "the conflict is $conflict" "$e" "$conflict"
fi
exit $rc
