#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: persistent definitions (mdevctl format, both ways), restart
# and autostart (after a restart and after a module reload), a corrupt file
# left as it is and listed, a full disk, 16 parallel creators against a quota of 3, polkit
# allow/deny for a non-root user, and kill -9 during a define/start/stop
# storm followed by restarts, compared against sysfs and the files.
set -u
. "$(dirname "$0")/lib.sh"
trials=${GVT_KILL_TRIALS:-50}

ready() { [ "$(prop ModulesState)" = 's "ready"' ]; }
start_gvtd() {
	"$gvtd" --profile=sim --module-dir="$kmod" "$@" >>"$log" 2>&1 &
	gvtd_pid=$!
	until_ok 30 ready
}
defined() { "$gvtctl" list --defined | grep -q "^$1 "; }
running() { [ -e "/sys/bus/mdev/devices/$1" ]; }
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }

mkdir -p /usr/share/polkit-1/actions /etc/polkit-1/rules.d
cp "$src/systemd/org.gvtd1.policy" /usr/share/polkit-1/actions/
start_system_bus
start_udevd
# Definitions on a small file system of their own, to fill it later.
mkdir -p /etc/mdevctl.d && mount -t tmpfs -o size=2m tmpfs /etc/mdevctl.d
# what mdevctl's package ships there, hidden by the mount
mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
id alice >/dev/null 2>&1 || useradd -M alice
id bob >/dev/null 2>&1 || useradd -M bob

start_gvtd || { fail "gvtd ready"; finish; }
parent=$(ls /sys/class/mdev_bus | head -n1)
types=/sys/class/mdev_bus/$parent/mdev_supported_types
type=$(ls "$types" | grep '_8$')

# -- define: mdevctl's file, mdevctl sees it, survives a restart, autostarts
u1=$("$gvtctl" define --type "$type" --parent "$parent" --auto)
f=/etc/mdevctl.d/$parent/$u1
[ -f "$f" ] && ok "definition file written" || fail "no $f"
expect "file is mdevctl's format" "$(python3 -c "import json; d=json.load(open('$f')); print(d['mdev_type'], d['start'], d['attrs'])")" "$type auto []"
mdevctl list --defined 2>/dev/null | grep -q "$u1" && ok "mdevctl list --defined shows gvtd's" || fail "mdevctl misses it: $(mdevctl list --defined 2>&1)"
running "$u1" && fail "define started it" || ok "define does not start"
"$gvtctl" start "$u1" && running "$u1" && ok "gvtctl start" || fail "start"
expect_contains "list --defined says active" "$("$gvtctl" list --defined | grep "$u1")" "active"
stop_gvtd
start_gvtd
defined "$u1" && ok "still defined after restart" || fail "lost after restart"
running "$u1" && ok "running vGPU adopted" || fail "vGPU gone after restart"
grep -q "Adopted running vGPU $u1" "$log" && ok "adoption logged" || fail "no adoption"
"$gvtctl" stop "$u1" && ! running "$u1" && defined "$u1" && ok "stop keeps the definition" || fail "stop"
stop_gvtd
start_gvtd
until_ok 5 running "$u1" && ok "autostart after restart" || fail "no autostart after restart"

# -- mdevctl defines, gvtd sees it (while running) and starts it
u2=$(cat /proc/sys/kernel/random/uuid)
sig=/tmp/definition-signals
busctl --system monitor --match "type='signal',interface='org.gvtd1.Manager'" >"$sig" 2>&1 &
monitor_pid=$!
# busctl says so once BecomeMonitor has returned: from then on nothing is missed.
until_ok 20 grep -q "Monitoring bus message stream" "$sig" || fail "busctl monitor never started: $(cat "$sig")"
mdevctl define -u "$u2" -p "$parent" -t "$type" && ok "mdevctl define" || fail "mdevctl define"
defined "$u2" && ok "gvtd lists mdevctl's definition" || fail "gvtd misses mdevctl's"
mdevctl modify -u "$u2" --auto && ok "mdevctl modify" || fail "mdevctl modify"
until_ok 5 grep -q "DefinitionChanged" "$sig"
kill "$monitor_pid"; wait "$monitor_pid" 2>/dev/null
# busctl prints the member, then the body on the lines after it
grep -A4 'Member=DefinitionAdded' "$sig" | grep -q "$u2" && ok "DefinitionAdded for mdevctl's define" ||
	fail "no DefinitionAdded for mdevctl's define: $(grep Member= "$sig")"
