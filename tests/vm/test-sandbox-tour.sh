#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM (with --spare-pci): the README's main job, in its no-terminal
# form, brings the stack up and its tour works end to end.
set -u
out=$("$GVT_SRCDIR/tools/sandbox-guest" </dev/null 2>&1)
status=$?
printf '%s\n' "$out"
fails=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
[ $status = 0 ] && ok "tour exit status 0" || fail "tour exit status $status"
grep -q "gvtd is on the bus as org.gvtd1" <<<"$out" && ok "gvtd on the bus" || fail "gvtd not on the bus"
grep -q "^0000:00:02.0  gvt_base" <<<"$out" && ok "parent at 0000:00:02.0" || fail "no parent at 0000:00:02.0"
uuid=$(grep -E -m1 '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' <<<"$out")
[ -n "$uuid" ] && ok "create printed a UUID" || fail "create printed no UUID"
[ -n "$uuid" ] && grep -q "^$uuid 0000:00:02.0 gvt_base-GVTg_V5_4" <<<"$out" &&
	ok "mdevctl lists the vGPU gvtd created" || fail "mdevctl does not list $uuid"
[ -n "$uuid" ] && grep -q "\"uuid\": *\"$uuid\"" <<<"$out" &&
	ok "REST lists the vGPU" || fail "REST does not list $uuid"
[ ! -e "/sys/bus/mdev/devices/$uuid" ] && ok "vGPU removed at the end" || fail "vGPU still there"
echo "$fails failed"
[ $fails = 0 ]
