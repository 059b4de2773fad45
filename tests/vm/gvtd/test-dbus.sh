#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: gvtd on a real system dbus-daemon with the project's bus
# policy and the real modules. Load order (and the kernel refusing the wrong
# one), create/list/remove through busctl and gvtctl, ObjectManager signals,
# uevent sync after mdevctl and plain sysfs writes, the capacity error naming
# the resource, bad input, a vGPU removed behind gvtd's back, a module that
# fails to load, a non-root caller, the bus going away, and the capacity
# planner against what the kernel creates.
set -u
. "$(dirname "$0")/lib.sh"

mgr() { busctl --system "$@"; }
modules_state_is() { [ "$(prop ModulesState)" = "s \"$1\"" ]; }
listed() { "$gvtctl" list | grep -q "^$1 "; }
not_listed() { ! listed "$1"; }
# call_error METHOD SIG ARGS...: the D-Bus error name and message of a failing call
call_error() {
	local m=$1; shift
	busctl --system call org.gvtd1 /org/gvtd1 org.gvtd1.Manager "$m" "$@" 2>&1 >/dev/null
}
start_gvtd() {
	"$gvtd" "$@" >>"$log" 2>&1 &
	gvtd_pid=$!
	until_ok 20 mgr status org.gvtd1
}

start_system_bus
start_udevd && ok "systemd-udevd started"

# -- the kernel refuses the wrong order: gvt_mdev needs gvt_base's symbols
modprobe vfio_iommu_type1; modprobe mdev
if insmod "$kmod/gvt_mdev.ko" 2>/dev/null; then
	fail "gvt_mdev loaded without gvt_base"; rmmod gvt_mdev
else
	ok "gvt_mdev refused without gvt_base"
fi

# -- a module that fails to load: the daemon says why and keeps running
start_gvtd --profile=sim --module-dir=/nonexistent || fail "gvtd started"
until_ok 10 modules_state_is failed && ok "bad module dir: state failed" || fail "bad module dir: state $(prop ModulesState)"
expect_contains "bad module dir: reason names the file" "$(prop ModulesError)" "/nonexistent/gvt_base.ko"
expect_contains "LoadModules reports ModuleFailure" "$(call_error LoadModules b false)" "/nonexistent/gvt_base.ko"
expect "gvtctl modules load exits 1" "$("$gvtctl" modules load 2>/dev/null; echo $?)" 1
kill -0 "$gvtd_pid" && ok "gvtd still running" || fail "gvtd died"
# the doctor on purpose-made states: the failed load, a definition whose parent is gone
doc_state() { "$gvtctl" --json doctor | python3 -c "import json,sys; print([c['state'] for c in json.load(sys.stdin) if c['check'] == '$1'][0])"; }
expect "doctor: the failed load order" "$(doc_state load-order)" fail
expect "doctor exits 3 on a failing check" "$("$gvtctl" doctor >/dev/null 2>&1; echo $?)" 3
expect "doctor: vfio_iommu_type1 and mdev for this kernel" "$(doc_state kernel-modules)" ok
stop_gvtd

# -- the real load order
start_gvtd --profile=sim --module-dir="$kmod" || fail "gvtd started"
until_ok 60 modules_state_is ready && ok "modules ready" || fail "modules state $(prop ModulesState): $(prop ModulesError)"
steps=$("$gvtctl" modules | awk 'NR > 1 { printf "%s:%s ", $1, $3 }')
expect "load order" "$steps" "vfio:done vfio_iommu_type1:done mdev:done gvt_base:done snapshot:done gvt_mdev:done parents:done "
[ -d /sys/module/gvt_base ] && [ -d /sys/module/gvt_mdev ] && ok "modules in the kernel" || fail "modules missing"
expect "doctor once loaded: load order, snapshot, aperture" "$(doc_state load-order) $(doc_state snapshot) $(doc_state aperture)" "ok ok ok"

parent=$(ls /sys/class/mdev_bus | head -n1)
type=$(ls "/sys/class/mdev_bus/$parent/mdev_supported_types" | grep '_4$')
expect "gvtctl parents" "$("$gvtctl" --json parents | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["parent"])')" "$parent"
avail=$(cat "/sys/class/mdev_bus/$parent/mdev_supported_types/$type/available_instances")
expect "gvtctl types shows sysfs availability" \
	"$("$gvtctl" --json types --parent "$parent" | python3 -c "import json,sys; print([t['available'] for t in json.load(sys.stdin) if t['type']=='$type'][0])")" "$avail"

