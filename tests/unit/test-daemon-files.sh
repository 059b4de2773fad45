#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# gvtd against what can lie in its files, end to end: a FIFO named like a
# definition does not hang the daemon at start and stays where it is, listed
# as a file gvtd cannot use; a quota
# limit above 2^63-1 is refused (D-Bus SetQuota and gvtctl) and never saved
# negative, so the next start keeps quotas.json. gvtd on a private bus and a
# scratch tree.
# usage: test-daemon-files.sh GVTD GVTCTL FAKE_SYSFS
set -eu
gvtd=$1 gvtctl=$2 fake=$3
. "$(dirname "$0")/private-gvtd.sh"
# -9: a gvtd hung in open() (the bug) never handles SIGTERM.
trap 'kill -9 $gvtd_pid 2>/dev/null; kill $bus_pid 2>/dev/null; rm -rf "$tmp"' EXIT

"$fake" "$root" 0000:00:02.0 gvt_base >/dev/null
defs=$root/etc/mdevctl.d/0000:00:02.0
u=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1
mkdir -p "$defs"
mkfifo "$defs/$u"
start_private_gvtd "$gvtd" "$root"

rc=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; rc=1; }
expect_contains() { case $2 in *"$3"*) ok "$1" ;; *) fail "$1: '$2' lacks '$3'" ;; esac; }
call() { timeout 10 busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager "$@" 2>&1 || true; }

# Before the fix gvtd hung in open() at start: the bus name never appeared.
expect_contains "answers with a FIFO among the definitions" "$(call ListDefinitions)" "a(sssbbsa(ss)) 0"
[ $rc -eq 0 ] || exit $rc  # hung: nothing else would answer either
[ -p "$defs/$u" ] && ok "the FIFO stays where it is" || fail "the FIFO is gone: $(ls -a "$defs")"
case $(ls -a "$defs") in *corrupt*) fail "something set aside: $(ls -a "$defs")" ;; *) ok "nothing set aside" ;; esac
expect_contains "listed with the reason" "$(call ListUnreadableDefinitions)" "\"$u\" \"0000:00:02.0\" \"$defs/$u\" \"not a regular file\""
expect_contains "and logged" "$(cat "$tmp/log")" "not a regular file"

expect_contains "SetQuota 2^64-1: refused" "$(call SetQuota sa{st}b alice 1 vgpus 18446744073709551615 false)" \
	"is too large"
expect_contains "gvtctl too" \
	"$("$gvtctl" --bus-address="$address" quota set alice --max-vgpus=18446744073709551615 2>&1 || true)" \
	"is too large"
expect_contains "2^63-1 is taken" "$(call SetQuota sa{st}b alice 1 vgpus 9223372036854775807 false)" ""
q=$root/var/lib/gvtd/quotas.json
expect_contains "saved as it was given" "$(cat "$q")" '"vgpus": 9223372036854775807'
case $(cat "$q") in *-*) fail "a negative number in quotas.json" ;; *) ok "no negative number" ;; esac

kill "$gvtd_pid"
wait "$gvtd_pid" 2>/dev/null || true
start_gvtd_on_bus "$gvtd" "$root" "$tmp/log2"
expect_contains "after a restart the limit is there" "$(call ListQuotas)" "vgpus\" 9223372036854775807"
[ -e "$q" ] && ok "quotas.json not set aside" || fail "quotas.json set aside: $(ls -a "$(dirname "$q")")"
exit $rc
