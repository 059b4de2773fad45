#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: gvt_mdev's "gvt" generic netlink family through a libnl
# client (genl-check.c): the GPU dump against kvmgt's accounting and the
# snapshot, the events of a create/open/reset/close/remove sequence in
# order, the per-vGPU counters, permissions, malformed requests; then two
# threads hammering BAR0 on two vGPUs while a third creates and removes
# vGPUs, with exact counters afterwards.  The harness fails the run on any
# kernel warning.
set -u
. "$(dirname "$0")/lib.sh"
bin=${GVT_BUILDDIR:-$PWD/build}/tests/vm/kmod
genl=$bin/genl-check
vfio_check=$bin/vfio-check
MIB=$((1 << 20))
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }

load_both gpus=2 || { fail "load"; finish; }
d=$(types_dir 0)

# Events, in order, for one vGPU's life.
"$genl" monitor 5 60 >/tmp/events &
mon=$!
for _ in $(seq 50); do grep -q ready /tmp/events 2>/dev/null && break; sleep 0.1; done
u=$(uuid)
expect "create" "$(write_attr "$u" "$d/gvt_base-GVTg_V5_4/create")" ok
id=$(cat "/sys/bus/mdev/devices/$u/intel_vgpu/vgpu_id")

# The GPU dump: identity and crc32 from golden_hw_state, free amounts from
# kvmgt's reservations (128 MiB / 384 MiB / 4 fences) and the one _4 vGPU.
golden=/sys/bus/platform/devices/gvt_base.0/golden_hw_state
crc=$(od -An -tx4 -j8 -N4 "$golden" | tr -d ' ')
size=$(stat -c %s "$golden")
want="gvt_base.0 8086 1912 06 $size $crc $((512 * MIB)) $(((512 - 128 - 128) * MIB))"
want+=" $(((4096 - 512) * MIB)) $(((4096 - 512 - 384 - 512) * MIB)) 32 $((32 - 4 - 4)) 1"
expect "GPU dump: gvt_base.0" "$("$genl" gpus | grep '^gvt_base.0 ')" "$want"
expect "GPU dump: two GPUs" "$("$genl" gpus | wc -l)" 2
expect "GPU dump as nobody" "$(nobody "$genl" gpus | wc -l)" 2

"$vfio_check" session "$u" >/tmp/session &
pid=$!
wait $pid || { fail "vfio-check session"; cat /tmp/session; }

v=$("$genl" vgpu "$u")
field() { echo "$v" | sed -n "s/^$1 //p"; }
expect "vGPU: uuid" "$(field uuid)" "$u"
expect "vGPU: gpu" "$(field gpu)" gvt_base.0
expect "vGPU: type" "$(field type)" gvt_base-GVTg_V5_4
expect "vGPU: id" "$(field id)" "$id"
expect "vGPU: aperture size" "$(field aperture_size)" $((128 * MIB))
expect "vGPU: hidden size" "$(field hidden_size)" $((512 * MIB))
expect "vGPU: fences" "$(field fences)" 4
expect "vGPU: counters (open, pid, cfg r/w, mmio r/w, resets)" \
	"$(field open_count) $(field opener_pid) $(field cfg_reads) $(field cfg_writes) $(field mmio_reads) $(field mmio_writes) $(field resets)" \
	"1 0 3 2 5 4 1"
expect "vGPU dump" "$("$genl" vgpus)" "$u"
expect "vGPU closed: opened_at 0" "$(field opened_at)" 0

echo 1 >"/sys/bus/mdev/devices/$u/remove"
wait $mon || fail "monitor saw fewer than 5 events"
t=gvt_base-GVTg_V5_4
expect "events in order" "$(grep -v ready /tmp/events)" "created $u $t $id
opened $u $t $id $pid
reset $u $t $id
closed $u $t $id $pid
removed $u $t $id"

# While open: when it was opened, in CLOCK_BOOTTIME ns (/proc/uptime counts
# the same clock, in 1/100 s), between the moments before and after the open.
boot_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
u2=$(uuid)
write_attr "$u2" "$d/gvt_base-GVTg_V5_4/create" >/dev/null
before=$(boot_cs)
"$vfio_check" hold "$u2" >/tmp/hold &
holder=$!
for _ in $(seq 100); do grep -q open /tmp/hold 2>/dev/null && break; sleep 0.1; done
after=$(($(boot_cs) + 1))
v=$("$genl" vgpu "$u2")
at=$(($(field opened_at) / 10000000))
[ "$at" -ge "$before" ] && [ "$at" -le "$after" ] && ok "vGPU open: opened_at ${at} cs, between $before and $after" ||
	fail "vGPU open: opened_at $(field opened_at) ns not between $before and $after cs"
expect "vGPU open: opener" "$(field opener_pid)" "$(sed -n 's/^open //p' /tmp/hold)"
kill "$holder"; wait "$holder" 2>/dev/null
v=$("$genl" vgpu "$u2")
expect "vGPU closed again: opened_at 0" "$(field opened_at)" 0
echo 1 >"/sys/bus/mdev/devices/$u2/remove"

# Permissions: per-vGPU details and events are CAP_NET_ADMIN's.
expect "vGPU dump as nobody" "$(nobody "$genl" vgpus)" "error: Operation not permitted"
expect "joining events as nobody" "$(nobody "$genl" monitor 1 1)" \
	"error: join: Operation not permitted"

# Malformed requests: -EINVAL with an extended-ack message, or a clean error.
m=$("$genl" malformed)
echo "$m"
line() { echo "$m" | sed -n "s/^$1: //p"; }
expect "3-byte uuid" "$(line "vgpu with a 3-byte uuid")" \
	"Invalid argument: GVT_GENL_A_VGPU_UUID is 16 bytes"
expect "missing uuid" "$(line "vgpu without uuid")" \
	"Invalid argument: GVT_GENL_A_VGPU_UUID is required"
expect "unknown uuid" "$(line "vgpu unknown uuid")" "No such device: no such vGPU"
expect "missing GPU name" "$(line "gpu without name")" \
	"Invalid argument: GVT_GENL_A_GPU_NAME is required"
expect "unknown GPU" "$(line "gpu unknown name")" "No such device: no such GPU"
case $(line "unknown command") in
accepted*) fail "an event command accepted as a request" ;;
*) ok "event command as a request refused" ;;
esac

# Concurrency: two threads on two vGPUs (one per GPU) while a third creates
# and removes 20 vGPUs on GPU 0; the counters match what the threads did.
h1=$(uuid) h2=$(uuid)
write_attr "$h1" "$d/gvt_base-GVTg_V5_4/create" >/dev/null
write_attr "$h2" "$(types_dir 1)/gvt_base-GVTg_V5_4/create" >/dev/null
"$vfio_check" hammer "$h1" "$h2" 20 "$d/gvt_base-GVTg_V5_8" >/tmp/hammer ||
	fail "vfio-check hammer"
grep -v '^[0-9a-f]\{8\}-' /tmp/hammer
while read -r h reads writes; do
	v=$("$genl" vgpu "$h")
	expect "hammered vGPU: mmio reads, writes, opens" \
		"$(field mmio_reads) $(field mmio_writes) $(field open_count)" "$reads $writes 1"
done < <(grep '^[0-9a-f]\{8\}-' /tmp/hammer)
expect "churn left nothing behind" "$(shown_types 0)" "$(check types 512 4)"
unload_all
expect "family gone after unload" "$("$genl" gpus 2>&1 | head -1)" \
	"error: family gvt: Object not found"
finish
