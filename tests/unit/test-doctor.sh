#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The host doctor (gvtctl doctor, Manager.Diagnose, GET /v1/diagnostics)
# against scratch trees made on purpose: the simulated GPU with its kernel
# modules missing or present, mdevctl's udev rule present or masked, a
# definition for a parent that is gone; a kvmgt host with a Kaby Lake GPU
# booted without and with i915.enable_gvt=1 and an IOMMU, and with a Gen12
# GPU. Each check's state is worked out here from the tree.
# usage: test-doctor.sh GVTD GVTCTL FAKE_SYSFS
set -eu
gvtd=$1 gvtctl=$2 fake=$3
. "$(dirname "$0")/private-gvtd.sh"
ctl() { "$gvtctl" --bus-address="$address" "$@"; }
# state ID: the check's state in gvtctl doctor --json
state() { python3 -c "import json,sys; print([c['state'] for c in json.load(open('$tmp/doc')) if c['check'] == '$1'][0])"; }
seen() { python3 -c "import json,sys; print([c['seen'] for c in json.load(open('$tmp/doc')) if c['check'] == '$1'][0])"; }
doctor() { set +e; ctl --json doctor >"$tmp/doc"; status=$?; set -e; }
restart() { kill "$gvtd_pid" "$bus_pid"; wait "$gvtd_pid" 2>/dev/null || true; start_private_gvtd "$gvtd" "$root" "$@"; }
release=$(uname -r)

# -- the simulated GPU, nothing else
"$fake" "$root" >/dev/null
start_private_gvtd "$gvtd" "$root"
doctor
expect "sim: no Intel GPU is a warning" "$(state gpu)" warn
expect "sim: enable_gvt not needed" "$(state enable-gvt)" ok
expect "sim: vfio/mdev modules missing" "$(state kernel-modules)" fail
expect "sim: the modules are not loaded" "$(state load-order)" warn
expect "sim: no mdevctl rule" "$(state mdevctl-udev)" ok
expect "a failing check: exit 3" "$status" 3

# -- the modules there, mdevctl's rule, a definition for a parent that is gone
mkdir -p "$root/lib/modules/$release" "$root/lib/udev/rules.d" "$root/etc/mdevctl.d/0000:00:09.0"
printf 'kernel/drivers/vfio/vfio_iommu_type1.ko: kernel/drivers/vfio/vfio.ko\n' >"$root/lib/modules/$release/modules.dep"
printf 'kernel/drivers/vfio/mdev/mdev.ko\n' >"$root/lib/modules/$release/modules.builtin"
: >"$root/lib/udev/rules.d/60-mdevctl.rules"
echo '{"mdev_type": "i915-GVTg_V5_4", "start": "auto", "attrs": []}' \
	>"$root/etc/mdevctl.d/0000:00:09.0/5c6d7e8f-0000-4000-8000-000000000001"
restart
doctor
expect "modules in modules.dep / modules.builtin" "$(state kernel-modules)" ok
expect "mdevctl's udev rule: races gvtd's autostart" "$(state mdevctl-udev)" warn
expect "definition for an absent parent: named" "$(seen definitions)" "1 definition(s) for a parent that is not present (0000:00:09.0)"
expect "every definition file usable: ok" "$(state definition-files)" ok
echo '{"mdev_type": "i915-GVTg_V5_4"}' >"$root/etc/mdevctl.d/0000:00:09.0/5c6d7e8f-0000-4000-8000-000000000002"
doctor
expect "a file gvtd cannot use: warn" "$(state definition-files)" warn
expect "... named with the reason" "$(seen definition-files)" \
	"1 file(s) in /etc/mdevctl.d gvtd cannot use, first $root/etc/mdevctl.d/0000:00:09.0/5c6d7e8f-0000-4000-8000-000000000002: \"start\" is missing: mdevctl needs it (\"auto\" or \"manual\")"
rm "$root/etc/mdevctl.d/0000:00:09.0/5c6d7e8f-0000-4000-8000-000000000002"
expect "no failing check: exit 0" "$status" 0
mkdir -p "$root/etc/udev/rules.d" && ln -s /dev/null "$root/etc/udev/rules.d/60-mdevctl.rules"
doctor
expect "masked in /etc: fine" "$(state mdevctl-udev)" ok
# the same over D-Bus and REST
expect "D-Bus Diagnose: worst state" "$(busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager Diagnose | cut -d' ' -f2)" '"warn"'
expect "REST /v1/diagnostics" "$(curl -s --unix-socket "$root/run/gvtd/api.sock" http://localhost/v1/diagnostics |
	python3 -c "import json,sys; d=json.load(sys.stdin); print(d['state'], [c['state'] for c in d['checks'] if c['id'] == 'mdevctl-udev'][0])")" "warn ok"
expect "REST /v1/diagnostics: unknown query" "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$root/run/gvtd/api.sock" 'http://localhost/v1/diagnostics?x=1')" 400

# -- a kvmgt host: Kaby Lake GT2 (8086:5912), i915 loaded, kvmgt in modules.dep
pci=$root/sys/bus/pci/devices/0000:00:02.0
mkdir -p "$pci" "$root/proc" "$root/sys/module/i915/parameters"
echo 0x030000 >"$pci/class"; echo 0x8086 >"$pci/vendor"; echo 0x5912 >"$pci/device"
printf 'kernel/drivers/gpu/drm/i915/kvmgt.ko: kernel/drivers/gpu/drm/i915/i915.ko\n' >>"$root/lib/modules/$release/modules.dep"
echo 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet' >"$root/proc/cmdline"
echo N >"$root/sys/module/i915/parameters/enable_gvt"
restart --profile=kvmgt
doctor
expect "kvmgt: a GVT-g GPU" "$(state gpu)" ok
expect "kvmgt: no i915.enable_gvt on the command line" "$(state enable-gvt)" fail
expect "kvmgt: no IOMMU groups" "$(state iommu)" fail
echo 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 i915.enable_gvt=1 intel_iommu=on' >"$root/proc/cmdline"
doctor
expect "kvmgt: set, but i915 was loaded without it" "$(state enable-gvt)" fail
echo Y >"$root/sys/module/i915/parameters/enable_gvt"
mkdir -p "$root/sys/kernel/iommu_groups/0"
doctor
expect "kvmgt: enable_gvt seen by i915" "$(state enable-gvt)" ok
expect "kvmgt: IOMMU groups" "$(state iommu)" ok
expect "kvmgt: kvmgt, vfio_iommu_type1, mdev available" "$(state kernel-modules)" ok
# -- a Tiger Lake GPU (8086:9a49, Gen12): not GVT-g, SR-IOV named
echo 0x9a49 >"$pci/device"
doctor
expect "Gen12: fails" "$(state gpu)" fail
case $(python3 -c "import json; print([c['fix'] for c in json.load(open('$tmp/doc')) if c['check'] == 'gpu'][0])") in
*SR-IOV*) ok "Gen12: the fix names SR-IOV" ;; *) fail "Gen12: fix without SR-IOV" ;; esac
# -- it reads only: the tree is as it was
find "$root" -newer "$tmp/doc" -type f | grep -v '/run/' | grep . && fail "doctor changed files" || ok "doctor changed nothing"
exit $rc
