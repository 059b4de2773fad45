#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM (harness --spare-pci): the virt-manager path. gvtd loads the
# modules with the GPU on 0000:00:02.0 and creates a vGPU; libvirt defines and
# starts a TCG domain whose <hostdev> is what `gvtctl hostdev` printed; while
# it runs gvtd names the domain's QEMU in OpenedBy / opened_by, with its name,
# the domain's name and since when (OpenerName/OpenerVM/OpenedSince, opener,
# gvtctl list), and refuses the removal on both transports; after `virsh
# destroy` the removal works.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d /tmp/gvtd-libvirt.XXXXXX)
sock=/run/gvtd/api.sock
pci=0000:00:02.0
dom=gvt-libvirt
virsh() { command virsh -q -c qemu:///system "$@"; }
api() { curl -s --unix-socket "$sock" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start_system_bus
start_udevd >/dev/null
mkdir -p /etc/gvtd
printf '[Modules]\nGvtBaseParameters=host=%s\n' "$pci" >/etc/gvtd/gvtd.conf
"$gvtd" --profile=sim --module-dir="$kmod" >>"$log" 2>&1 &
gvtd_pid=$!
until_ok 60 sh -c "[ \"\$(busctl --system get-property org.gvtd1 /org/gvtd1 org.gvtd1.Manager ModulesState)\" = 's \"ready\"' ]" &&
	ok "gvtd: modules ready" || { fail "gvtd: modules $(prop ModulesState): $(prop ModulesError)"; finish; }
expect "the parent is the PCI function" "$("$gvtctl" --json parents | json 'd[0]["parent"], d[0]["driver"]')" "$pci gvt_base"

# -- libvirtd without systemd (as in kmod-libvirt), with a qemu.conf of its own
# holding only what this VM cannot give libvirt. Tried here one by one
# (2026-12-03): the stock settings work for everything else. QEMU runs as
# libvirt-qemu, libvirt's DAC driver chowns the vGPU's /dev/vfio group node to
# it (and back after), the domain gets its private /dev namespace, and the
# missing cgroup hierarchy is skipped. user/group root, cgroup_controllers,
# namespaces and security_driver "none" are therefore not set: the test takes
# the path a real host takes.
cat >/etc/libvirt/qemu.conf <<'CONF'
# No virtlogd runs in the VM (no systemd socket activation), and libvirt's
# default "logd" fails the start ("Failed to connect socket to
# /run/libvirt/virtlogd-sock"): QEMU's output goes to a file instead.
stdio_handler = "file"
CONF
mkdir -p /run/dbus /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt /run/libvirt
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
libvirtd -d || { fail "libvirtd"; finish; }
until_ok 30 virsh version && ok "libvirtd answers" || { fail "libvirtd does not answer"; finish; }

u=$("$gvtctl" create --type gvt_base-GVTg_V5_4 --parent "$pci")
p=/org/gvtd1/vgpu/${u//-/_}
[ -e "/sys/bus/mdev/devices/$u" ] && ok "vGPU $u created" || { fail "gvtctl create: '$u'"; finish; }

# -- gvtctl hostdev: the full XML (display and OpRegion: the parent's driver is
# gvt_base) is what libvirt accepts and turns into QEMU's -device as
# `gvtctl hostdev --qemu` prints it.
"$gvtctl" hostdev "$u" >"$tmp/hostdev-full.xml"
# domain NAME HOSTDEV_OUTPUT GRAPHICS: a TCG domain with no disk (it sits in
# SeaBIOS), the <hostdev> in <devices> and any <qemu:override> beside them.
domain() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys, xml.etree.ElementTree as ET
name, piece, graphics = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3] == "yes"
q = "http://libvirt.org/schemas/domain/qemu/1.0"
ET.register_namespace("qemu", q)
parts = ET.fromstring("<parts>" + piece + "</parts>")  # fails unless well-formed
d = ET.fromstring("""<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='none'/></devices></domain>""" % name)
devices = d.find("devices")
if graphics:
    ET.SubElement(devices, "graphics", type="vnc", listen="127.0.0.1", autoport="yes")
for e in parts:
    (devices if e.tag == "hostdev" else d).append(e)
print(ET.tostring(d, encoding="unicode"))
PY
}
if domain "$dom-full" "$tmp/hostdev-full.xml" yes >"$tmp/full.xml" && xmllint --noout "$tmp/full.xml"; then
	ok "gvtctl hostdev: well-formed (python, xmllint)"
else
	fail "gvtctl hostdev not well-formed:"; cat "$tmp/hostdev-full.xml"
fi
if virsh define "$tmp/full.xml" >"$tmp/out" 2>&1; then
	ok "virsh define with display='on' and the OpRegion override"
	virsh dumpxml "$dom-full" >"$tmp/full-dump.xml"
	grep -q "display='on'" "$tmp/full-dump.xml" && grep -q "name='x-igd-opregion'" "$tmp/full-dump.xml" &&
		ok "libvirt keeps display and the override" || { fail "dumpxml lost them:"; cat "$tmp/full-dump.xml"; }
	want=$("$gvtctl" hostdev --qemu "$u" | cut -d' ' -f2)
	virsh domxml-to-native qemu-argv "$tmp/full.xml" >"$tmp/argv" 2>&1
	# libvirt 9 writes -device as JSON ({"driver":"vfio-pci","sysfsdev":...}) with the override applied
	python3 - "$tmp/argv" "$want" >"$tmp/argv.check" 2>&1 <<'PY'
import json, shlex, sys
argv = shlex.split(open(sys.argv[1]).read())
want = dict(kv.split("=", 1) for kv in sys.argv[2].split(",")[1:])
want["driver"] = sys.argv[2].split(",")[0]
devs = [json.loads(argv[i + 1]) for i, a in enumerate(argv) if a == "-device" and argv[i + 1].startswith("{")]
vfio = [dv for dv in devs if dv.get("driver") == "vfio-pci"]
assert len(vfio) == 1, "vfio-pci devices: %r" % vfio
got = {k: v for k, v in vfio[0].items() if k in want}
norm = lambda v: {True: "on", False: "off"}.get(v, v)  # noqa: E731
got = {k: norm(v) for k, v in got.items()}
assert got == want, "libvirt's -device %r, gvtctl --qemu %r" % (vfio[0], want)
print("same:", sorted(want))
PY
	[ $? = 0 ] && ok "libvirt's QEMU -device has what gvtctl hostdev --qemu prints ($(cat "$tmp/argv.check"))" ||
		{ fail "domxml-to-native: $(cat "$tmp/argv.check")"; cat "$tmp/argv"; }
	virsh undefine "$dom-full" >/dev/null
else
	fail "virsh define (full):"; cat "$tmp/out"
fi

# -- and the domain that runs, with the OpRegion (x-igd-opregion through
# <qemu:override>). display='on' needs an OpenGL display in QEMU, which the
# test VM has none of: the domain starts with `gvtctl hostdev --no-display`.
"$gvtctl" hostdev --no-display "$u" >"$tmp/hostdev.xml"
domain "$dom" "$tmp/hostdev.xml" no >"$tmp/domain.xml" && xmllint --noout "$tmp/domain.xml" ||
	fail "domain XML not well-formed"
virsh define "$tmp/domain.xml" >"$tmp/out" 2>&1 && ok "virsh define" || { fail "virsh define:"; cat "$tmp/out"; }
if virsh start "$dom" >"$tmp/out" 2>&1; then
	ok "virsh start: the domain runs with the vGPU"
else
	fail "virsh start:"; cat "$tmp/out"; tail -n 30 "/var/log/libvirt/qemu/$dom.log"
	finish
fi
expect "domstate" "$(virsh domstate "$dom")" running
qemu=$(cat "/run/libvirt/qemu/$dom.pid" 2>/dev/null)
expect "the pid file is QEMU's" "$(cat "/proc/$qemu/comm" 2>/dev/null)" qemu-system-x86
expect "QEMU runs as libvirt-qemu" "$(ps -o user= -p "$qemu")" libvirt-qemu
grep -qF "/sys/bus/mdev/devices/$u" "/proc/$qemu/cmdline" &&
	ok "QEMU's command line has the vGPU" || fail "QEMU's command line: $(tr '\0' ' ' <"/proc/$qemu/cmdline")"

opened_by_qemu() { [ "$(busctl --system get-property org.gvtd1 "$p" org.gvtd1.VGPU OpenedBy)" = "u $qemu" ]; }
until_ok 10 opened_by_qemu && ok "D-Bus OpenedBy is the domain's QEMU ($qemu)" ||
	fail "OpenedBy: $(busctl --system get-property org.gvtd1 "$p" org.gvtd1.VGPU OpenedBy), want $qemu"
expect "REST opened_by is the domain's QEMU" "$(api "http://localhost/v1/vgpus/$u" | json 'd["opened_by"]')" "$qemu"
# who uses what: the process's name, the domain's name (libvirt's -name guest=...), since when
vgpu_prop() { busctl --system get-property org.gvtd1 "$p" org.gvtd1.VGPU "$1"; }
expect "D-Bus OpenerName" "$(vgpu_prop OpenerName)" 's "qemu-system-x86"'
expect "D-Bus OpenerVM is the domain" "$(vgpu_prop OpenerVM)" "s \"$dom\""
since=$(vgpu_prop OpenedSince | cut -d' ' -f2) now=$(($(date +%s) * 1000000))
[ "$since" -gt $((now - 600000000)) ] && [ "$since" -le "$now" ] && ok "D-Bus OpenedSince within the last 10 min" ||
	fail "OpenedSince $since, now $now"
expect "REST opener" "$(api "http://localhost/v1/vgpus/$u" | json '" ".join(str(d["opener"][k])[:4] if k == "since" else str(d["opener"][k]) for k in ("pid", "name", "vm", "since"))')" \
	"$qemu qemu-system-x86 $dom $(date -u +%Y)"
row=$("$gvtctl" list | grep "^$u ")
note "gvtctl list: $row"
expect_contains "gvtctl list: opened by QEMU of the domain" "$row" "$qemu qemu-system-x86 (VM $dom)"
case $row in *" "[0-9]*[smhd]*" /org/gvtd1/"*) ok "gvtctl list: how long open" ;; *) fail "gvtctl list row: $row" ;; esac

