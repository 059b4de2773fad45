# SPDX-License-Identifier: GPL-2.0-only
# Shared by the harness's own tests (sourced, bash): check, a scratch
# directory $tmp removed at exit, and finish.
set -u
fails=0
check() {	# check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "ok   - $1"
	else
		echo "FAIL - $1: expected '$2', got '$3'"
		fails=$((fails + 1))
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
finish() {
	echo "$fails failed"
	[ $fails = 0 ]
}
