#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# /etc/mdevctl.d shared with mdevctl without harm (issue 16 point 1), end to
# end on a private bus and a scratch tree: the files mdevctl accepts (its own
# `mdevctl define`, "start": "Manual", "attrs": null, keys gvtd does not
# know) are gvtd's definitions; a gvtctl modify changes only what it
# changes; a file gvtd cannot use stays byte for byte and is listed with the
# reason (D-Bus ListUnreadableDefinitions, gvtctl list --defined); mdevctl
# still lists the files afterwards.
# usage: test-shared-definitions.sh GVTD GVTCTL FAKE_SYSFS
set -eu
gvtd=$1 gvtctl=$2 fake=$3
. "$(dirname "$0")/private-gvtd.sh"

p=0000:00:02.0
"$fake" "$root" $p gvt_base >/dev/null
defs=$root/etc/mdevctl.d/$p
mkdir -p "$defs" "$root/etc/mdevctl.d/scripts.d/callouts" "$root/etc/mdevctl.d/scripts.d/notifiers"
# mdevctl itself on the scratch directory, where a mount namespace can be had
in_mdevctl_dir() { unshare -m sh -c "mount --bind '$root/etc/mdevctl.d' /etc/mdevctl.d && $*"; }
have_mdevctl=false
if command -v mdevctl >/dev/null && in_mdevctl_dir true 2>/dev/null; then
	have_mdevctl=true
fi

um=11111111-1111-4111-8111-111111111111   # written by mdevctl define
uc=33333333-3333-4333-8333-333333333333   # the issue's "Manual"
un=44444444-4444-4444-8444-444444444444   # "attrs": null and keys gvtd does not know
ub=55555555-5555-4555-8555-555555555555   # no "start": neither mdevctl nor gvtd can use it
if $have_mdevctl; then
	in_mdevctl_dir mdevctl define -u $um -p $p -t gvt_base-GVTg_V5_8 --auto 2>"$tmp/err" ||
		fail "mdevctl define: $(cat "$tmp/err")"
	in_mdevctl_dir mdevctl modify -u $um --addattr=foo-bar --value=1 2>"$tmp/err" ||
		fail "mdevctl modify --addattr: $(cat "$tmp/err")"
else
	# no mount namespace here: what mdevctl 1.2 writes (serde_json pretty, no final newline)
	printf '{\n  "mdev_type": "gvt_base-GVTg_V5_8",\n  "start": "auto",\n  "attrs": [\n    {\n      "foo-bar": "1"\n    }\n  ]\n}' >"$defs/$um"
fi
printf '{"mdev_type":"gvt_base-GVTg_V5_8","start":"Manual","attrs":[]}' >"$defs/$uc"
printf '{\n  "mdev_type": "gvt_base-GVTg_V5_4",\n  "x-note": {"by": "hand", "n": [1, 2.5]},\n  "start": "auto",\n  "attrs": null\n}\n' >"$defs/$un"
printf '{"mdev_type": "gvt_base-GVTg_V5_8", "attrs": []}\n' >"$defs/$ub"
for u in $um $uc $un $ub; do cp "$defs/$u" "$tmp/$u.before"; done

start_private_gvtd "$gvtd" "$root"
ctl() { "$gvtctl" --bus-address="$address" "$@"; }
call() { timeout 10 busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager "$@" 2>&1 || true; }

# -- every file mdevctl accepts is a definition, as mdevctl reads it
run 0 ctl --json list --defined
expect "the definitions: type, start, attrs as mdevctl reads them" \
	"$(python3 -c "
import json; d = {x['uuid']: (x['type'], x['start'], x['attrs']) for x in json.load(open('$tmp/out'))}
print(d.get('$um'), d.get('$uc'), d.get('$un'), d.get('$ub'))")" \
	"('gvt_base-GVTg_V5_8', 'auto', [{'foo-bar': '1'}]) ('gvt_base-GVTg_V5_8', 'manual', []) ('gvt_base-GVTg_V5_4', 'auto', []) (None, None, [])"

# -- the file gvtd cannot use: where it was, as it was, listed with the reason
expect_list=$(call ListUnreadableDefinitions)
case $expect_list in
*"\"$ub\" \"$p\" \"$defs/$ub\" \"\\\"start\\\" is missing"*) ok "ListUnreadableDefinitions: the file and why" ;;
*) fail "ListUnreadableDefinitions: $expect_list" ;;
esac
run 0 ctl list --defined
has out "$ub" "list --defined: the unreadable file has a row"
grep "$ub" "$tmp/out" | grep -q unreadable && ok "... in state unreadable" || fail "no unreadable row: $(cat "$tmp/out")"
has err "$defs/$ub: cannot be used, left as it is: \"start\" is missing" "... and its path and reason on stderr"
run 1 ctl start $ub
has err "\"start\" is missing" "start of it: the reason"
cmp -s "$defs/$ub" "$tmp/$ub.before" && ok "the unreadable file is unchanged" || fail "it changed: $(cat "$defs/$ub")"
case $(ls -a "$defs") in *corrupt*) fail "set aside: $(ls -a "$defs")" ;; *) ok "nothing set aside" ;; esac

# -- a modify changes only what it changes
for u in $um $uc $un; do
	ctl modify $u --manual
	ctl modify $u --auto
done
expect "mdevctl's file after --manual, --auto: byte for byte" "$(cat "$defs/$um")" "$(cat "$tmp/$um.before")"
cmp -s "$defs/$um" "$tmp/$um.before" && ok "... final newline too" || fail "bytes differ: $(od -c "$defs/$um" | tail -3)"
expect "\"Manual\" through --manual, --auto: only start changed" "$(cat "$defs/$uc")" \
	"$(python3 -c "import json; d = json.load(open('$tmp/$uc.before')); d['start'] = 'auto'; print(json.dumps(d, indent=2))")"
ctl modify $un --type gvt_base-GVTg_V5_8
expect "null attrs and other keys through --type: only mdev_type changed, where it was" "$(cat "$defs/$un")" \
	"$(python3 -c "import json; d = json.load(open('$tmp/$un.before')); d['mdev_type'] = 'gvt_base-GVTg_V5_8'; print(json.dumps(d, indent=2))")"
ctl modify $um --addattr x_y --value 2
expect "mdevctl's file through --addattr: the attribute appended, nothing else" "$(cat "$defs/$um")" \
	"$(python3 -c "import json; d = json.load(open('$tmp/$um.before')); d['attrs'].append({'x_y': '2'}); print(json.dumps(d, indent=2))")"

# -- mdevctl still reads them all, once the file neither can use is gone (mdevctl 1.2 lists none while it is there)
rm "$defs/$ub"
if $have_mdevctl; then
	in_mdevctl_dir mdevctl list -d >"$tmp/theirs" 2>"$tmp/err" || true
	for u in $um $uc $un; do
		grep -q "^$u $p" "$tmp/theirs" && ok "mdevctl list -d: $u" || fail "mdevctl lost $u: $(cat "$tmp/theirs" "$tmp/err")"
	done
	grep -q "^$um $p gvt_base-GVTg_V5_8 auto" "$tmp/theirs" && ok "mdevctl: $um as gvtd left it" ||
		fail "mdevctl: $(grep "$um" "$tmp/theirs")"
else
	echo "skip - mdevctl list -d: no mdevctl or no mount namespace"
fi
exit $rc
