#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: golden_hw_state as published (mode, header, sizes, crc32
# computed here, identity), fed back through request_firmware and accepted
# byte for byte, a modified blob's registers used, and each kind of bad blob
# rejected with the failing field named and the model used instead.
set -u
. "$(dirname "$0")/lib.sh"

sysfs=/sys/bus/platform/devices/gvt_base.0/golden_hw_state
fwdir=/lib/firmware/gvt-test
kvmgt_name=/lib/firmware/i915/gvt/vid_0x8086_did_0x1912_rid_0x06.golden_hw_state
mkdir -p "$fwdir" "$(dirname "$kvmgt_name")"
cfg=48 mmio=$((48 + 4096))

load_both gpus=2 || { fail "load gpus=2"; finish; }
expect "golden_hw_state mode" "$(stat -c %a "$sysfs")" 400
cat "$sysfs" >/tmp/model.bin
expect "golden_hw_state header, sizes, crc32, identity" \
	"$(check golden-check /tmp/model.bin 0x8086 0x1912 0x06)" ""
expect "model is deterministic: GPU 1's snapshot equals GPU 0's" \
	"$(cmp /tmp/model.bin /sys/bus/platform/devices/gvt_base.1/golden_hw_state && echo same)" same
expect "host MMIO has no PVINFO magic at 0x78000" \
	"$(od -An -tx1 -N8 -j$((mmio + 0x78000)) /tmp/model.bin | tr -d ' ')" 0000000000000000

# load_golden NAME [params...]: load gvt_base with golden=NAME, log into /tmp/dmesg.
load_golden() {
	local name=$1
	shift
	unload_all
	dmesg -C
	load_base golden="$name" "$@" || fail "load golden=$name"
	dmesg >/tmp/dmesg
}
# rejected FILE WHAT MESSAGE: loading FILE uses the model and logs MESSAGE.
rejected() {
	load_golden "gvt-test/$1"
	if grep -q "golden_hw_state gvt-test/$1 rejected: $3" /tmp/dmesg &&
		grep -q "snapshot from the model" /tmp/dmesg; then
		ok "$2: rejected with '$3'"
	else
		fail "$2: no '$3' rejection:"; cat /tmp/dmesg
	fi
	expect "$2: model used" "$(cmp "$sysfs" /tmp/model.bin && echo same)" same
}

# The published file, under kvmgt's own name: accepted as it is.
unload_all
cp /tmp/model.bin "$kvmgt_name"
dmesg -C
load_both && dmesg >/tmp/dmesg
grep -q "snapshot from golden_hw_state i915/gvt/vid_0x8086_did_0x1912_rid_0x06.golden_hw_state" \
	/tmp/dmesg && ok "kvmgt's file name loaded" || { fail "kvmgt's file name not loaded"; cat /tmp/dmesg; }
expect "fed back: published byte for byte" "$(cmp "$sysfs" /tmp/model.bin && echo same)" same
rm "$kvmgt_name"

# A blob with other register values and subsystem id: those are used, vGPUs included.
check golden-edit /tmp/model.bin "$fwdir/custom.bin" set $((mmio + 0x100)) deadbeef reseal
check golden-edit "$fwdir/custom.bin" "$fwdir/custom.bin" set $((cfg + 0x2e)) efbe reseal
load_golden gvt-test/custom.bin
load_mdev
grep -q "snapshot from golden_hw_state gvt-test/custom.bin" /tmp/dmesg &&
	ok "golden= blob accepted" || { fail "golden= blob not accepted"; cat /tmp/dmesg; }
expect "golden= blob published as given" "$(cmp "$sysfs" "$fwdir/custom.bin" && echo same)" same
u=$(uuid)
write_attr "$u" "$(types_dir)/gvt_base-GVTg_V5_4/create" >/dev/null
expect "vGPU config space from the golden blob (subsystem id)" "$(check cfg-read "$u" 0x2c 4)" 8680efbe

# Rejections, each naming the field and both values, in kvmgt's order.
check golden-edit /tmp/model.bin "$fwdir/flip.bin" flip $((mmio + 0x1000))
rejected flip.bin "one flipped byte" "crc32 is 0x"
check golden-edit /tmp/model.bin "$fwdir/crc-first.bin" set $((cfg + 2)) 1259
rejected crc-first.bin "bad crc32 and device id" "crc32 is 0x"
check golden-edit /tmp/model.bin "$fwdir/magic.bin" set 0 0000000000000000
rejected magic.bin "bad magic" "magic is 0x0, expected 0x4776544776544776"
check golden-edit /tmp/model.bin "$fwdir/version.bin" set 12 01000000 reseal
rejected version.bin "bad version" "version is 0x1, expected 0x0"
check golden-edit /tmp/model.bin "$fwdir/cfgsize.bin" set 16 0001000000000000 reseal
rejected cfgsize.bin "bad cfg space size" "cfg space size is 0x100, expected 0x1000"
check golden-edit /tmp/model.bin "$fwdir/mmiosize.bin" set 32 0000100000000000 reseal
rejected mmiosize.bin "bad mmio size" "mmio size is 0x100000, expected 0x200000"
check golden-edit /tmp/model.bin "$fwdir/device.bin" set $((cfg + 2)) 1259 reseal
rejected device.bin "other device" "device id is 0x5912, expected 0x1912"
check golden-edit /tmp/model.bin "$fwdir/vendor.bin" set $cfg 0210 reseal
rejected vendor.bin "other vendor" "vendor id is 0x1002, expected 0x8086"
head -c 8192 /tmp/model.bin >/tmp/short.bin
check golden-edit /tmp/short.bin "$fwdir/short.bin" set 0 "$(od -An -tx1 -N8 /tmp/model.bin | tr -d ' ')" reseal
rejected short.bin "truncated" "mmio at 0x1030+0x200000 runs past the file's end at 0x2000"

# The model's identity follows device_id/revision, so a real GPU's blob fits.
load_golden gvt-test/device.bin device_id=0x5912
grep -q "snapshot from golden_hw_state gvt-test/device.bin" /tmp/dmesg &&
	ok "device_id=0x5912 accepts a 0x5912 blob" || { fail "device_id=0x5912 blob"; cat /tmp/dmesg; }
load_golden gvt-test/custom.bin revision=0x07
grep -q "rejected: revision id is 0x6, expected 0x7" /tmp/dmesg &&
	ok "revision=0x07 rejects a rev 06 blob" || { fail "revision check"; cat /tmp/dmesg; }
load_golden gvt-test/missing.bin
grep -q "golden_hw_state gvt-test/missing.bin not loaded (-2); using the model" /tmp/dmesg &&
	ok "missing golden= file: model, with a message" || { fail "missing golden="; cat /tmp/dmesg; }

unload_all
finish
