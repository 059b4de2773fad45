#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# gvtctl plan and Manager.Plan against gvtd on a private bus and a scratch
# tree (gvt_base parent, aperture_mb=512, so the figures are exact): mixes
# that fit and do not, what runs out, where each goes, the most of each
# type, a running vGPU and an auto-start definition taken into account,
# and the errors. Expected figures are kvmgt's arithmetic, worked out here.
# usage: test-plan.sh GVTD GVTCTL FAKE_SYSFS
set -eu
gvtd=$1 gvtctl=$2 fake=$3
. "$(dirname "$0")/private-gvtd.sh"

"$fake" "$root" 0000:00:02.0 gvt_base >/dev/null
mkdir -p "$root/sys/module/gvt_base/parameters"
echo 512 >"$root/sys/module/gvt_base/parameters/aperture_mb"
start_private_gvtd "$gvtd" "$root"

ctl() { "$gvtctl" --bus-address="$address" "$@"; }
# status WHAT WANT CMD...: the exit status of CMD
status() { what=$1 want=$2; shift 2; set +e; "$@" >"$tmp/out" 2>"$tmp/err"; got=$?; set -e
	expect "$what: exit status" "$got" "$want"; }
# json EXPR: EXPR over the JSON in $tmp/out (as j)
json() { python3 -c "import json,sys; j=json.load(open('$tmp/out')); print($1)"; }

# For vGPUs: aperture 512 - 128 = 384 MiB, hidden 4096 - 512 - 384 = 3200, fences 28, 7 vGPUs.
ap=384 hid=3200 fen=28
status "2 x _4 + 3 x _8 (448 MiB of aperture)" 3 ctl plan 2xGVTg_V5_4 3xGVTg_V5_8
grep -q "^Does not fit: no room for GVTg_V5_8 on 0000:00:02.0, out of aperture\.$" "$tmp/out" &&
	ok "says what runs out, where" || fail "not-fit line: $(head -n1 "$tmp/out")"
status "1 x _4 + 3 x _8 (320 MiB)" 0 ctl plan 1xGVTg_V5_4 3xGVTg_V5_8
expect "every vGPU placed on the parent" "$(grep -c ' 0000:00:02.0 *gvt_base-GVTg_V5_' "$tmp/out")" 4
status "--json" 0 ctl --json plan GVTg_V5_2 2xGVTg_V5_8
expect "JSON: fits, exact, placements" "$(json "j['fits'], j['exact'], [p['type'] for p in j['placements']], j['short']")" \
	"True True ['gvt_base-GVTg_V5_2', 'gvt_base-GVTg_V5_8', 'gvt_base-GVTg_V5_8'] None"
most() { json "[m['most'] for m in j['most'] if m['type'] == 'gvt_base-GVTg_V5_$1'][0]"; }
min() { printf '%s\n' "$@" | sort -n | head -n1; }
expect "most _8 = min(384/64, 3200/384, 28/4, 7)" "$(most 8)" "$(min $((ap / 64)) $((hid / 384)) $((fen / 4)) 7)"
expect "most _4" "$(most 4)" "$(min $((ap / 128)) $((hid / 512)) $((fen / 4)) 7)"
expect "most _2" "$(most 2)" "$(min $((ap / 256)) $((hid / 1024)) $((fen / 4)) 7)"
# 8 x _8: 512 MiB aperture and 8 vGPUs; the aperture is asked first
status "8 x _8" 3 ctl --json plan 8xGVTg_V5_8
expect "8 x _8: short of" "$(json "j['short']['resource'], j['short']['parent']")" "aperture 0000:00:02.0"
expect "8 x _8: six placed, two not" "$(json "sum(1 for p in j['placements'] if p['parent']), sum(1 for p in j['placements'] if not p['parent'])")" "6 2"

# A running _4 and an auto-start _4 definition that does not run: 256 MiB of aperture taken.
fake_vgpu "$root" 0000:00:02.0 gvt_base-GVTg_V5_4 4a3b2c1d-0000-4000-8000-000000000001
mkdir -p "$root/etc/mdevctl.d/0000:00:02.0"
echo '{"mdev_type": "gvt_base-GVTg_V5_4", "start": "auto", "attrs": []}' \
	>"$root/etc/mdevctl.d/0000:00:02.0/4a3b2c1d-0000-4000-8000-000000000002"
kill "$gvtd_pid" "$bus_pid"; wait "$gvtd_pid" 2>/dev/null || true
start_private_gvtd "$gvtd" "$root"
ap=$((ap - 256)) hid=$((hid - 1024)) fen=$((fen - 8))
status "with a vGPU and an auto definition" 0 ctl --json plan GVTg_V5_8
expect "most _8 now" "$(most 8)" "$(min $((ap / 64)) $((hid / 384)) $((fen / 4)) 5)"
expect "most _4 now" "$(most 4)" "$(min $((ap / 128)) $((hid / 512)) $((fen / 4)) 5)"
status "3 x _4 now" 3 ctl plan 2xGVTg_V5_4 GVTg_V5_4

# Errors: usage (2) before any call, the daemon's refusals (1) with its message.
status "no vGPUs" 2 ctl plan
status "count 0" 2 ctl plan 0xGVTg_V5_4
status "count 65" 2 ctl plan 65xGVTg_V5_4
status "count without a type" 2 ctl plan 2x
status "unknown type" 1 ctl plan 2xGVTg_V5_9
grep -q "No parent offers type GVTg_V5_9" "$tmp/err" && ok "unknown type named" || fail "unknown type: $(cat "$tmp/err")"
status "unknown parent" 1 ctl plan --parent 0000:00:07.0 GVTg_V5_8
grep -q "No mdev parent 0000:00:07.0" "$tmp/err" && ok "unknown parent named" || fail "unknown parent: $(cat "$tmp/err")"
status "bad parent name" 1 ctl plan --parent ../x GVTg_V5_8
# Over D-Bus: a count of 0 and a bad type name get InvalidArgument.
bc() { busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager Plan 'a(su)s' "$@" 2>&1 || true; }
case $(bc 1 GVTg_V5_8 0 "") in *"1 to 64"*) ok "D-Bus: count 0 refused" ;; *) fail "D-Bus count 0: $(bc 1 GVTg_V5_8 0 "")" ;; esac
case $(bc 1 "a/b" 1 "") in *"type"*) ok "D-Bus: bad type name refused" ;; *) fail "D-Bus bad type: $(bc 1 a/b 1 "")" ;; esac
case $(bc 1 GVTg_V5_8 2 "") in "bba(sss)(sss)a(ssu) true true 2 "*) ok "D-Bus: Plan answers" ;; *) fail "D-Bus Plan: $(bc 1 GVTg_V5_8 2 "")" ;; esac
exit $rc
