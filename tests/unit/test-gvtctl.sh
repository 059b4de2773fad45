#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gvtctl for scripts, against gvtd on a private bus and a scratch tree:
# usage errors before any connection (exit 2, naming the command's --help),
# "no bus" and "gvtd is not running" told apart, typed JSON (quota limits
# as numbers or null, attributes as mdevctl's ordered [{name: value}]),
# monitor's definition events with the REST event stream's names, and
# mdevctl's spellings (-u UUID, define --jsonfile, list --dumpjson, the
# last against mdevctl's own output over the same directory).
# usage: test-gvtctl.sh GVTD GVTCTL FAKE_SYSFS
set -eu
gvtd=$1 gvtctl=$2 fake=$3
. "$(dirname "$0")/private-gvtd.sh"

# -- no bus at all: usage errors still come first, then "no bus"
nobus=unix:path=$tmp/nothing
run 2 "$gvtctl" --bus-address=$nobus create
has err "Try 'gvtctl create --help'" "create without --type: usage, before connecting"
run 2 "$gvtctl" --bus-address=$nobus types --foo
has err "Try 'gvtctl types --help'" "unknown option: a hint naming the command"
run 2 "$gvtctl" --bus-address=$nobus frobnicate
has err "Try 'gvtctl --help'" "unknown command"
run 1 "$gvtctl" --bus-address=$nobus list
has err "cannot connect to the bus at $nobus" "a bus address that does not answer"
run 1 env DBUS_SYSTEM_BUS_ADDRESS=$nobus "$gvtctl" list
has err "no system bus" "no system bus: said so"

# -- a bus without gvtd
dbus-daemon --session --fork --print-address=3 --print-pid=4 3>"$tmp/a0" 4>"$tmp/p0"
bare=$(head -n1 "$tmp/a0")
run 1 "$gvtctl" --bus-address="$bare" list
has err "gvtd is not running" "bus without gvtd: gvtd is not running"
kill "$(cat "$tmp/p0")"

# -- with gvtd
"$fake" "$root" >/dev/null
fake_vgpu "$root" 0000:00:02.0 gvt_base-GVTg_V5_4 7c000000-0000-4000-8000-00000000000c
start_private_gvtd "$gvtd" "$root"
ctl() { "$gvtctl" --bus-address="$address" "$@"; }
"$gvtctl" --bus-address="$address" --json monitor >"$tmp/events" 2>&1 &
mon=$!
sleep 0.5

run 0 ctl --json list
expect "list JSON: state, owner, nobody has it open (null)" \
	"$(python3 -c "import json; print([(v['state'], v['owner'], v['opened_by'], v['open_for']) for v in json.load(open('$tmp/out'))])")" \
	"[('active', 'root', None, None)]"
ctl quota set bob --max-vgpus 2 --max-fences 8
# a limit name cut inside a character by the message's bound still gets its message over D-Bus
key=$(printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9')
case $(busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager SetQuota 'sa{st}b' bob 1 "$key" 1 false 2>&1) in
*"Unknown limit"*) ok "SetQuota: an unknown multibyte limit name gets its message" ;;
*) fail "SetQuota with '$key': $(busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager SetQuota 'sa{st}b' bob 1 "$key" 1 false 2>&1)" ;;
esac
run 0 ctl --json quota show bob
expect "quota JSON: limits as numbers, none as null" \
	"$(python3 -c "import json; print(sorted((r['limit'], r['max'], r['used']) for r in json.load(open('$tmp/out'))))")" \
	"[('aperture-mib', None, 0), ('fences', 8, 0), ('hidden-mib', None, 0), ('vgpus', 2, 0), ('weight', None, 0)]"

u=$(ctl define --type gvt_base-GVTg_V5_4 --attr a=1 --attr 'b=x,y=z')
run 0 ctl --json list --defined
expect "list --defined JSON: attrs as mdevctl's ordered list" \
	"$(python3 -c "import json; print([d['attrs'] for d in json.load(open('$tmp/out')) if d['uuid'] == '$u'][0])")" \
	"[{'a': '1'}, {'b': 'x,y=z'}]"
run 0 ctl list --defined
has out "a=1,b=x,y=z" "list --defined for people: NAME=VALUE,..."
ctl modify -u "$u" --auto
ctl undefine -u "$u"

