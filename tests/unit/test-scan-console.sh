#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The VM console scanner against sample logs with and without kernel faults.
#   test-scan-console.sh SCANNER SAMPLES-DIR
scan=$1 dir=$2
fails=0
expect() {	# expect STATUS FILE
	"$scan" "$dir/$2" >/dev/null 2>&1
	st=$?
	if [ "$st" = "$1" ]; then echo "ok   - $2 -> $st"
	else echo "FAIL - $2: expected $1, got $st"; fails=$((fails + 1)); fi
}
expect 0 clean-boot.log
expect 0 harmless-words.log
expect 1 warning.log
expect 1 bug.log
expect 1 oops.log
expect 1 gpf.log
expect 1 call-trace-only.log
expect 2 does-not-exist.log
[ $fails = 0 ]