# -- ObjectManager signals while we work
gdbus monitor --system --dest org.gvtd1 >/tmp/signals 2>&1 &
mon=$!
# gdbus subscribes before it asks who owns the name: once it prints the
# owner, its match rule is in place (a fixed sleep could lose a signal).
until_ok 20 grep -q "is owned by" /tmp/signals || fail "gdbus monitor never started: $(cat /tmp/signals)"

# -- create/list/remove through busctl
u1=$(cat /proc/sys/kernel/random/uuid)
out=$(mgr call org.gvtd1 /org/gvtd1 org.gvtd1.Manager CreateVGPU sssb "$parent" "$type" "$u1" false)
p1=/org/gvtd1/vgpu/${u1//-/_}
expect "busctl create returns the path" "$out" "os \"$p1\" \"$u1\""
[ -e "/sys/bus/mdev/devices/$u1" ] && ok "vGPU in sysfs" || fail "vGPU not in sysfs"
expect "VGPU.Type" "$(mgr get-property org.gvtd1 "$p1" org.gvtd1.VGPU Type)" "s \"$type\""
listed "$u1" && ok "gvtctl list shows it" || fail "gvtctl list misses it"
expect "CreateVGPU retried: the same vGPU" \
	"$(mgr call org.gvtd1 /org/gvtd1 org.gvtd1.Manager CreateVGPU sssb "$parent" "$type" "$u1" false)" "$out"
other=$(ls "/sys/class/mdev_bus/$parent/mdev_supported_types" | grep '_8$')
expect_contains "CreateVGPU, same UUID, other type: AlreadyExists" \
	"$(call_error CreateVGPU sssb "$parent" "$other" "$u1" false)" "not the one asked for"
mgr call org.gvtd1 /org/gvtd1 org.gvtd1.Manager RemoveVGPU sb "$u1" false && ok "busctl remove" || fail "busctl remove"
[ ! -e "/sys/bus/mdev/devices/$u1" ] && ok "vGPU gone from sysfs" || fail "vGPU still in sysfs"

# -- and through gvtctl
u2=$("$gvtctl" create --type "$type")
[ -e "/sys/bus/mdev/devices/$u2" ] && ok "gvtctl create" || fail "gvtctl create: '$u2'"
expect "gvtctl --json list" "$("$gvtctl" --json list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["uuid"])')" "$u2"
"$gvtctl" remove "$u2" && ok "gvtctl remove" || fail "gvtctl remove"

# Wait for the last signal asserted on (each arrives in order) rather than a fixed time.
until_ok 10 grep -q "InterfacesRemoved (objectpath '$p1'" /tmp/signals
kill $mon
grep -q "InterfacesAdded ($p1" /tmp/signals 2>/dev/null || grep -q "InterfacesAdded (objectpath '$p1'" /tmp/signals
[ $? = 0 ] && ok "InterfacesAdded for the create" || fail "no InterfacesAdded: $(head -c 600 /tmp/signals)"
grep -q "InterfacesRemoved (objectpath '$p1'" /tmp/signals && ok "InterfacesRemoved for the remove" || fail "no InterfacesRemoved"
grep -q "VGPUAdded (objectpath '$p1'" /tmp/signals && ok "VGPUAdded signal" || fail "no VGPUAdded"

# -- uevent sync: vGPUs made and removed behind gvtd's back
u3=$(cat /proc/sys/kernel/random/uuid)
echo "$u3" >"/sys/class/mdev_bus/$parent/mdev_supported_types/$type/create"
until_ok 2 listed "$u3" && ok "plain sysfs create seen" || fail "plain sysfs create not seen"
echo 1 >"/sys/bus/mdev/devices/$u3/remove"
until_ok 2 not_listed "$u3" && ok "plain sysfs remove seen" || fail "plain sysfs remove not seen"
if command -v mdevctl >/dev/null; then
	u4=$(cat /proc/sys/kernel/random/uuid)
	mdevctl start -u "$u4" -p "$parent" -t "$type" && until_ok 2 listed "$u4" && ok "mdevctl start seen" || fail "mdevctl start not seen"
	mdevctl stop -u "$u4" && until_ok 2 not_listed "$u4" && ok "mdevctl stop seen" || fail "mdevctl stop not seen"
fi

# -- removed behind gvtd's back in the middle: a clear NotFound, state true to sysfs
u5=$("$gvtctl" create --type "$type" --parent "$parent")
echo 1 >"/sys/bus/mdev/devices/$u5/remove"
expect_contains "remove of a vanished vGPU" "$(call_error RemoveVGPU sb "$u5" false)" "No vGPU $u5"

# -- capacity: fill the type, the next create names the resource
big=$(ls "/sys/class/mdev_bus/$parent/mdev_supported_types" | grep '_2$')
made=()
while [ "$(cat "/sys/class/mdev_bus/$parent/mdev_supported_types/$big/available_instances")" -gt 0 ]; do
	made+=("$("$gvtctl" create --type "$big")")
done
err=$("$gvtctl" create --type "$big" 2>&1); rc=$?
expect "create beyond capacity exits 1" "$rc" 1
expect_contains "capacity error names the resource" "$err" "out of aperture"
expect_contains "D-Bus error is NoCapacity" "$(call_error CreateVGPU sssb "$parent" "$big" "" false)" "No capacity"

# -- unloading is refused while vGPUs exist
expect_contains "unload refused with vGPUs" "$(call_error UnloadModules b false)" "remove them before unloading"
for u in "${made[@]}"; do "$gvtctl" remove "$u"; done

# -- a vGPU a VMM holds open: gvtd knows who (gvt genl family), refuses to
# remove it instead of blocking in the kernel, and learns it again after a restart
u8=$("$gvtctl" create --type "$type")
p8=/org/gvtd1/vgpu/${u8//-/_}
expect "not open: OpenedBy 0" "$(mgr get-property org.gvtd1 "$p8" org.gvtd1.VGPU OpenedBy)" "u 0"
hold_open "$u8"
expect "vfio-check holds the vGPU open" "$hold_word" open
opened_by() { [ "$(mgr get-property org.gvtd1 "$p8" org.gvtd1.VGPU OpenedBy)" = "u $holder" ]; }
until_ok 5 opened_by && ok "OpenedBy is the holder's pid" || fail "OpenedBy: $(mgr get-property org.gvtd1 "$p8" org.gvtd1.VGPU OpenedBy), want $holder"
start=$(date +%s)
err=$("$gvtctl" remove "$u8" 2>&1); rc=$?
expect "remove of an open vGPU exits 1" "$rc" 1
expect_contains "remove refused naming the process" "$err" "is open by process $holder (vfio-check)"
expect_contains "D-Bus error is Busy" "$(call_error RemoveVGPU sb "$u8" false)" "is open by process $holder"
[ $(($(date +%s) - start)) -lt 10 ] && ok "refused at once, not held by the kernel" || fail "remove took $(($(date +%s) - start)) s"
[ -e "/sys/bus/mdev/devices/$u8" ] && ok "open vGPU still there" || fail "open vGPU gone"
stop_gvtd
start_gvtd --profile=sim --module-dir="$kmod" || fail "gvtd restarted"
until_ok 10 opened_by && ok "after a restart: OpenedBy from the kernel's dump" || fail "after a restart: OpenedBy $(mgr get-property org.gvtd1 "$p8" org.gvtd1.VGPU OpenedBy)"
release_hold
closed() { [ "$(mgr get-property org.gvtd1 "$p8" org.gvtd1.VGPU OpenedBy)" = "u 0" ]; }
until_ok 5 closed && ok "closed: OpenedBy 0" || fail "closed: OpenedBy $(mgr get-property org.gvtd1 "$p8" org.gvtd1.VGPU OpenedBy)"
"$gvtctl" remove "$u8" && ok "remove once closed" || fail "remove once closed"

# -- bad input: each refused with a reason, nothing created
before=$(ls /sys/bus/mdev/devices | wc -l)
long=$(printf 'a%.0s' $(seq 300))
for args in "$parent|$type|not-a-uuid" "$parent|$type|0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e" \
	"../..|$type|" "/|$type|" "$parent|../../../etc|" "$parent|$type/../x|" "$long|$type|" "$parent|$long|" \
	"0000:00:99.0|$type|" "$parent|GVTg_V5_3|"; do
	IFS='|' read -r p t u <<<"$args"
	err=$(call_error CreateVGPU sssb "$p" "$t" "$u" false)
	case $err in
	*"Invalid"*|*"No mdev parent"*|*"has no type"*|*"No parent offers"*) ok "refused: ${args:0:60}" ;;
	*) fail "bad input ${args:0:60}: '$err'" ;;
	esac