grep -A4 'Member=DefinitionChanged' "$sig" | grep -q "$u2" && ok "DefinitionChanged for mdevctl's modify" ||
	fail "no DefinitionChanged for mdevctl's modify: $(grep Member= "$sig")"
expect "one DefinitionAdded for it" "$(grep -c 'Member=DefinitionAdded' "$sig")" "1"
mdevctl modify -u "$u2" --manual >/dev/null
expect_contains "mdevctl's belongs to root" "$("$gvtctl" list --defined | grep "$u2")" "root"
"$gvtctl" start "$u2" && running "$u2" && ok "gvtd starts mdevctl's definition" || fail "start mdevctl's"
"$gvtctl" stop "$u2"; "$gvtctl" undefine "$u2"
mdevctl list --defined 2>/dev/null | grep -q "$u2" && fail "mdevctl still lists undefined" || ok "undefine seen by mdevctl"

# -- modify, attributes
"$gvtctl" modify "$u1" --manual 2>/dev/null && fail "modify of a running definition" || ok "modify refused while running"
"$gvtctl" stop "$u1"
"$gvtctl" modify "$u1" --manual --attr nosuch=1 && ok "modify" || fail "modify"
expect "modified file" "$(python3 -c "import json; d=json.load(open('$f')); print(d['start'], d['attrs'])")" "manual [{'nosuch': '1'}]"
err=$("$gvtctl" start "$u1" 2>&1)
expect_contains "failing attribute named" "$err" "nosuch"
running "$u1" && fail "failing attribute left the vGPU" || ok "failing attribute undid the create"
"$gvtctl" modify "$u1" --auto --clear-attrs

# -- autostart after a module reload
"$gvtctl" modules unload && ok "modules unloaded" || fail "unload: $("$gvtctl" modules 2>&1 | tail -3)"
"$gvtctl" modules load && ok "modules loaded" || fail "load"
until_ok 5 running "$u1" && ok "autostart after module reload" || fail "no autostart after reload"

# -- a corrupt definition stays as it is (mdevctl's directory) and is listed, the rest loads
bad=$(cat /proc/sys/kernel/random/uuid)
echo '{"mdev_type": ' >"/etc/mdevctl.d/$parent/$bad"
stop_gvtd
start_gvtd
kill -0 "$gvtd_pid" && ok "gvtd starts with a corrupt file" || fail "gvtd died"
[ "$(cat "/etc/mdevctl.d/$parent/$bad")" = '{"mdev_type": ' ] && ok "corrupt file left as it is" || fail "changed: $(ls -a /etc/mdevctl.d/$parent)"
ls -a "/etc/mdevctl.d/$parent/" | grep -q "corrupt" && fail "set aside: $(ls -a /etc/mdevctl.d/$parent)" || ok "nothing set aside"
grep -q "Cannot use definition file /etc/mdevctl.d/$parent/$bad, leaving it as it is: not valid JSON" "$log" && ok "logged with path and reason" || fail "not logged"
"$gvtctl" list --defined 2>&1 | grep -q "$bad: cannot be used, left as it is: not valid JSON" && ok "listed with the reason" || fail "not listed"
defined "$u1" && ok "good definition still there" || fail "good definition lost"
rm "/etc/mdevctl.d/$parent/$bad"

# -- disk full: an error, old state intact
before=$("$gvtctl" list --defined)
dd if=/dev/zero of=/etc/mdevctl.d/filler bs=64k 2>/dev/null
err=$("$gvtctl" define --type "$type" --parent "$parent" 2>&1)
expect "define on a full disk fails" "$?" 1
expect_contains "disk full reported" "$err" "No space left"
expect "definitions unchanged" "$("$gvtctl" list --defined)" "$before"
[ -z "$(ls -a "/etc/mdevctl.d/$parent" | grep '^\.#')" ] && ok "no temp file left" || fail "temp file left"
rm -f /etc/mdevctl.d/filler
"$gvtctl" stop "$u1"; "$gvtctl" undefine "$u1"

