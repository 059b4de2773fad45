#!/bin/sh
# fake-syscalls.sh GVTD FAKE_SYSFS [N]: syscalls gvtd makes per D-Bus CreateVGPU+RemoveVGPU
# cycle against a scratch tree. The tree's create/remove are plain files, so this script
# plays the kernel: it makes the device after CreateVGPU and deletes it after RemoveVGPU.
# Prints gvtd's syscalls over N cycles and over an idle stretch of the same length
# (the 1 s poll timer, since the host has no udev), per cycle.
set -eu
gvtd=$1 fake=$2 n=${3:-50}
tmp=$(mktemp -d)
trap 'kill $gvtd_pid $bus_pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$fake" "$tmp/root" >/dev/null
dbus-daemon --session --fork --print-address=3 --print-pid=4 3>"$tmp/address" 4>"$tmp/pid"
bus_pid=$(cat "$tmp/pid"); address=$(head -n1 "$tmp/address")
"$gvtd" --root="$tmp/root" --bus-address="$address" --profile=sim --no-load 2>"$tmp/log" &
gvtd_pid=$!
for _ in $(seq 50); do busctl --address="$address" status org.gvtd1 >/dev/null 2>&1 && break; sleep 0.1; done
pdev=$tmp/root/sys/devices/pci0000:00/0000:00:02.0
cycle() {
	u=$(printf '0b9e3a49-83a8-4c4e-9b1b-%012x' "$1")
	busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager CreateVGPU sssb \
		0000:00:02.0 gvt_base-GVTg_V5_4 "$u" false >/dev/null
	mkdir "$pdev/$u"; : >"$pdev/$u/remove"
	ln -s ../mdev_supported_types/gvt_base-GVTg_V5_4 "$pdev/$u/mdev_type"
	ln -s "../../../devices/pci0000:00/0000:00:02.0/$u" "$tmp/root/sys/bus/mdev/devices/$u"
	busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager RemoveVGPU sb "$u" false >/dev/null
	rm -rf "$pdev/$u" "$tmp/root/sys/bus/mdev/devices/$u"
}
count() { # strace -c summary -> "calls per cycle: total, and the sysfs/creds ones"
	awk -v n="$n" '/^-+ / {sep++; next} sep==1 {c[$NF]=$4} /total$/ {t=$4}
	     END {printf "per cycle: total=%.0f openat=%.1f read=%.1f getdents64=%.1f readlink=%.1f ioctl=%.1f", t/n, c["openat"]/n, c["read"]/n, c["getdents64"]/n, c["readlink"]/n, c["ioctl"]/n}' "$1"
}
strace -c -f -p "$gvtd_pid" -o "$tmp/cyc" 2>/dev/null & s=$!; sleep 0.5
t0=$(date +%s.%N); i=0; while [ $i -lt "$n" ]; do cycle $i; i=$((i + 1)); done; t1=$(date +%s.%N)
kill -INT $s; wait $s 2>/dev/null || true
d=$(echo "$t1 - $t0" | bc)
strace -c -f -p "$gvtd_pid" -o "$tmp/idle" 2>/dev/null & s=$!; sleep "$d"; kill -INT $s; wait $s 2>/dev/null || true
echo "cycles=$n seconds=$d"
echo "busy: $(count "$tmp/cyc")"
echo "idle: $(count "$tmp/idle")"
grep -q . "$tmp/log" && grep -ci 'warn\|fail' "$tmp/log" | sed 's/^/log warnings: /'