done
expect "nothing created by bad input" "$(ls /sys/bus/mdev/devices | wc -l)" "$before"
expect "gvtctl usage error exits 2" "$("$gvtctl" create 2>/dev/null; echo $?)" 2

# -- a caller neither root nor in the group may read, not change
expect "nobody may list" "$(setpriv --reuid=65534 --regid=65534 --clear-groups "$gvtctl" list >/dev/null 2>&1; echo $?)" 0
err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$gvtctl" create --type "$type" 2>&1)
expect_contains "nobody may not create" "$err" "Only root and members of group"

# -- a member of group gvt by a supplementary group (usermod -aG) may change,
# also when polkit is asked first and cannot decide (no policy installed)
groupadd -g 4242 gvt 2>/dev/null
useradd -u 4244 -G gvt -M carol 2>/dev/null
u7=$(setpriv --reuid=4244 --regid=4244 --init-groups "$gvtctl" create --type "$type" 2>&1)
[ -e "/sys/bus/mdev/devices/$u7" ] && ok "carol (group gvt) may create" || fail "carol (group gvt) refused: $u7"
setpriv --reuid=4244 --regid=4244 --init-groups "$gvtctl" remove "$u7" && ok "carol may remove" || fail "carol remove"

# -- the bus goes away and comes back: gvtd reconnects and keeps its state
u6=$("$gvtctl" create --type "$type")
kill "$(cat /run/dbus/pid)"; rm -f /run/dbus/pid /run/dbus/system_bus_socket
sleep 3 # longer than gvtd's retry interval: the first retry finds no bus
dbus-daemon --system --fork
until_ok 10 mgr status org.gvtd1 && ok "gvtd back on the new bus" || fail "gvtd did not reconnect"
listed "$u6" && ok "state kept across the bus restart" || fail "vGPU lost after bus restart"
"$gvtctl" remove "$u6"

