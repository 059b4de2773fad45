#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM (with --spare-pci): install the .debs tools/package built
# (tests/vm/with-packages builds them first), as a user of a host would;
# DKMS builds the modules against Debian's headers; the sandbox tour runs
# from the installed files only; gvtctl's bash completion completes what
# gvtd has; remove and purge leave nothing behind but the user's
# /etc/mdevctl.d. Two worlds: the plain VM (no init system: a container's
# case, the maintainer scripts' systemctl calls are skipped) and the
# systemd profile (tests/vm/run --systemd: the postinst enables and starts
# gvtd.service, the prerm stops it), told apart by /run/systemd/system.
set -u
src=${GVT_SRCDIR:?}
debs=${GVT_PACKAGE_DIR:-${GVT_BUILDDIR:?}/package}
kver=$(uname -r)
fails=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi; }
expect_in() { case $2 in *"$3"*) ok "$1" ;; *) fail "$1: '$2' lacks '$3'" ;; esac; }
elapsed() { echo "# $1: $(($(date +%s) - t0)) s"; }

shopt -s nullglob
pkgs=("$debs"/gvtd_*.deb "$debs"/gvtctl_*.deb "$debs"/gvt-dkms_*.deb)
if [ ${#pkgs[@]} != 3 ]; then
	echo "FAIL - want one each of gvtd, gvtctl, gvt-dkms .deb in $debs, found: ${pkgs[*]:-none} (run tools/package)"
	exit 1
fi
shopt -u nullglob

# Where the packages put (or might leave) files, listed before and after.
places=(/etc /lib/systemd/system /usr/lib/sysusers.d /usr/lib/tmpfiles.d /usr/src
	/var/lib/dkms "/lib/modules/$kver/updates" /var/lib/gvtd /var/lib/systemd/deb-systemd-helper-enabled
	/usr/share/dbus-1 /usr/share/polkit-1/actions /usr/share/bash-completion/completions /usr/share/zsh/vendor-completions
	/usr/sbin /usr/bin /usr/share/doc/gvtd /usr/share/doc/gvtctl /usr/share/doc/gvt-dkms /run/gvtd)
snapshot() { find "${places[@]}" 2>/dev/null | LC_ALL=C sort; }
before=$(snapshot)

# debhelper's systemctl and deb-systemd-invoke snippets run only when
# /run/systemd/system exists.
sd=0
[ -d /run/systemd/system ] && sd=1
[ "$(readlink /proc/1/exe)" = /usr/lib/systemd/systemd ] || [ "$(readlink /proc/1/exe)" = /lib/systemd/systemd ]
expect "systemd is PID 1 exactly when /run/systemd/system says so" "$((1 - $?))" "$sd"
echo "# world: $([ $sd = 1 ] && echo "systemd as PID 1" || echo "no init system")"

# man-db's trigger reindexes every manual page at each install and remove:
# minutes under TCG, and nothing this test looks at (Debian's own CI images
# turn it off the same way).
rm -f /var/lib/man-db/auto-update

t0=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/tmp/apt-install.log 2>&1
status=$?
elapsed "apt-get install (DKMS build included)"
if [ $status != 0 ]; then
	cat /tmp/apt-install.log
	echo "FAIL - apt-get install exit $status"
	exit 1
fi
ok "apt-get install ./gvtd ./gvtctl ./gvt-dkms: exit 0"
for p in gvtd gvtctl gvt-dkms; do
	expect "$p installed" "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" "install ok installed"
done

# DKMS built both modules for this kernel, where modprobe finds them.
dkms_status=$(dkms status gvt 2>&1)
echo "# dkms status: $dkms_status"
case $dkms_status in *"$kver"*installed*) ok "dkms: gvt installed for $kver" ;; *) fail "dkms status: $dkms_status" ;; esac
for m in gvt_base gvt_mdev; do
	path=$(modinfo -n "$m" 2>/dev/null)
	case $path in
	"/lib/modules/$kver/updates/dkms/$m.ko"*) ok "modinfo finds $m at $path" ;;
	*) fail "modinfo -n $m: '$path', want /lib/modules/$kver/updates/dkms/$m.ko" ;;
	esac
done
check "the gvt group exists (sysusers)" getent group gvt
check "/var/lib/gvtd exists (tmpfiles)" test -d /var/lib/gvtd
check "the bus policy is the package's" test -f /usr/share/dbus-1/system.d/org.gvtd1.conf
check "no policy copied into /etc/dbus-1/system.d" test ! -e /etc/dbus-1/system.d/org.gvtd1.conf

# The tour, from the installed files: nothing of the build tree on PATH.
case :$PATH: in *"${GVT_BUILDDIR:-/nonexistent}"*) fail "PATH holds the build tree: $PATH" ;; esac
expect "gvtctl is the installed one" "$(command -v gvtctl)" /usr/bin/gvtctl
expect "gvtd is the installed one" "$(command -v gvtd)" /usr/sbin/gvtd
t0=$(date +%s)
if [ $sd = 0 ]; then
	GVT_SANDBOX_INSTALLED=1 "$src/tests/vm/test-sandbox-tour.sh"
	check "sandbox tour from the installed files" test $? = 0