# -- quota: 16 parallel creators, limit 3
"$gvtctl" quota set bob --max-vgpus 3 && ok "quota set" || fail "quota set"
pids=()
for i in $(seq 16); do "$gvtctl" create --type "$type" --owner bob >/tmp/q.$i 2>&1 & pids+=($!); done
wait "${pids[@]}"
n=$(grep -l -- '-' /tmp/q.* | xargs grep -L Quota | wc -l)
used=$("$gvtctl" --json quota show bob | python3 -c "import json,sys; print([r['used'] for r in json.load(sys.stdin) if r['limit']=='vgpus'][0])")
expect "bob holds 3 vGPUs" "$used" 3
expect "3 creates succeeded" "$n" 3
cat /tmp/q.* | grep -q "Quota exceeded for bob: vgpus limit 3, in use 3, requested 1" && ok "QuotaExceeded names limit, usage, request" || fail "no quota error: $(cat /tmp/q.* | sort | uniq -c)"
for u in $(cat /tmp/q.* | grep -v Quota); do "$gvtctl" remove "$u"; done
expect "usage back to 0" "$("$gvtctl" --json quota show bob | python3 -c "import json,sys; print([r['used'] for r in json.load(sys.stdin) if r['limit']=='vgpus'][0])")" 0

# -- polkit: alice may manage her own, not others', not quotas, not modules
stop_gvtd
cat >/etc/polkit-1/rules.d/50-gvtd-test.rules <<'RULES'
polkit.addRule(function(action, subject) {
	if (action.id == "org.gvtd1.manage-own-vgpus" && subject.user == "alice")
		return polkit.Result.YES;
	if (action.id.indexOf("org.gvtd1.") == 0)
		return polkit.Result.NO;
});
RULES
/usr/lib/polkit-1/polkitd --no-debug >/tmp/polkitd.log 2>&1 &
polkit_pid=$!
until_ok 10 busctl --system status org.freedesktop.PolicyKit1 && ok "polkitd running" || fail "polkitd: $(cat /tmp/polkitd.log)"
start_gvtd --polkit=yes
"$gvtctl" quota set alice --max-vgpus 1
ua=$(as alice "$gvtctl" create --type "$type" 2>&1)
running "$ua" && ok "alice creates her own" || fail "alice denied her own: $ua"
expect_contains "alice owns it" "$(busctl --system get-property org.gvtd1 /org/gvtd1/vgpu/${ua//-/_} org.gvtd1.VGPU Owner)" '"alice"'
expect_contains "alice over quota" "$(as alice "$gvtctl" create --type "$type" 2>&1)" "Quota exceeded for alice"
expect_contains "alice may not set quotas" "$(as alice "$gvtctl" quota set alice --max-vgpus 9 2>&1)" "Not authorized"
expect_contains "alice may not create for bob" "$(as alice "$gvtctl" create --type "$type" --owner bob 2>&1)" "Not authorized"
expect_contains "alice may not unload modules" "$(as alice "$gvtctl" modules unload 2>&1)" "Not authorized"
ub=$("$gvtctl" create --type "$type" --owner bob)
expect_contains "alice may not remove bob's" "$(as alice "$gvtctl" remove "$ub" 2>&1)" "Not authorized"
expect_contains "bob is denied his own" "$(as bob "$gvtctl" create --type "$type" 2>&1)" "Not authorized"
as alice "$gvtctl" remove "$ua" && ok "alice removes her own" || fail "alice remove"
"$gvtctl" remove "$ub"
stop_gvtd
kill "$polkit_pid"; wait "$polkit_pid" 2>/dev/null

