#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gvtd.service mounts the file system read-only (ProtectSystem=strict): every
# directory gvtd writes must be made writable by the unit, and the ones it
# does not create itself must exist before it starts (tmpfiles.d); the
# capabilities its code needs must be in the bounding set.
#   test-service-sandbox.sh BUILT-gvtd.service gvtd.tmpfiles
set -u
unit=$1 tmpfiles=$2
fails=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
val() { sed -n "s/^$1=//p" "$unit" | tr '\n' ' '; }

[ "$(val ProtectSystem)" = "strict " ] || { echo "SKIP: not ProtectSystem=strict"; exit 77; }
# Where gvtd writes (daemon/*.c: MDEVCTL_DIR, OWNERS_DIR/quotas, the API socket).
for dir in /etc/mdevctl.d /var/lib/gvtd /run/gvtd; do
	case " $(val ReadWritePaths)" in *" $dir "* | *" -$dir "*) ok "$dir in ReadWritePaths"; continue ;; esac
	case $dir in
	/var/lib/*) [ "$(val StateDirectory)" = "${dir#/var/lib/} " ] && ok "$dir is the StateDirectory" && continue ;;
	/run/*) [ "$(val RuntimeDirectory)" = "${dir#/run/} " ] && ok "$dir is the RuntimeDirectory" && continue ;;
	esac
	fail "$dir is read-only for gvtd under ProtectSystem=strict"
done
# A ReadWritePaths= entry that does not exist makes the unit fail to start.
for dir in $(val ReadWritePaths); do
	case $dir in -*) continue ;; esac
	grep -Eq "^d[[:space:]]+$dir[[:space:]]" "$tmpfiles" && ok "tmpfiles.d makes $dir" ||
		fail "$dir must exist before gvtd starts: no 'd $dir' in $(basename "$tmpfiles")"
done
# Capabilities gvtd's code needs (daemon/modules.c, sysfs.c, openers.c).
for cap in CAP_SYS_MODULE CAP_SYS_ADMIN CAP_NET_ADMIN; do
	case " $(val CapabilityBoundingSet)" in *" $cap "*) ok "$cap in CapabilityBoundingSet" ;;
	*) fail "$cap missing from CapabilityBoundingSet" ;; esac
done
exit $((fails > 0))
