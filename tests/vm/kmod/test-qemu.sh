#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: real QEMU (the host's qemu-system-x86_64) realizes a vGPU
# with -device vfio-pci,sysfsdev=..., without and with x-igd-opregion=on.
# Without: paused (-S), the device is on the guest's PCI bus as an Intel VGA
# device with gvt_mdev's BARs.  With: QEMU reads the OpRegion region and
# offers it as fw_cfg file etc/igd-opregion; the guest's SeaBIOS copies it
# into guest RAM (found there byte for byte, on a page boundary) and writes
# that address to ASLS, which the vGPU then holds.  The harness fails the run
# on any kernel warning.
set -u
. "$(dirname "$0")/lib.sh"
qmp() { python3 "$here/qmp.py" "$@"; }
qemu=qemu-system-x86_64
ram_mib=32
sock=/run/gvt-qmp.sock
err=/run/gvt-qemu.err

command -v $qemu >/dev/null || { fail "$qemu not found"; finish; }
load_both || { fail "load"; finish; }
u=$(uuid)
expect "create a GVTg_V5_4" "$(write_attr "$u" "$(types_dir)/gvt_base-GVTg_V5_4/create")" ok
# The region as gvt_mdev offers it (its contents are vfio-check's business).
opregion=$(check region-read "$u" 10 0 8192)
expect "OpRegion read through VFIO" "${#opregion}" 16384

# start_qemu DEVICE_OPTIONS [QEMU_ARGS...]: QEMU in the background, QMP up.
start_qemu() {
	local opts=$1 i
	shift
	rm -f "$sock"
	$qemu -machine pc -accel tcg,tb-size=64 -nodefaults -display none -m $ram_mib \
		-qmp "unix:$sock,server=on,wait=off" \
		-device "vfio-pci,id=gvt,sysfsdev=/sys/bus/mdev/devices/$u,addr=03.0,display=off$opts" \
		"$@" 2>"$err" &
	qemu_pid=$!
	for i in $(seq 120); do
		kill -0 $qemu_pid 2>/dev/null || break
		qmp cmd "$sock" query-status >/dev/null 2>&1 && return 0
		sleep 1
	done
	fail "QEMU did not come up: $(cat "$err")"
	return 1
}

# quit_qemu WHAT: quit through QMP, QEMU exits 0 and said nothing on stderr
# but the warning kvmgt's vGPUs get too: no error IRQ (count 0), so no
# error recovery.
quit_qemu() {
	local rc
	kill -0 $qemu_pid 2>/dev/null && ok "$1: QEMU still running" || fail "$1: QEMU died"
	qmp cmd "$sock" quit >/dev/null
	wait $qemu_pid
	rc=$?
	expect "$1: QEMU exit status" "$rc" 0
	expect "$1: QEMU's stderr" "$(grep -v 'warning: vfio .*: Could not enable error recovery for the device$' "$err")" ""
}

# The vGPU as the guest's PCI bus shows it: "vendor device class bar0 bar2".
shown_device() {
	qmp cmd "$sock" query-pci | python3 -c '
import json, sys
for bus in json.load(sys.stdin):
    for d in bus["devices"]:
        if d.get("qdev_id") == "gvt":
            bars = {r["bar"]: r["size"] for r in d["regions"]}
            print("%04x %04x %04x %d %d" % (d["id"]["vendor"], d["id"]["device"],
                  d["class_info"]["class"], bars.get(0, 0), bars.get(2, 0)))'
}

# gvt_base's model (docs/kernel.md): 8086:1912, VGA, BAR0 16 MiB, BAR2 the 512 MiB aperture.
want_pci="8086 1912 0300 $((16 << 20)) $((512 << 20))"

if start_qemu "" -S; then
	expect "plain: device on the guest's bus at 00:03.0" "$(shown_device)" "$want_pci"
	expect "plain: x-igd-opregion off" \
		"$(qmp cmd "$sock" qom-get '{"path": "/machine/peripheral/gvt", "property": "x-igd-opregion"}')" false
	quit_qemu "plain"
fi

# The guest's firmware runs under TCG in TCG: give it 120 s.
if start_qemu ",x-igd-opregion=on"; then
	expect "opregion: device on the guest's bus at 00:03.0" "$(shown_device)" "$want_pci"
	expect "opregion: x-igd-opregion on" \
		"$(qmp cmd "$sock" qom-get '{"path": "/machine/peripheral/gvt", "property": "x-igd-opregion"}')" true
	t0=$SECONDS
	gpa=$(qmp find "$sock" $ram_mib "$opregion" 120) &&
		ok "opregion: the OpRegion in guest RAM at $gpa after $((SECONDS - t0)) s (SeaBIOS copied etc/igd-opregion)" ||
		fail "opregion: the OpRegion not found in guest RAM"
	quit_qemu "opregion"
	# SeaBIOS wrote the copy's address to ASLS; QEMU passed the write on.
	asls=$(check cfg-read "$u" 0xfc 4)
	asls=$(printf '%#x' $((0x${asls:6:2}${asls:4:2}${asls:2:2}${asls:0:2})))
	expect "opregion: ASLS holds the copy's guest address" "$asls" "${gpa:-none}"
fi

echo 1 >"/sys/bus/mdev/devices/$u/remove"
unload_all
finish
