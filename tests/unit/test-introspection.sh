#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The running daemon's introspection matches api/*.xml, interface by interface.
# gvtd runs on a private bus against a scratch tree with one parent and one vGPU.
# usage: test-introspection.sh GVTD FAKE_SYSFS APIDIR
set -eu
gvtd=$1 fake=$2 api=$3
. "$(dirname "$0")/private-gvtd.sh"
"$fake" "$tmp/root" >/dev/null
fake_vgpu "$tmp/root" 0000:00:02.0 gvt_base-GVTg_V5_4 0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1
start_private_gvtd "$gvtd" "$tmp/root"

interface() { # FILE NAME: the interface element, whitespace-insensitive
	sed -n "/<interface name=\"$2\">/,/<\/interface>/p" "$1" | tr -d ' \t'
}
rc=0
check() { # OBJECT INTERFACE
	busctl --address="$address" introspect --xml-interface org.gvtd1 "$1" >"$tmp/live.xml"
	if [ -z "$(interface "$tmp/live.xml" "$2")" ] ||
	   ! interface "$api/$2.xml" "$2" | diff -u - "$(interface "$tmp/live.xml" "$2" >"$tmp/live.if"; echo "$tmp/live.if")"; then
		echo "FAIL: $2 on $1 differs from $api/$2.xml" >&2
		rc=1
	else
		echo "ok: $2"
	fi
}
check /org/gvtd1 org.gvtd1.Manager
check /org/gvtd1/vgpu/0b9e3a49_83a8_4c4e_9b1b_2f3c7ad2a5e1 org.gvtd1.VGPU
check /org/gvtd1/parent/0000_00_02_0 org.gvtd1.Parent
[ $rc = 0 ] || cat "$tmp/log" >&2
exit $rc
