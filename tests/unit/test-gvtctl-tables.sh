#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gvtctl's tables (libsmartcols) against gvtd on a private bus and a scratch
# tree: -o/--output picks and orders columns by header or JSON key, in any
# case; --noheadings; --json under -o has exactly those keys; an unknown
# column or -o on a verb without a table is a usage error before any
# connection; on a terminal narrower than a table the truncatable columns
# are cut so each line fits (down to the headers' widths: 114 for list),
# and piped output is never cut.
# usage: test-gvtctl-tables.sh GVTD GVTCTL FAKE_SYSFS
set -eu
gvtd=$1 gvtctl=$2 fake=$3
. "$(dirname "$0")/private-gvtd.sh"

# -- usage errors come before connecting: no bus here
nobus=unix:path=$tmp/nothing
run 2 "$gvtctl" --bus-address=$nobus -o nope list
has err "nope" "unknown column: named"
has err "UUID" "unknown column: the columns there are listed"
run 2 "$gvtctl" --bus-address=$nobus -o uuid status
has err "Try 'gvtctl status --help'" "-o on a verb without a table: usage error"
run 2 "$gvtctl" --bus-address=$nobus --noheadings quota set bob --max-vgpus 1
has err "Try 'gvtctl quota --help'" "--noheadings on quota set: usage error"

# -- with gvtd
"$fake" "$root" >/dev/null
u1=7c000000-0000-4000-8000-00000000000c u2=7c000000-0000-4000-8000-00000000000d
fake_vgpu "$root" 0000:00:02.0 gvt_base-GVTg_V5_4 $u1
fake_vgpu "$root" 0000:00:02.0 gvt_base-GVTg_V5_8 $u2
start_private_gvtd "$gvtd" "$root"
ctl() { "$gvtctl" --bus-address="$address" "$@"; }

run 0 ctl -o state,UUID list
expect "-o: those columns in that order" "$(head -n1 "$tmp/out" | tr -s ' ')" "STATE UUID"
expect "-o: rows follow" "$(sed -n 2p "$tmp/out" | tr -s ' ')" "active $u1"
run 0 ctl --output=opened-by,Open_For,type list
expect "--output: '-' '_' ' ' and case are one" "$(head -n1 "$tmp/out" | tr -s ' ')" "OPENED BY OPEN FOR TYPE"
run 0 ctl list --output=uuid --noheadings
expect "--noheadings after the verb: only the rows" "$(cat "$tmp/out")" "$u1
$u2"
run 0 ctl -n -o name,fences types
expect "-n types: no header, the rows" "$(head -n1 "$tmp/out" | tr -s ' ')" "GVTg_V5_2 4"
run 0 ctl --json -o uuid,open_for list
expect "--json -o: exactly those keys, in order" \
	"$(python3 -c "import json; print([list(v) for v in json.load(open('$tmp/out'))])")" \
	"[['uuid', 'open_for'], ['uuid', 'open_for']]"
run 0 ctl --json list
expect "--json without -o: every column" \
	"$(python3 -c "import json; print(len(json.load(open('$tmp/out'))[0]))")" 8

# -- fitting: numeric columns right-aligned, a narrow terminal cuts the truncatable columns
run 0 ctl -o name,fences types
expect "numeric column right-aligned under its header" "$(head -n2 "$tmp/out" | awk '{ print length($0) }' | sort -u | wc -l)" 1
full=$(ctl list | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$full" -gt 120 ] && ok "piped: not cut ($full columns)" || fail "piped list only $full wide"
if command -v script >/dev/null; then
	for cols in 120 115; do
		script -qec "stty cols $cols; $gvtctl --bus-address=$address list" /dev/null >"$tmp/tty" </dev/null
		widest=$(tr -d '\r' <"$tmp/tty" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
		[ "$widest" -le "$cols" ] && ok "a $cols-column terminal: lines fit ($widest)" ||
			fail "a $cols-column terminal: a line of $widest: $(cat "$tmp/tty")"
		tr -d '\r' <"$tmp/tty" | grep -qF "$u1" && ok "a $cols-column terminal: the UUID is whole" ||
			fail "$cols columns: UUID cut: $(cat "$tmp/tty")"
	done
else
	fail "script(1) missing (util-linux): cannot test terminal fitting"
fi
exit $rc