# -- the planner agrees with the kernel: the most of each type gvtctl plan
# names is what the modules create before ENOSPC, and a mix it says does
# not fit fails at the vGPU it names
pdir=/sys/class/mdev_bus/$(ls /sys/class/mdev_bus | head -n1)/mdev_supported_types
no_vgpus() { [ -z "$("$gvtctl" list | tail -n +2)" ]; }
no_fit() { "$gvtctl" plan "$1" >/dev/null 2>&1; [ $? = 3 ]; }
for t in $(ls "$pdir"); do
	# gvtd learns of sysfs writes by uevent: let it see the last round's removals
	until_ok 10 no_vgpus || fail "plan: vGPUs left before $t: $("$gvtctl" list)"
	most=$("$gvtctl" --json plan "$t" | python3 -c "import json,sys; j=json.load(sys.stdin); print(j['exact'], [m['most'] for m in j['most'] if m['type'] == '$t'][0])")
	made=() r=ok
	while [ "$r" = ok ]; do
		u=$(cat /proc/sys/kernel/random/uuid)
		if echo "$u" >"$pdir/$t/create" 2>/dev/null; then made+=("$u"); else r=no; fi
		[ ${#made[@]} -gt 16 ] && break
	done
	expect "plan: the most of $t (exact) = what the kernel creates" "$most" "True ${#made[@]}"
	until_ok 10 no_fit "$t" && ok "plan with $t full: does not fit (exit 3)" || fail "plan with $t full: exit $("$gvtctl" plan "$t" >/dev/null 2>&1; echo $?)"
	for u in "${made[@]}"; do echo 1 >"/sys/bus/mdev/devices/$u/remove"; done
done

# -- mdevctl's callouts: one recording script (and notifier), driven by the
# real mdevctl and by gvtd, is called the same way (the UUID aside); a pre
# that fails vetoes both (docs/callouts.md)
co=/etc/mdevctl.d/scripts.d/callouts notifiers=/etc/mdevctl.d/scripts.d/notifiers
rec=/tmp/callouts
mkdir -p "$co" "$notifiers" "$rec"
cat >"$co/50-record" <<SCRIPT
#!/bin/sh
n=\$(( \$(cat $rec/calls 2>/dev/null | wc -l) + 1 ))
echo "\$*" >>$rec/calls
cat >$rec/stdin.\$n
case "\$*" in *"-e pre"*) [ -e $rec/veto ] && { echo "refused by the test's policy" >&2; exit 1; } ;; esac
exit 0
SCRIPT
chmod +x "$co/50-record"
cp "$co/50-record" "$notifiers/50-record"
# calls UUID: what the scripts saw (mdevctl 1.3+ also asks "get"), UUID replaced; their stdin as sorted JSON
calls() {
	local n=0 line
	while read -r line; do
		n=$((n + 1))
		case $line in *"-e get"*) continue ;; esac
		echo "${line//$1/UUID} $(python3 -c 'import json,sys; s=sys.stdin.read(); print(json.dumps(json.loads(s), sort_keys=True) if s.strip() else "-")' <"$rec/stdin.$n")"
	done <"$rec/calls"
	rm -f "$rec"/calls "$rec"/stdin.*
}
um=$(cat /proc/sys/kernel/random/uuid) ug=$(cat /proc/sys/kernel/random/uuid)
mdevctl start -p "$parent" -t "$type" -u "$um" && mdevctl stop -u "$um" || fail "callouts: mdevctl start/stop"
mdevctl define -p "$parent" -t "$type" -u "$um" && mdevctl undefine -u "$um" || fail "callouts: mdevctl define/undefine"
by_mdevctl=$(calls "$um")
"$gvtctl" create --type "$type" --parent "$parent" --uuid "$ug" >/dev/null && "$gvtctl" remove "$ug" ||
	fail "callouts: gvtctl create/remove"
