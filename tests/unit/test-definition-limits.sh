#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Definitions are bounded by default and configurably ([Definitions] in
# gvtd.conf): in all, per owner other than root, and in size; a define past
# a bound is refused with the setting named and writes nothing. gvtd on a
# private bus and a scratch tree.
# usage: test-definition-limits.sh GVTD FAKE_SYSFS
set -eu
gvtd=$1 fake=$2
. "$(dirname "$0")/private-gvtd.sh"

"$fake" "$root" 0000:00:02.0 gvt_base >/dev/null
mkdir -p "$root/etc/gvtd"
printf '[Definitions]\nMaxDefinitions=4\nMaxDefinitionsPerOwner=2\nMaxDefinitionSize=400\n' >"$root/etc/gvtd/gvtd.conf"
start_private_gvtd "$gvtd" "$root"

rc=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; rc=1; }
# define UUID OWNER: no attributes
define() { busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager DefineVGPU ssssba\(ss\)b \
	"" gvt_base-GVTg_V5_4 "$1" "$2" false 0 false 2>&1; }
expect_contains() { case $2 in *"$3"*) ok "$1" ;; *) fail "$1: '$2' lacks '$3'" ;; esac; }
files() { find "$root/etc/mdevctl.d" -type f ! -name '.*' | wc -l; }
u() { printf '0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e%x' "$1"; }

expect_contains "alice's first" "$(define "$(u 1)" alice)" "s \"$(u 1)\""
expect_contains "alice's second" "$(define "$(u 2)" alice)" "s \"$(u 2)\""
expect_contains "alice's third: refused" "$(define "$(u 3)" alice)" "MaxDefinitionsPerOwner=2"
expect_contains "bob's first" "$(define "$(u 4)" bob)" "s \"$(u 4)\""
expect_contains "root's are not per-owner bounded" "$(define "$(u 5)" "")" "s \"$(u 5)\""
expect_contains "the fifth in all: refused" "$(define "$(u 6)" "")" "MaxDefinitions=4"
expect_contains "no file for the refused" "$(files)" "4"

busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager UndefineVGPU sb "$(u 5)" false >/dev/null
long=$(head -c 500 /dev/zero | tr '\0' x)
expect_contains "a definition of 500 bytes of attribute: refused" \
	"$(busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager DefineVGPU ssssba\(ss\)b \
	"" gvt_base-GVTg_V5_4 "$(u 7)" "" false 1 big "$long" false 2>&1)" "MaxDefinitionSize="
expect_contains "and not written" "$(files)" "3"
exit $rc
