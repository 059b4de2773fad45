# SPDX-License-Identifier: GPL-2.0-only
# Shared by the gvtd VM tests (sourced by bash, inside the VM, as root).
src=${GVT_SRCDIR:-$PWD}
build=${GVT_BUILDDIR:-$PWD/build}
gvtd=$build/daemon/gvtd
gvtctl=$build/cli/gvtctl
kmod=$build/kmod
log=$(mktemp /tmp/gvtd-log.XXXXXX)
fails=0
failed=()
notes=()

ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); failed+=("$*"); }
# note TEXT: a detail worth seeing when the test fails (printed with the failures)
note() { echo "# $*"; notes+=("$*"); }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi; }
# expect_contains WHAT TEXT NEEDLE
expect_contains() { case $2 in *"$3"*) ok "$1" ;; *) fail "$1: '$2' lacks '$3'" ;; esac; }
# until_ok SECONDS CMD...: retry CMD every 0.1 s
until_ok() {
	local n=$(($1 * 10)); shift
	while [ $n -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
# hold_open UUID: keep the vGPU open as a VMM would (vfio-check hold);
# sets hold_word ("open" once it is) and holder (its pid). release_hold ends it.
hold_open() {
	coproc HOLD { exec "$build/tests/vm/kmod/vfio-check" hold "$1"; }
	read -r -t 20 hold_word holder <&"${HOLD[0]}"
}
release_hold() { kill "$holder"; wait "$HOLD_PID" 2>/dev/null; }
prop() { busctl --system get-property org.gvtd1 /org/gvtd1 org.gvtd1.Manager "$1" 2>/dev/null; }
stop_gvtd() { kill "$gvtd_pid" 2>/dev/null; wait "$gvtd_pid" 2>/dev/null; }
finish() {
	stop_gvtd
	[ $fails = 0 ] && { echo "all passed"; exit 0; }
	echo "--- gvtd log (tail)"; tail -n 120 "$log"
	# again after the log, so a runner that keeps only the last lines shows them
	[ ${#notes[@]} = 0 ] || { echo "--- notes:"; printf '# %s\n' "${notes[@]}"; }
	echo "--- failed:"; printf 'FAIL - %s\n' "${failed[@]}"
	echo "$fails failed"; exit 1
}

# A system bus with the project's policy, as on a host with gvtd installed.
start_system_bus() {
	mkdir -p /run/dbus /etc/dbus-1/system.d
	cp "$src/systemd/org.gvtd1.conf" /etc/dbus-1/system.d/
	dbus-daemon --system --fork || { echo "FAIL - dbus-daemon"; exit 1; }
}
# udev relays uevents to gvtd's monitor as on a real host.
start_udevd() {
	/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 || { echo "# no udevd: gvtd polls"; return 1; }
}