# -- mdevctl's spellings: define --jsonfile (read as mdevctl reads it), list --dumpjson
printf '{"mdev_type": "gvt_base-GVTg_V5_8", "start": "Manual", "attrs": null}' >"$tmp/a.json"
printf '{"mdev_type": "gvt_base-GVTg_V5_4", "start": "auto", "attrs": [{"a": "1"}, {"n": 2}], "x": 1}' >"$tmp/b.json"
ua=$(ctl define -u 6a000000-0000-4000-8000-00000000000a --jsonfile "$tmp/a.json")
ub=$(ctl define --jsonfile "$tmp/b.json" --parent 0000:00:02.0 -u 1b000000-0000-4000-8000-00000000000b)
run 0 ctl --json list --defined
expect "define --jsonfile: type, start, attrs as mdevctl reads them" \
	"$(python3 -c "import json; d={x['uuid']: (x['type'], x['start'], x['attrs']) for x in json.load(open('$tmp/out'))}; print(d['$ua'], d['$ub'])")" \
	"('gvt_base-GVTg_V5_8', 'manual', []) ('gvt_base-GVTg_V5_4', 'auto', [{'a': '1'}, {'n': '2'}])"
printf '{"mdev_type": ' >"$tmp/bad.json"
run 2 ctl define --jsonfile "$tmp/bad.json"
has err "--jsonfile $tmp/bad.json:" "a broken --jsonfile: usage error naming it"
printf '{"mdev_type": "gvt_base-GVTg_V5_8", "attrs": [{"a": "1", "b": "2"}]}' >"$tmp/bad.json"
run 2 ctl define --jsonfile "$tmp/bad.json"
has err "attrs[0] is not an object with one member" "an attrs entry of two members: said so"
run 0 ctl list -d --dumpjson
cp "$tmp/out" "$tmp/ours.json"
run 2 ctl list --dumpjson
has err "--dumpjson is for list --defined" "list --dumpjson without --defined: usage"
mkdir -p "$root/etc/mdevctl.d/scripts.d/callouts" "$root/etc/mdevctl.d/scripts.d/notifiers"
if unshare -m sh -c "mount --bind '$root/etc/mdevctl.d' /etc/mdevctl.d && mdevctl list --defined --dumpjson" >"$tmp/theirs.json" 2>"$tmp/err"; then
	expect "list --defined --dumpjson is mdevctl's, JSON for JSON" \
		"$(python3 -c "import json; print(json.load(open('$tmp/ours.json')) == json.load(open('$tmp/theirs.json')))")" True
else
	# no mount namespace here: the shape mdevctl 1.2 prints, written out
	expect "list --defined --dumpjson in mdevctl's shape" \
		"$(python3 -c "import json; print(sorted(json.load(open('$tmp/ours.json'))[0]['0000:00:02.0'][0].keys())[0] in ('$ua', '$ub'))")" True
fi
# modify --addattr/--value/--delattr/--index, as mdevctl's: at the end unless --index
attrs_of() { ctl --json list --defined | python3 -c "import json,sys; print([d['attrs'] for d in json.load(sys.stdin) if d['uuid'] == '$1'][0])"; }
ctl modify -u "$ub" --addattr z --value 9
ctl modify "$ub" --addattr f --value 0 --index 0
expect "modify --addattr: at the end, and at --index 0" "$(attrs_of "$ub")" "[{'f': '0'}, {'a': '1'}, {'n': '2'}, {'z': '9'}]"
ctl modify -u "$ub" --delattr
ctl modify -u "$ub" --delattr --index 1
expect "modify --delattr: the last, and at --index 1" "$(attrs_of "$ub")" "[{'f': '0'}, {'n': '2'}]"
run 2 ctl modify -u "$ub" --delattr --index 2
has err "--index 2: the definition has 2 attribute(s), so 0 to 1" "--delattr --index past the end: refused"
run 2 ctl modify -u "$ub" --addattr q
has err "--addattr and --value go together" "--addattr without --value"
run 2 ctl modify -u "$ub" --addattr q --value 1 --attr x=1
has err "use one way" "--addattr with --attr"
expect "refusals changed nothing" "$(attrs_of "$ub")" "[{'f': '0'}, {'n': '2'}]"
ctl undefine "$ua"; ctl undefine "$ub"
run 2 ctl undefine
has err "undefine needs exactly one UUID (or -u UUID)" "undefine without a UUID"
run 2 ctl start -u
has err "start: -u needs a UUID" "start -u without its value"
sleep 0.5
kill "$mon"; wait "$mon" 2>/dev/null || true
expect "monitor: definition events as REST names them" \
	"$(python3 -c "
import json
for l in open('$tmp/events'):
    e = json.loads(l)
    if e['event'].startswith('definition-'): print(e['event'], e['uuid'] == '$u')")" \
	"definition-added True
definition-changed True
definition-removed True
definition-added False
definition-added False
definition-changed False
definition-changed False
definition-changed False
definition-changed False
definition-removed False
definition-removed False"
exit $rc
