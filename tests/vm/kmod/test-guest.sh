#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: a nested guest OS with a gvt_mdev vGPU attached. The host's
# qemu-system-x86_64 (TCG inside TCG) boots Debian's kernel with the
# initramfs of tests/vm/guest/ and -device vfio-pci on a GVTg_V5_4 vGPU.
# Its /init prints what it sees on its serial console (GVT-GUEST lines),
# loads i915 and dumps the kernel log. Checked here: the PCI identity and
# class, PVINFO read through the guest's BAR0 against kvmgt's formulas
# (gvtcheck.py), i915's own "Virtual GPU for Intel GVT-g detected", i915's
# probe ending (not hanging), no fault in the guest's kernel log. How far
# i915 got, and how long each step took, is printed for the record.
#
# GVT_GUEST_TIMEOUT (seconds, default 1500) bounds the nested guest;
# GVT_GUEST_LOG keeps its console (default /tmp/guest-console.log; in the
# harness the VM's /tmp goes away, so point it at a host path to keep it).
set -u
. "$(dirname "$0")/lib.sh"
src=${GVT_SRCDIR:-$(cd "$here/../../.." && pwd)}
kver=$("$src/tests/vm/kver")
glog=${GVT_GUEST_LOG:-/tmp/guest-console.log}
gtimeout=${GVT_GUEST_TIMEOUT:-1500}
t_start=$(date +%s)

img=$("$src/tests/vm/guest/mkinitramfs" "$kver") || { fail "guest initramfs"; finish; }
load_both || { fail "load"; finish; }
u=$(uuid)
expect "create a GVTg_V5_4" "$(write_attr "$u" "$(types_dir)/gvt_base-GVTg_V5_4/create")" ok
expect "its vgpu_id" "$(cat "/sys/bus/mdev/devices/$u/intel_vgpu/vgpu_id")" 1

# i915 options, each for a reason:
#  enable_guc=0: a vGPU has no GuC (kvmgt keeps GUC_STATUS in reset and i915
#   does not load GuC firmware on a vGPU anyway); said explicitly so that a
#   future default cannot send the guest after firmware it lacks.
i915_opts=${GVT_GUEST_I915-i915.enable_guc=0}
: >"$glog"
t_qemu=$(date +%s)
timeout "$gtimeout" qemu-system-x86_64 -accel tcg -machine pc -nodefaults -vga none \
	-display none -no-user-config -monitor none -no-reboot -m 256 -smp 1 \
	-kernel "/boot/vmlinuz-$kver" -initrd "$img" \
	-append "console=ttyS0 loglevel=4 panic=-1 tsc=reliable mitigations=off $i915_opts gvt_guest.wait=$gtimeout" \
	-serial "file:$glog" \
	-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u"
qrc=$?
t_end=$(date +%s)
expect "nested QEMU exits by itself" "$qrc" 0

# The guest's findings: "GVT-GUEST <what> key=value ..." lines.
g() { tr -d '\r' <"$glog" | sed -n "s/^GVT-GUEST $1 //p" | head -n 1; }
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
gdmesg() { tr -d '\r' <"$glog" | sed -n '/^GVT-GUEST dmesg begin/,/^GVT-GUEST dmesg end/p'; }

pci=$(tr -d '\r' <"$glog" | grep '^GVT-GUEST pci ' | grep 'id=0x8086:0x1912' | head -n 1)
expect "guest sees the vGPU's identity 8086:1912" "$(field id "$pci")" 0x8086:0x1912
# gvt_mdev primary=Y (its default): class VGA, as kvmgt creates vGPUs.
expect "... class VGA" "$(field class "$pci")" 0x030000
expect "... revision of the model" "$(field rev "$pci")" 0x06
expect "guest's PVINFO through its BAR0" "$(g pvinfo)" "$(check pvinfo 512 GVTg_V5_4)"
detect=$(gdmesg | grep -m1 'Virtual GPU for Intel GVT-g detected')
expect "guest i915: GVT-g detected" "${detect:+yes}" yes
[ -n "$(g 'i915 done')" ] && ok "guest i915's insmod returned: $(g 'i915 done')" ||
	fail "guest i915 did not return from probe: $(g 'i915 stuck')"
# i915 reserves the GGTT outside the vGPU's two ranges (PVINFO above).
balloon=$(gdmesg | grep -c -E 'VGT balloon successfully')
expect "guest i915 ballooned the GGTT" "$balloon" 1
expect "guest reached poweroff" "$(g end | cut -d= -f1)" uptime
if faults=$("$src/tests/vm/scan-console" "$glog"); then
	ok "no kernel fault in the guest"
else
	fail "kernel faults in the guest:"
	echo "$faults"
fi

[ "${GVT_GUEST_VERBOSE:-0}" = 1 ] && { echo "--- guest console"; tr -d '\r' <"$glog"; }
# For the record: how far i915 got, and when.
echo "--- guest i915, stage by stage"
stage() {
	local line
	line=$(gdmesg | grep -m1 -E "$2")
	printf '%-22s %s\n' "$1:" "${line:-(not reached)}"
}
stage "detection" 'GVT-g detected'
stage "display: VBT" 'VBT|VBIOS'
stage "display: DMC firmware" 'DMC firmware'
stage "display: eDP" 'eDP'
stage "GGTT ballooning" 'VGT balloon (successfully|fail)'
# intel_gt_init failing marks the GT wedged on init (it taints, 0x9, no WARN).
stage "GT init" 'CI tainted|wedged'
stage "registered" 'Initialized i915'
stage "fbdev" 'Cannot find any crtc'
echo "connectors: $(tr -d '\r' <"$glog" | sed -n 's/^GVT-GUEST drm //p' | tr '\n' ' ')"
echo "--- guest i915's log"
gdmesg | grep -E 'i915|drm|GVT|VGT|balloon' | grep -v '^GVT-GUEST'
echo "--- timings"
ts() { sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' <<<"$1"; }
echo "guest boot to init: $(field uptime "$(g init)") s (guest uptime)"
echo "guest i915 detection logged at: $(ts "$detect") s, insmod started at $(field uptime "$(g 'i915 start')") s"
echo "guest i915 probe returned at: $(field uptime "$(g 'i915 done')") s"
echo "nested QEMU ran: $((t_end - t_qemu)) s; test: $((t_end - t_start)) s"
finish
