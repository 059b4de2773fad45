#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM (harness --spare-pci): /etc/mdevctl.d shared with mdevctl and
# libvirt without harm (issue 16 point 1). Definitions written by
# `mdevctl define` and `virsh nodedev-define` (libvirt through mdevctl) are
# each seen by gvtd, round-trip through gvtctl modify byte for byte in
# everything gvtd did not change, and are still seen by mdevctl (and
# libvirt) after; a file neither can use is left exactly as it is and
# listed with the reason (gvtctl, D-Bus, REST), and nothing is set aside.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d /tmp/gvtd-shared.XXXXXX)
sock=/run/gvtd/api.sock
pci=0000:00:02.0
virsh() { command virsh -q -c qemu:///system "$@"; }
api() { curl -s --unix-socket "$sock" "$@"; }
defined() { "$gvtctl" list --defined 2>/dev/null | grep -q "^$1 .* stopped "; }
# same WHAT FILE COPY: byte for byte
same() { cmp -s "$2" "$3" && ok "$1" || fail "$1: $(diff "$3" "$2" | head -20 | tr '\n' '|')"; }

start_system_bus
start_udevd >/dev/null
mkdir -p /etc/gvtd
printf '[Modules]\nGvtBaseParameters=host=%s\n' "$pci" >/etc/gvtd/gvtd.conf
"$gvtd" --profile=sim --module-dir="$kmod" >>"$log" 2>&1 &
gvtd_pid=$!
until_ok 60 sh -c "[ \"\$(busctl --system get-property org.gvtd1 /org/gvtd1 org.gvtd1.Manager ModulesState)\" = 's \"ready\"' ]" &&
	ok "gvtd: modules ready" || { fail "gvtd: modules $(prop ModulesState): $(prop ModulesError)"; finish; }
mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
defs=/etc/mdevctl.d/$pci

# -- libvirtd without systemd, as in gvtd/test-libvirt.sh
cat >/etc/libvirt/qemu.conf <<'CONF'
stdio_handler = "file"
CONF
mkdir -p /run/dbus /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt /run/libvirt
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
libvirtd -d || { fail "libvirtd"; finish; }
until_ok 30 virsh version && ok "libvirtd answers" || { fail "libvirtd does not answer"; finish; }

# -- mdevctl define, with an attribute (mdevctl's own --addattr)
um=$(cat /proc/sys/kernel/random/uuid)
mdevctl define -u "$um" -p "$pci" -t gvt_base-GVTg_V5_8 --auto && ok "mdevctl define" || fail "mdevctl define"
mdevctl modify -u "$um" --addattr=foo-bar --value=1 && ok "mdevctl modify --addattr" || fail "mdevctl modify --addattr"
cp "$defs/$um" "$tmp/um"
note "mdevctl's file: $(od -c "$tmp/um" | tail -2 | head -1)"
until_ok 5 defined "$um" && ok "gvtd sees mdevctl's definition" || fail "gvtd misses $um: $("$gvtctl" list --defined 2>&1)"
expect "as mdevctl wrote it" "$("$gvtctl" --json list --defined | python3 -c "
import json, sys; d = [x for x in json.load(sys.stdin) if x['uuid'] == '$um'][0]; print(d['type'], d['start'], d['attrs'])")" \
	"gvt_base-GVTg_V5_8 auto [{'foo-bar': '1'}]"

# -- virsh nodedev-define (libvirt writes it through mdevctl define --jsonfile)
uv=$(cat /proc/sys/kernel/random/uuid)
cat >"$tmp/nodedev.xml" <<XML
<device>
  <parent>pci_${pci//[:.]/_}</parent>
  <capability type='mdev'>
    <type id='gvt_base-GVTg_V5_4'/>
    <uuid>$uv</uuid>
  </capability>
</device>
XML
virsh nodedev-define "$tmp/nodedev.xml" >"$tmp/virsh.out" 2>&1 && ok "virsh nodedev-define" ||
	fail "virsh nodedev-define: $(cat "$tmp/virsh.out")"
until_ok 10 test -s "$defs/$uv" && ok "libvirt's file written" || fail "no $defs/$uv: $(ls "$defs")"
cp "$defs/$uv" "$tmp/uv"
note "libvirt's file: $(tr '\n' '|' <"$tmp/uv")"
until_ok 5 defined "$uv" && ok "gvtd sees libvirt's definition" || fail "gvtd misses $uv: $("$gvtctl" list --defined 2>&1)"

# -- round trips through gvtd's modify: byte for byte in what gvtd did not change
"$gvtctl" modify "$um" --manual && "$gvtctl" modify "$um" --auto && ok "gvtctl modify --manual, --auto" ||
	fail "gvtctl modify $um"
same "mdevctl's file after --manual, --auto: byte for byte" "$defs/$um" "$tmp/um"
"$gvtctl" modify "$um" --addattr x_y --value 2 && "$gvtctl" modify "$um" --delattr &&
	ok "gvtctl modify --addattr, --delattr" || fail "gvtctl modify --addattr/--delattr $um"
same "... and after --addattr, --delattr" "$defs/$um" "$tmp/um"
"$gvtctl" modify "$um" --type gvt_base-GVTg_V5_4 && ok "gvtctl modify --type" || fail "gvtctl modify --type"
expect "--type: only mdev_type changed" "$(python3 -c "
import json; a, b = json.load(open('$tmp/um')), json.load(open('$defs/$um'))
print(list(a) == list(b), {k for k in a if a[k] != b[k]}, b['mdev_type'])")" "True {'mdev_type'} gvt_base-GVTg_V5_4"
"$gvtctl" modify "$um" --type gvt_base-GVTg_V5_8
same "... and back: byte for byte" "$defs/$um" "$tmp/um"
"$gvtctl" modify "$uv" --auto && "$gvtctl" modify "$uv" --manual && ok "gvtctl modify libvirt's" || fail "gvtctl modify $uv"
same "libvirt's file after --auto, --manual: byte for byte" "$defs/$uv" "$tmp/uv"

# -- mdevctl and libvirt still see both
mdevctl list -d >"$tmp/mdevctl" 2>&1
grep -q "^$um $pci gvt_base-GVTg_V5_8 auto" "$tmp/mdevctl" && ok "mdevctl list -d: mdevctl's" || fail "mdevctl list -d: $(cat "$tmp/mdevctl")"
grep -q "^$uv $pci gvt_base-GVTg_V5_4 manual" "$tmp/mdevctl" && ok "mdevctl list -d: libvirt's" || fail "mdevctl list -d: $(cat "$tmp/mdevctl")"
until_ok 10 sh -c "virsh nodedev-list --cap mdev --inactive | grep -q '${uv//-/_}'" && ok "virsh nodedev-list: libvirt's" ||
	fail "virsh lost it: $(virsh nodedev-list --cap mdev --all 2>&1)"

# -- a file neither can use: as it is, listed with the reason, on every transport
ub=$(cat /proc/sys/kernel/random/uuid)
printf '{"mdev_type": "gvt_base-GVTg_V5_8", "attrs": []}\n' >"$defs/$ub"
cp "$defs/$ub" "$tmp/ub"
"$gvtctl" list --defined >"$tmp/list" 2>"$tmp/list.err"
grep "^$ub " "$tmp/list" | grep -q unreadable && ok "gvtctl list --defined: unreadable row" || fail "no row: $(cat "$tmp/list")"
expect_contains "gvtctl: path and reason" "$(cat "$tmp/list.err")" "$defs/$ub: cannot be used, left as it is: \"start\" is missing"
expect_contains "D-Bus ListUnreadableDefinitions" \
	"$(busctl --system call org.gvtd1 /org/gvtd1 org.gvtd1.Manager ListUnreadableDefinitions 2>&1)" "\"$ub\""
expect "REST GET /v1/definitions" "$(api http://localhost/v1/definitions | python3 -c "
import json, sys; print([(u['uuid'], u['reason'][:18]) for u in json.load(sys.stdin)['unreadable']])")" "[('$ub', '\"start\" is missing')]"
"$gvtctl" start "$ub" 2>"$tmp/start.err" && fail "started a file gvtd cannot use" || ok "start of it refused"
expect_contains "... naming the reason" "$(cat "$tmp/start.err")" "\"start\" is missing"
stop_gvtd
"$gvtd" --profile=sim --module-dir="$kmod" >>"$log" 2>&1 &
gvtd_pid=$!
until_ok 60 sh -c "[ \"\$(busctl --system get-property org.gvtd1 /org/gvtd1 org.gvtd1.Manager ModulesState)\" = 's \"ready\"' ]" &&
	ok "gvtd restarts with it" || fail "gvtd after a restart: $(prop ModulesState)"
same "the file neither can use: byte for byte after a restart" "$defs/$ub" "$tmp/ub"
case $(ls -a "$defs") in *corrupt*) fail "set aside: $(ls -a "$defs")" ;; *) ok "nothing set aside" ;; esac
grep -q "Cannot use definition file $defs/$ub, leaving it as it is" "$log" && ok "logged with path" || fail "not logged"
same "mdevctl's file untouched by the restart" "$defs/$um" "$tmp/um"
same "libvirt's file untouched by the restart" "$defs/$uv" "$tmp/uv"
rm "$defs/$ub"
until_ok 5 sh -c "! \"$gvtctl\" list --defined 2>&1 | grep -q $ub" && ok "deleted: no longer listed" || fail "still listed"

"$gvtctl" undefine "$um"
virsh nodedev-undefine "mdev_${uv//-/_}_${pci//[:.]/_}" >/dev/null 2>&1 || "$gvtctl" undefine "$uv"
finish
