# SPDX-License-Identifier: GPL-2.0-only
# Sourced (sh) by unit tests that talk to gvtd over D-Bus: a scratch tree's
# running vGPUs, and gvtd on a private bus of its own. The caller sets tmp
# and an EXIT trap that kills $gvtd_pid and $bus_pid.

# fake_vgpu ROOT PARENT TYPE UUID: a running vGPU of TYPE on PCI function PARENT
fake_vgpu() {
	dev=$1/sys/devices/pci0000:00/$2/$4
	mkdir -p "$dev"
	ln -s "../mdev_supported_types/$3" "$dev/mdev_type"
	ln -s "../../../devices/pci0000:00/$2/$4" "$1/sys/bus/mdev/devices/$4"
}

# start_private_gvtd GVTD ROOT: a private bus and gvtd (sim, modules not
# loaded) on ROOT; sets address, bus_pid and gvtd_pid; gvtd logs to $tmp/log.
start_private_gvtd() {
	dbus-daemon --session --fork --print-address=3 --print-pid=4 3>"$tmp/address" 4>"$tmp/pid"
	bus_pid=$(cat "$tmp/pid")
	address=$(head -n1 "$tmp/address")
	start_gvtd_on_bus "$1" "$2" "$tmp/log"
}

# start_gvtd_on_bus GVTD ROOT LOG: gvtd (again) on the bus at $address; sets
# gvtd_pid; waits up to 5 s for its name.
start_gvtd_on_bus() {
	"$1" --root="$2" --bus-address="$address" --profile=sim --no-load 2>"$3" &
	gvtd_pid=$!
	for _ in $(seq 50); do
		busctl --address="$address" status org.gvtd1 >/dev/null 2>&1 && break
		sleep 0.1
	done
}
