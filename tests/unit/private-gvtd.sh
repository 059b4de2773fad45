# SPDX-License-Identifier: GPL-2.0-only
# Sourced (sh) by unit tests that talk to gvtd over D-Bus: a scratch tree's
# running vGPUs, and gvtd on a private bus of its own. Sourcing makes $tmp
# (with $root = $tmp/root in it, not created), removed on exit, when
# $gvtd_pid and $bus_pid are killed.
tmp=$(mktemp -d)
root=$tmp/root
gvtd_pid='' bus_pid=''
trap 'kill $gvtd_pid $bus_pid 2>/dev/null; rm -rf "$tmp"' EXIT

# Assertions: a line each; the test exits $rc (1 once any failed).
rc=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; rc=1; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi; }
# run WANT_STATUS CMD...: CMD's status must be WANT_STATUS; its stdout in $tmp/out, stderr in $tmp/err
run() { want=$1; shift; set +e; "$@" >"$tmp/out" 2>"$tmp/err"; got=$?; set -e
	[ "$got" = "$want" ] || fail "$*: exit $got, want $want ($(cat "$tmp/err"))"; }
# has out|err TEXT WHAT: the last run's stdout or stderr holds TEXT
has() { grep -qF -- "$2" "$tmp/$1" && ok "$3" || fail "$3: $1 lacks '$2': $(cat "$tmp/$1")"; }

# fake_vgpu ROOT PARENT TYPE UUID: a running vGPU of TYPE on PCI function PARENT
fake_vgpu() {
	dev=$1/sys/devices/pci0000:00/$2/$4
	mkdir -p "$dev"
	ln -s "../mdev_supported_types/$3" "$dev/mdev_type"
	ln -s "../../../devices/pci0000:00/$2/$4" "$1/sys/bus/mdev/devices/$4"
}

# start_private_gvtd GVTD ROOT [OPTION...]: a private bus and gvtd (sim,
# modules not loaded, then OPTIONs, e.g. another --profile) on ROOT; sets
# address, bus_pid and gvtd_pid; gvtd logs to $tmp/log.
start_private_gvtd() {
	dbus-daemon --session --fork --print-address=3 --print-pid=4 3>"$tmp/address" 4>"$tmp/pid"
	bus_pid=$(cat "$tmp/pid")
	address=$(head -n1 "$tmp/address")
	g=$1 r=$2
	shift 2
	start_gvtd_on_bus "$g" "$r" "$tmp/log" "$@"
}

# start_gvtd_on_bus GVTD ROOT LOG [OPTION...]: gvtd (again) on the bus at
# $address (sim, modules not loaded, then OPTIONs); sets gvtd_pid; waits up
# to 5 s for its name.
start_gvtd_on_bus() {
	g=$1 r=$2 l=$3
	shift 3
	"$g" --root="$r" --bus-address="$address" --profile=sim --no-load "$@" 2>"$l" &
	gvtd_pid=$!
	for _ in $(seq 50); do
		busctl --address="$address" status org.gvtd1 >/dev/null 2>&1 && break
		sleep 0.1
	done
}