else
	# The postinst enabled and started both units. Nothing GVT-capable is
	# here, so the default profile's modules fail and gvtd says so, running.
	expect "postinst enabled gvtd.service" "$(systemctl is-enabled gvtd.service)" enabled
	expect "postinst enabled gvtd-api.socket" "$(systemctl is-enabled gvtd-api.socket)" enabled
	expect "postinst started gvtd.service" "$(systemctl is-active gvtd.service)" active
	expect "postinst started gvtd-api.socket" "$(systemctl is-active gvtd-api.socket)" active
	expect "default profile: the modules failed" \
		"$(busctl --system get-property org.gvtd1 /org/gvtd1 org.gvtd1.Manager ModulesState 2>&1)" 's "failed"'
	# The operator picks the model (the conffile), and restarts.
	printf '[Modules]\nProfile=sim\nGvtBaseParameters=host=0000:00:02.0\n' >/etc/gvtd/gvtd.conf
	systemctl restart gvtd.service; expect "systemctl restart gvtd" $? 0
	expect "profile sim: the modules ready" \
		"$(busctl --system get-property org.gvtd1 /org/gvtd1 org.gvtd1.Manager ModulesState 2>&1)" 's "ready"'
	tour=$(gvtctl create --type gvt_base-GVTg_V5_4 2>&1)
	[ -e "/sys/bus/mdev/devices/$tour" ] && ok "tour: gvtctl create" || fail "tour: gvtctl create: $tour"
	expect_in "tour: gvtctl list shows it" "$(gvtctl list 2>&1)" "$tour"
	expect_in "tour: mdevctl lists it" "$(mdevctl list 2>&1)" "$tour 0000:00:02.0 gvt_base-GVTg_V5_4"
	expect_in "tour: REST lists it (socket-activated listener)" \
		"$(curl -sS --unix-socket /run/gvtd/api.sock http://gvtd/v1/vgpus 2>&1)" "\"$tour\""
	gvtctl remove "$tour"
	check "tour: gvtctl remove" test ! -e "/sys/bus/mdev/devices/$tour"
fi
elapsed "tour"