# -- kill -9 during a storm, then restart: compare with sysfs and files
storm() {
	local ok_log=$1 u
	# Stopped by a file, not a signal: a signal would kill this loop but not a
	# gvtctl it runs, and that one could reach the next gvtd during the checks.
	while [ ! -e /tmp/storm.stop ]; do
		case $((RANDOM % 5)) in
		0) u=$("$gvtctl" define --type "$type" --parent "$parent" --owner bob $([ $((RANDOM % 2)) = 0 ] && echo --auto) 2>/dev/null) && echo "define $u" >>"$ok_log" ;;
		1) u=$(ls "/etc/mdevctl.d/$parent" 2>/dev/null | shuf -n1); [ -n "$u" ] && "$gvtctl" start "$u" 2>/dev/null ;;
		2) u=$(ls "/etc/mdevctl.d/$parent" 2>/dev/null | shuf -n1); [ -n "$u" ] && "$gvtctl" stop "$u" 2>/dev/null ;;
		# An undefine is logged before it is sent: one the kill cuts off may
		# have removed the file before its reply was lost, so a definition
		# any undefine touched may be gone; one none touched must not be.
		3) u=$(ls "/etc/mdevctl.d/$parent" 2>/dev/null | shuf -n1); [ -n "$u" ] && echo "undefine $u" >>"$ok_log" && "$gvtctl" undefine "$u" 2>/dev/null ;;
		4) u=$("$gvtctl" create --type "$type" --owner bob 2>/dev/null) && echo "create $u" >>"$ok_log" ;;
		esac
	done
}
lost=0 unknown=0 orphans=0 badquota=0
"$gvtctl" quota set bob 2>/dev/null
for t in $(seq "$trials"); do
	start_gvtd || { fail "trial $t: gvtd not ready"; break; }
	: >/tmp/storm.ok
	rm -f /tmp/storm.stop
	storm /tmp/storm.ok &
	storm_pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -9 "$gvtd_pid"; wait "$gvtd_pid" 2>/dev/null
	touch /tmp/storm.stop; wait "$storm_pid"
	start_gvtd || { fail "trial $t: no restart"; break; }
	# every define that returned (and no undefine was sent for) is still there
	for u in $(awk '$1 == "define" { print $2 }' /tmp/storm.ok); do
		grep -q "undefine $u" /tmp/storm.ok && continue
		defined "$u" || { lost=$((lost + 1)); note "trial $t: lost $u"; }
	done
	# every vGPU in sysfs is known, and every owner record is needed
	for u in $(ls /sys/bus/mdev/devices); do
		"$gvtctl" list | grep -q "^$u " || { unknown=$((unknown + 1)); note "trial $t: $u in sysfs, not listed"; }
	done
	for r in $(ls /var/lib/gvtd/owners 2>/dev/null | grep -v '^\.'); do
		[ -e "/sys/bus/mdev/devices/$r" ] || [ -e "/etc/mdevctl.d/$parent/$r" ] ||
			{ orphans=$((orphans + 1)); note "trial $t: owner record $r for nothing"; }
	done
	# bob's usage = his running vGPUs + his stopped definitions
	want=$( (ls /sys/bus/mdev/devices; ls "/etc/mdevctl.d/$parent") | sort -u | while read -r u; do
		[ "$(python3 -c "import json; print(json.load(open('/var/lib/gvtd/owners/$u'))['owner'])" 2>/dev/null)" = bob ] && echo "$u"; done | wc -l)
	got=$("$gvtctl" --json quota show bob | python3 -c "import json,sys; print(([r['used'] for r in json.load(sys.stdin) if r['limit']=='vgpus'] or [0])[0])")
	[ "$want" = "$got" ] || { badquota=$((badquota + 1)); note "trial $t: usage $got, truth $want"; }
	# clean up for the next trial
	for u in $(ls "/etc/mdevctl.d/$parent"); do "$gvtctl" stop "$u" >/dev/null 2>&1; "$gvtctl" undefine "$u" >/dev/null 2>&1; done
	for u in $(ls /sys/bus/mdev/devices); do "$gvtctl" remove "$u" >/dev/null 2>&1; done
	stop_gvtd
done
expect "kill -9 x $trials: lost definitions" "$lost" 0
expect "kill -9 x $trials: unknown vGPUs" "$unknown" 0
expect "kill -9 x $trials: orphan owner records" "$orphans" 0
expect "kill -9 x $trials: usage differs from the truth" "$badquota" 0
finish
