#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM (harness --spare-pci): with the GPU hosted on 0000:00:02.0,
# an unmodified libvirt lists it as an mdev parent with the four GVT-g types
# and shows running vGPUs, whether created through sysfs or through libvirt.
set -u
. "$(dirname "$0")/lib.sh"

pci=0000:00:02.0
virsh() { command virsh -q -c qemu:///system "$@"; }
# wait_for CMD...: retry for up to 30 s; libvirt picks up devices through uevents.
wait_for() {
	local i
	for i in $(seq 30); do
		"$@" && return 0
		sleep 1
	done
	return 1
}

load_both host=$pci aperture_mb=1024 || { fail "load host=$pci"; finish; }

# libvirtd without systemd: a system bus and its state directories.  It runs
# "mdevctl start --jsonfile /dev/stdin", and udev is what usually makes that link.
mkdir -p /run/dbus /var/log/libvirt /var/lib/libvirt /var/cache/libvirt /run/libvirt
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
dbus-daemon --system --fork && libvirtd -d || { fail "start dbus-daemon and libvirtd"; finish; }
wait_for virsh version >/dev/null 2>&1 || { fail "libvirtd does not answer"; finish; }

expect "nodedev-list --cap mdev_types" "$(virsh nodedev-list --cap mdev_types)" pci_0000_00_02_0
virsh nodedev-dumpxml pci_0000_00_02_0 >/tmp/parent.xml
python3 - /tmp/parent.xml "$(check types 1024)" <<'PY' >/tmp/parent.check 2>&1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
want = dict(line.split() for line in sys.argv[2].splitlines())
got = {t.findtext("name"): t.findtext("availableInstances")
       for t in root.iter("type") if t.get("id", "").startswith("gvt_base-")}
print("types:", " ".join("%s=%s" % kv for kv in sorted(got.items())))
print("want: ", " ".join("%s=%s" % kv for kv in sorted(want.items())))
for t in root.iter("type"):
    if t.get("id") and t.findtext("deviceAPI") != "vfio-pci":
        print("deviceAPI of", t.get("id"), "is", t.findtext("deviceAPI"))
PY
if [ "$(sed -n 's/^types: //p' /tmp/parent.check)" = "$(sed -n 's/^want:  //p' /tmp/parent.check)" ] &&
	! grep -q deviceAPI /tmp/parent.check; then
	ok "pci_0000_00_02_0: four GVT-g types, kvmgt's availableInstances"
else
	fail "pci_0000_00_02_0 types:"; cat /tmp/parent.check
fi
grep -q '<name>gvt_base</name>' /tmp/parent.xml && ok "parent's driver is gvt_base" ||
	fail "parent's driver is not gvt_base"

# A vGPU created through sysfs shows up as mdev_<uuid>_0000_00_02_0.
u=$(uuid)
write_attr "$u" "/sys/bus/pci/devices/$pci/mdev_supported_types/gvt_base-GVTg_V5_4/create" >/dev/null
name=mdev_${u//-/_}_0000_00_02_0
wait_for sh -c "virsh -q -c qemu:///system nodedev-list --cap mdev | grep -qx $name" &&
	ok "running vGPU listed as $name" || { fail "$name not listed:"; virsh nodedev-list --cap mdev; }
virsh nodedev-dumpxml "$name" >/tmp/vgpu.xml 2>&1
grep -q "<type id='gvt_base-GVTg_V5_4'/>" /tmp/vgpu.xml && grep -q "<parent>pci_0000_00_02_0</parent>" /tmp/vgpu.xml &&
	ok "$name: type and parent" || { fail "$name xml:"; cat /tmp/vgpu.xml; }

# And one created through libvirt (which drives mdevctl).
u2=$(uuid)
cat >/tmp/mdev.xml <<XML
<device>
  <parent>pci_0000_00_02_0</parent>
  <capability type='mdev'>
    <type id='gvt_base-GVTg_V5_8'/>
    <uuid>$u2</uuid>
  </capability>
</device>
XML
if virsh nodedev-create /tmp/mdev.xml >/tmp/create.out 2>&1; then
	ok "virsh nodedev-create GVTg_V5_8"
else
	fail "virsh nodedev-create:"; cat /tmp/create.out
fi
expect "vGPU from libvirt exists in sysfs" \
	"$(basename "$(readlink "/sys/bus/mdev/devices/$u2/mdev_type")" 2>/dev/null)" gvt_base-GVTg_V5_8
wait_for sh -c "virsh -q -c qemu:///system nodedev-dumpxml pci_0000_00_02_0 |
	grep -A3 \"id='gvt_base-GVTg_V5_8'\" | grep -q '<availableInstances>$(check types 1024 4 8 | sed -n 's/^GVTg_V5_8 //p')<'" &&
	ok "libvirt's availableInstances follow the vGPUs" || fail "libvirt's availableInstances stale"
virsh nodedev-destroy "mdev_${u2//-/_}_0000_00_02_0" >/dev/null 2>&1 &&
	ok "virsh nodedev-destroy" || fail "virsh nodedev-destroy"
expect "vGPU from libvirt gone" "$(ls -d "/sys/bus/mdev/devices/$u2" 2>/dev/null)" ""

unload_all
finish