gvtd_pid=$(busctl --system status org.gvtd1 2>/dev/null | sed -n 's/^PID=//p')
expect "the daemon on the bus runs /usr/sbin/gvtd" "$(readlink "/proc/${gvtd_pid:-0}/exe" 2>/dev/null)" /usr/sbin/gvtd
# gvtd loaded the modules in its order, each step done.
steps=$(gvtctl --json modules | python3 -c '
import json, sys
print(" ".join(s["step"] + ":" + s["state"] for s in json.load(sys.stdin)))')
expect "load order, all done" "$steps" \
	"vfio:done vfio_iommu_type1:done mdev:done gvt_base:done snapshot:done gvt_mdev:done parents:done"
for m in gvt_base gvt_mdev; do check "$m is loaded" test -d "/sys/module/$m"; done

# Bash completion, as bash-completion loads it, driven like readline does.
uuid=$(gvtctl create --type gvt_base-GVTg_V5_8)
comp_out=$(bash -c '
source /usr/share/bash-completion/bash_completion
_completion_loader gvtctl
complete -p gvtctl >/dev/null || { echo "no completion for gvtctl"; exit 1; }
comp() {
	COMP_LINE="gvtctl $1"; COMP_POINT=${#COMP_LINE}
	read -ra COMP_WORDS <<<"$COMP_LINE"
	[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
	_gvtctl gvtctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	echo "$1|$(printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " ")"
}
comp ""; comp "cr"; comp "create --type "; comp "create --parent "; comp "types --parent "
comp "remove "; comp "create --"; comp "modules "; comp "quota "; comp "--"; comp "hostdev --"
' 2>&1)
echo "$comp_out" | sed 's/^/# completion: /'
reply() { sed -n "s/^$1|//p" <<<"$comp_out"; }
words() { printf '%s\n' "$@" | grep -v '^$' | LC_ALL=C sort | tr '\n' ' '; }
# Expected values come from gvtctl --help and sysfs, not from gvtd.
cmds=$(gvtctl --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
expect "commands complete (gvtctl --help's)" "$(reply "")" "$(words $cmds)"
expect "'cr' completes to create" "$(reply cr)" "create "
types=$(ls /sys/class/mdev_bus/*/mdev_supported_types/)
expect "--type completes the types in sysfs" "$(reply "create --type ")" "$(words $types)"
parents=$(ls /sys/class/mdev_bus/)
expect "--parent completes the parents in sysfs" "$(reply "create --parent ")" "$(words $parents)"
expect "types --parent too" "$(reply "types --parent ")" "$(words $parents)"
expect "remove completes the vGPU in sysfs" "$(reply "remove ")" "$(words $(ls /sys/bus/mdev/devices/))"
check "... which is the one just created" test -n "$uuid" -a -e "/sys/bus/mdev/devices/$uuid"
expect "create's options" "$(reply "create --")" "$(words --attr --help --json --owner --parent --type --uuid)"
expect "modules' subcommands" "$(reply "modules ")" "load unload "
expect "quota's subcommands" "$(reply "quota ")" "set show "
expect "global options" "$(reply "--")" "$(words --bus-address= --help --json --version)"
expect "hostdev's options (gvtctl hostdev --help's)" "$(reply "hostdev --")" \
	"$(words --help --json $(gvtctl hostdev --help | head -n1 | grep -o -E -- '--[a-z-]+' | grep -v -x -- --json))"
gvtctl remove "$uuid" >/dev/null
check "vGPU removed" test ! -e "/sys/bus/mdev/devices/$uuid"

# A definition of the user's, in mdevctl's directory: purge must keep it.
def=$(gvtctl define --type gvt_base-GVTg_V5_8)
def_file=$(ls /etc/mdevctl.d/*/"$def" 2>/dev/null)
check "a definition in /etc/mdevctl.d" test -n "$def_file"
# root's definitions get no owner record: a quota is state of gvtd's own.
gvtctl quota set alice --max-vgpus 2 >/dev/null
check "gvtd keeps state in /var/lib/gvtd" test -s /var/lib/gvtd/quotas.json

# Under systemd the prerm stops gvtd; without an init system nothing
# would, and the test stops it as its operator would. The modules stay
# loaded after gvtd (gvtd.8): unloaded by hand, as an operator removing
# the modules' package would.
if [ $sd = 0 ]; then
	kill "$gvtd_pid" 2>/dev/null
	for _ in $(seq 1 100); do [ -d "/proc/$gvtd_pid" ] || break; sleep 0.1; done
	check "gvtd stopped" test ! -d "/proc/$gvtd_pid"
	modprobe -r gvt_mdev gvt_base
	check "modules unloaded" test ! -d /sys/module/gvt_base
fi

t0=$(date +%s)
apt-get remove -y -q gvtd gvtctl gvt-dkms >/tmp/apt-remove.log 2>&1
status=$?
elapsed "apt-get remove"
[ $status = 0 ] && ok "apt-get remove: exit 0" || { fail "apt-get remove exit $status"; cat /tmp/apt-remove.log; }
check "no gvtd running" test -z "$(ps -eo comm= | grep -x gvtd)"
if [ $sd = 1 ]; then
	for u in gvtd.service gvtd-api.socket; do
		expect "prerm stopped $u" "$(systemctl is-active "$u")" inactive
	done
	expect "no gvtd unit loaded" "$(systemctl list-units --all --plain --no-legend 'gvtd*' | grep -v not-found)" ""
	# their files are gone with gvt-dkms: by name, not through modules.dep
	rmmod gvt_mdev gvt_base
	check "modules unloaded" test ! -d /sys/module/gvt_base
fi
for f in /usr/sbin/gvtd /usr/bin/gvtctl /usr/src/gvt-0.1.0 /lib/systemd/system/gvtd.service \
	/usr/share/bash-completion/completions/gvtctl /usr/share/zsh/vendor-completions/_gvtctl "/lib/modules/$kver/updates/dkms/gvt_base.ko"; do
	check "removed: $f" test ! -e "$f"
done
check "dkms knows no gvt" test -z "$(dkms status gvt 2>/dev/null)"
modinfo -n gvt_base >/dev/null 2>&1
expect "modprobe no longer finds gvt_base (modinfo's status)" "$?" 1
check "remove keeps the conffile /etc/gvtd/gvtd.conf" test -f /etc/gvtd/gvtd.conf
check "remove keeps /var/lib/gvtd" test -d /var/lib/gvtd

apt-get purge -y -q gvtd gvtctl gvt-dkms >/tmp/apt-purge.log 2>&1
status=$?
[ $status = 0 ] && ok "apt-get purge: exit 0" || { fail "apt-get purge exit $status"; cat /tmp/apt-purge.log; }
for p in gvtd gvtctl gvt-dkms; do
	check "$p gone from dpkg" test -z "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -v not-installed)"
done
check "purge removed /var/lib/gvtd" test ! -e /var/lib/gvtd
check "purge removed /etc/gvtd" test ! -e /etc/gvtd
check "purge kept the user's definition $def_file" test -f "$def_file"
# Nothing else is left: what is new since before the install is mdevctl's,
# and DKMS's own signing key (/var/lib/dkms/mok.*: made at its first build,
# machine-wide, signing every DKMS module; not gvt-dkms's to delete).
left=$(comm -13 <(echo "$before") <(snapshot) | grep -v -E '^/etc/mdevctl\.d|^/var/lib/dkms/mok\.(key|pub)$')
expect "no files left behind" "$left" ""

echo "$fails failed"
[ $fails = 0 ]