err=$(busctl --system call org.gvtd1 /org/gvtd1 org.gvtd1.Manager RemoveVGPU sb "$u" false 2>&1 >/dev/null)
expect_contains "D-Bus RemoveVGPU refused naming QEMU" "$err" "is open by process $qemu (qemu-system-x86)"
# busctl prints only the message; gdbus the error's name too
name=$(gdbus call --system --dest org.gvtd1 --object-path /org/gvtd1 --method org.gvtd1.Manager.RemoveVGPU "$u" false 2>&1)
expect_contains "... as org.gvtd1.Error.Busy" "$name" "org.gvtd1.Error.Busy"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --unix-socket "$sock" -X DELETE "http://localhost/v1/vgpus/$u")
expect "REST DELETE refused: 409" "$code" 409
expect "... Busy, naming QEMU" "$(json 'd["type"], "process %s (qemu-system-x86)" % '"$qemu"' in d["detail"]' <"$tmp/body")" \
	"urn:gvtd:problem:Busy True"
[ -e "/sys/bus/mdev/devices/$u" ] && ok "the vGPU is still there" || fail "the vGPU is gone"

# -- destroyed, the domain lets go: removal works
virsh destroy "$dom" >"$tmp/out" 2>&1 && ok "virsh destroy" || { fail "virsh destroy:"; cat "$tmp/out"; }
closed() { [ "$(busctl --system get-property org.gvtd1 "$p" org.gvtd1.VGPU OpenedBy)" = "u 0" ]; }
until_ok 10 closed && ok "closed: OpenedBy 0" || fail "after destroy: OpenedBy $(busctl --system get-property org.gvtd1 "$p" org.gvtd1.VGPU OpenedBy)"
expect "closed: no opener name, VM or time" "$(vgpu_prop OpenerName) $(vgpu_prop OpenerVM) $(vgpu_prop OpenedSince)" 's "" s "" t 0'
expect "REST opener null" "$(api "http://localhost/v1/vgpus/$u" | json 'd["opener"]')" None
"$gvtctl" remove "$u" && ok "gvtctl remove after destroy" || fail "gvtctl remove after destroy"
[ ! -e "/sys/bus/mdev/devices/$u" ] && ok "the vGPU is gone from sysfs" || fail "the vGPU is still in sysfs"
virsh undefine "$dom" >/dev/null 2>&1
rm -f /etc/gvtd/gvtd.conf
finish