"$gvtctl" define --type "$type" --parent "$parent" --uuid "$ug" >/dev/null && "$gvtctl" undefine "$ug" ||
	fail "callouts: gvtctl define/undefine"
by_gvtd=$(calls "$ug")
note "callouts seen under mdevctl:"$'\n'"$by_mdevctl"
expect "callouts: gvtd calls them as mdevctl does" "$by_gvtd" "$by_mdevctl"
expect_contains "callouts: mdevctl's pre-start" "$by_mdevctl" "-t $type -e pre -a start -s none -u UUID -p $parent"
expect_contains "callouts: mdevctl's notify" "$by_mdevctl" "-t $type -e notify -a stop -s success -u UUID -p $parent"
touch "$rec/veto"
mdevctl start -p "$parent" -t "$type" -u "$um" 2>/dev/null && fail "callouts: mdevctl start not vetoed" ||
	ok "callouts: mdevctl start vetoed"
by_mdevctl=$(calls "$um")
err=$(call_error CreateVGPU sssb "$parent" "$type" "$ug" false)
expect_contains "callouts: gvtd's create vetoed" "$err" \
	"Callout $co/50-record vetoed the start of $ug (exit status 1: refused by the test's policy)"
expect "callouts: the veto's calls alike" "$(calls "$ug")" "$by_mdevctl"
[ -e "/sys/bus/mdev/devices/$um" ] || [ -e "/sys/bus/mdev/devices/$ug" ] && fail "callouts: a vetoed vGPU exists" ||
	ok "callouts: nothing created when vetoed"
rm -rf "$co/50-record" "$notifiers/50-record" "$rec"

# -- unload in reverse order, then load again
"$gvtctl" modules unload && ok "modules unload" || fail "modules unload"
[ ! -d /sys/module/gvt_mdev ] && [ ! -d /sys/module/gvt_base ] && ok "gvt modules gone" || fail "gvt modules still loaded"
"$gvtctl" modules load && modules_state_is ready && ok "modules load again" || fail "modules load again"

finish
