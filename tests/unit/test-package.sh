#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The .debs the 'package' target built (tools/package): lintian found no
# errors, each package holds what a host needs, the maintainer scripts are
# debhelper's plus gvtd's purge of its state, and the build left nothing in
# the source tree.
#   test-package.sh SRCDIR PACKAGEDIR
set -u
src=$1 dir=$2
fails=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

version=$(sed -n "s/^[[:space:]]*version : '\([^']*\)',\$/\1/p" "$src/meson.build" | head -n 1)
arch=$(dpkg --print-architecture)
gvtd=$dir/gvtd_${version}_$arch.deb gvtctl=$dir/gvtctl_${version}_$arch.deb dkms=$dir/gvt-dkms_${version}_all.deb
cockpit=$dir/cockpit-gvt_${version}_all.deb
for d in "$gvtd" "$gvtctl" "$dkms" "$cockpit"; do
	[ -f "$d" ] || { echo "FAIL - no $d: did the 'package' target run?"; exit 1; }
done

check "lintian ran" test -f "$dir/lintian.log"
errors=$(grep '^E: ' "$dir/lintian.log")
check "lintian: no errors${errors:+: $errors}" test -z "$errors"

has() { dpkg-deb -c "$1" | awk '{print $6}' | grep -qx "./$2"; }
for f in usr/sbin/gvtd lib/systemd/system/gvtd.service lib/systemd/system/gvtd-api.socket \
	usr/share/dbus-1/system.d/org.gvtd1.conf usr/share/dbus-1/system-services/org.gvtd1.service \
	usr/share/polkit-1/actions/org.gvtd1.policy usr/lib/sysusers.d/gvtd.conf \
	usr/lib/tmpfiles.d/gvtd.conf etc/gvtd/gvtd.conf usr/share/man/man8/gvtd.8.gz \
	usr/lib/systemd/catalog/gvtd.catalog; do
	check "gvtd has /$f" has "$gvtd" "$f"
done
for f in usr/bin/gvtctl usr/share/bash-completion/completions/gvtctl usr/share/zsh/vendor-completions/_gvtctl \
	usr/share/man/man1/gvtctl.1.gz; do
	check "gvtctl has /$f" has "$gvtctl" "$f"
done
for f in manifest.json index.html gvt.js gvt.css; do
	check "cockpit-gvt has /usr/share/cockpit/gvt/$f" has "$cockpit" "usr/share/cockpit/gvt/$f"
done
check "cockpit-gvt depends on the bridge and the PatternFly it links (cockpit-system)" \
	test "$(dpkg-deb -f "$cockpit" Depends | grep -o 'cockpit-bridge\|cockpit-system' | tr '\n' ' ')" = "cockpit-bridge cockpit-system "
for f in "$src"/kmod/*.c "$src"/kmod/*.h "$src"/kmod/Kbuild "$src"/api/gvt_genl.h; do
	check "gvt-dkms has ${f##*/}" has "$dkms" "usr/src/gvt-$version/${f##*/}"
done
check "gvt-dkms has dkms.conf" has "$dkms" "usr/src/gvt-$version/dkms.conf"
check "only gvt-dkms has a dkms.conf" test -z "$(dpkg-deb -c "$gvtd" | grep dkms.conf; dpkg-deb -c "$gvtctl" | grep dkms.conf)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$dkms" "$tmp/dkms"
conf=$tmp/dkms/usr/src/gvt-$version/dkms.conf
check "dkms.conf carries the version" grep -qx "PACKAGE_VERSION=\"$version\"" "$conf"
check "dkms.conf names gvt_base and gvt_mdev" \
	test "$(sed -n 's/^BUILT_MODULE_NAME\[[01]\]="\(.*\)"$/\1/p' "$conf" | tr '\n' ' ')" = "gvt_base gvt_mdev "
dpkg-deb -e "$dkms" "$tmp/dkms-ctl"
check "gvt-dkms postinst builds with dkms" grep -q 'common.postinst' "$tmp/dkms-ctl/postinst"

dpkg-deb -x "$cockpit" "$tmp/cockpit"
check "cockpit-bridge takes the packaged page: gvt, menu entry vGPUs" \
	test "$(XDG_DATA_DIRS="$tmp/cockpit/usr/share" cockpit-bridge --packages | awk '$1 == "gvt" {print $2}')" = vGPUs

dpkg-deb -x "$gvtd" "$tmp/gvtd"
dpkg-deb -e "$gvtd" "$tmp/ctl"
exec_path=$(sed -n 's/^Exec=//p' "$tmp/gvtd/usr/share/dbus-1/system-services/org.gvtd1.service")
check "D-Bus activation runs the packaged daemon ($exec_path)" test -x "$tmp/gvtd$exec_path"
check "unit runs the packaged daemon" grep -qx "ExecStart=$exec_path" "$tmp/gvtd/lib/systemd/system/gvtd.service"
check "the configuration is a conffile" grep -qx /etc/gvtd/gvtd.conf "$tmp/ctl/conffiles"
check "postinst: sysusers (debhelper)" grep -q '^ *systemd-sysusers .* gvtd.conf' "$tmp/ctl/postinst"
check "postinst: tmpfiles (debhelper)" grep -q 'systemd-tmpfiles .*--create gvtd.conf' "$tmp/ctl/postinst"
check "postinst: starts both units under systemd (debhelper)" \
	grep -q "deb-systemd-invoke \$_dh_action 'gvtd-api.socket' 'gvtd.service'" "$tmp/ctl/postinst"
check "prerm: stops both units only under systemd" grep -q -- '-d /run/systemd/system' "$tmp/ctl/prerm"
check "postrm: purge removes /var/lib/gvtd" grep -qx '	rm -rf /var/lib/gvtd' "$tmp/ctl/postrm"
check "no script touches /etc/mdevctl.d" test -z "$(cat "$tmp"/ctl/*inst "$tmp"/ctl/*rm | grep -v '^[[:space:]]*#' | grep mdevctl)"

# The build ran on a copy: nothing of dpkg-buildpackage's in the tree or next to it.
left=$(find "$src" -maxdepth 2 \( -name '*.deb' -o -name '*.changes' -o -name '*.buildinfo' \
	-o -name 'obj-*' -o -path "$src/debian/.debhelper" -o -path "$src/debian/tmp" \
	-o -path "$src/debian/files" \) -not -path "$src/build/*" 2>/dev/null;
	ls "$src"/../gvtd_*.changes "$src"/../gvt*.deb 2>/dev/null)
check "no build output in or next to the source tree${left:+: $left}" test -z "$left"

echo "$fails failed"
[ $fails = 0 ]
