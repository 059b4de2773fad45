#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# gvtctl hostdev against gvtd on a private bus and a scratch tree: the
# libvirt XML and QEMU's -device argument of vGPUs on an i915 parent
# (upstream kvmgt), a gvt_base parent (gvt_mdev) and a parent of another
# driver, of a definition whose parent is absent, and the errors.
# usage: test-hostdev.sh GVTD GVTCTL FAKE_SYSFS
set -eu
gvtd=$1 gvtctl=$2 fake=$3
. "$(dirname "$0")/private-gvtd.sh"

"$fake" "$root" 0000:00:02.0 gvt_base >/dev/null
"$fake" "$root" 0000:00:03.0 i915 >/dev/null
"$fake" "$root" 0000:00:04.0 mbochs >/dev/null
u_base=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1
u_i915=1c0f4b5a-94b9-4d5f-8c2c-3a4d8be3b6f2
u_other=2d105c6b-a5ca-4e60-9d3d-4b5e9cf4c703
u_def=3e216d7c-b6db-4f71-8e4e-5c6fa0a5d814
fake_vgpu "$root" 0000:00:02.0 gvt_base-GVTg_V5_4 $u_base
fake_vgpu "$root" 0000:00:03.0 i915-GVTg_V5_4 $u_i915
fake_vgpu "$root" 0000:00:04.0 mbochs-GVTg_V5_4 $u_other
mkdir -p "$root/etc/mdevctl.d/0000:00:09.0"
echo '{"mdev_type": "i915-GVTg_V5_8", "start": "manual", "attrs": []}' >"$root/etc/mdevctl.d/0000:00:09.0/$u_def"

start_private_gvtd "$gvtd" "$root"

ctl() { "$gvtctl" --bus-address="$address" "$@"; }

# check UUID DISPLAY OPREGION [OPTIONS...]: the XML parsed, each part as libvirt's
# domain XML documentation spells it, and the -device argument as QEMU's vfio-pci takes it.
check() {
	u=$1 display=$2 opregion=$3; shift 3
	if ! ctl hostdev "$@" "$u" >"$tmp/xml" 2>"$tmp/err"; then
		fail "hostdev $* $u: $(cat "$tmp/err")"; return
	fi
	# The output is one or two elements: wrapped in a domain, it must parse.
	if python3 - "$tmp/xml" "$u" "$display" "$opregion" >"$tmp/check" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
path, uuid, display, opregion = sys.argv[1], sys.argv[2], sys.argv[3] == "yes", sys.argv[4] == "yes"
q = "{http://libvirt.org/schemas/domain/qemu/1.0}"
dom = ET.fromstring("<domain>" + open(path).read() + "</domain>")
hd = dom.findall("hostdev")
assert len(hd) == 1, "one hostdev, not %d" % len(hd)
h = hd[0]
want = {"mode": "subsystem", "type": "mdev", "model": "vfio-pci"}
if display:
    want["display"] = "on"
assert h.attrib == want, "hostdev attributes %r, want %r" % (h.attrib, want)
assert [a.get("uuid") for a in h.findall("source/address")] == [uuid], "source address"
alias = h.find("alias").get("name")
assert alias.startswith("ua-"), "a user alias starts with ua-: " + alias
ov = dom.findall(q + "override")
if not opregion:
    assert not ov, "no override without the OpRegion"
    sys.exit(0)
assert len(ov) == 1, "one qemu:override"
devs = ov[0].findall(q + "device")
assert [d.get("alias") for d in devs] == [alias], "override names the hostdev's alias"
props = [p.attrib for p in devs[0].findall(q + "frontend/" + q + "property")]
assert props == [{"name": "x-igd-opregion", "type": "bool", "value": "true"}], "properties %r" % props
PY
	then ok "hostdev $* $u (display $display, OpRegion $opregion)"
	else fail "hostdev $* $u: $(cat "$tmp/check")"; cat "$tmp/xml"
	fi
	want="-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u"
	[ "$display" = yes ] && want="$want,display=on"
	[ "$opregion" = yes ] && want="$want,x-igd-opregion=on"
	got=$(ctl hostdev --qemu "$@" "$u" 2>&1)
	[ "$got" = "$want" ] && ok "hostdev --qemu $* $u" || fail "hostdev --qemu $* $u: '$got', want '$want'"
}

check $u_base yes yes
check $u_i915 yes yes
check $u_other no no
check $u_def no no
check $u_base no yes --no-display
check $u_i915 yes no --no-opregion
check $u_i915 no no --no-display --no-opregion
upper=$(echo $u_i915 | tr a-f A-F)
expect_out=$(ctl hostdev $u_i915)
[ "$(ctl hostdev "$upper")" = "$expect_out" ] && ok "an upper-case UUID gives the same" || fail "upper-case UUID"

# --json: the same pieces apart (the plain output is hostdev, a comment, the override)
ctl hostdev $u_base >"$tmp/plain"
ctl --json hostdev $u_base >"$tmp/json"
ctl --json hostdev --no-opregion $u_other >"$tmp/json-other"
if python3 - "$tmp/json" "$tmp/json-other" "$tmp/plain" $u_base $u_other >"$tmp/check" 2>&1 <<'PY'
import json, sys
d, o, plain = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), open(sys.argv[3]).read()
u, uo = sys.argv[4], sys.argv[5]
assert (d["uuid"], d["parent"], d["driver"], d["display"], d["opregion"]) == (u, "0000:00:02.0", "gvt_base", True, True), d
assert d["qemu"] == ["-device", "vfio-pci,sysfsdev=/sys/bus/mdev/devices/%s,display=on,x-igd-opregion=on" % u], d["qemu"]
assert plain.startswith(d["hostdev"]) and plain.endswith(d["qemu_override"]), "pieces differ from the plain output"
assert d["hostdev"].count("<hostdev") == 1 and "override" not in d["hostdev"], d["hostdev"]
assert (o["driver"], o["display"], o["opregion"], o["qemu_override"]) == ("mbochs", False, False, None), o
PY
then ok "--json hostdev"; else fail "--json hostdev: $(cat "$tmp/check")"; fi

# errors: an unknown UUID fails (1) saying so, a malformed one is a usage error (2)
unknown=4f327e8d-c7ec-4082-9f5f-6d7fb1b6e925
err=$(ctl hostdev $unknown 2>&1) && code=0 || code=$?
[ $code = 1 ] && case $err in *"No vGPU or definition $unknown"*) true ;; *) false ;; esac &&
	ok "unknown UUID: exit 1, '$err'" || fail "unknown UUID: exit $code, '$err'"
for bad in not-a-uuid 0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e 0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1x ""; do
	err=$(ctl hostdev "$bad" 2>&1) && code=0 || code=$?
	[ $code = 2 ] && ok "malformed '$bad': exit 2" || fail "malformed '$bad': exit $code, '$err'"
done
err=$(ctl hostdev 2>&1) && code=0 || code=$?
[ $code = 2 ] && ok "no UUID: exit 2" || fail "no UUID: exit $code"
err=$(ctl hostdev --bogus $u_base 2>&1) && code=0 || code=$?
[ $code = 2 ] && ok "unknown option: exit 2" || fail "unknown option: exit $code"

[ $rc = 0 ] || cat "$tmp/log" >&2
exit $rc
