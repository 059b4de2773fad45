#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the systemd VM (tests/vm/run --systemd --install BUILDDIR): gvtd
# as installed, under systemd as PID 1, the way a user runs it. Boot 1:
# the units verify; Type=notify is ready only after the modules and the
# auto definitions; bus activation; socket activation; kill -9 and a hung
# gvtd (watchdog) restart it and it adopts the vGPUs; the sandbox holds in
# use; polkit rules from /etc/polkit-1/rules.d decide; stop leaves vGPUs and
# modules. Then definitions (gvtd's and mdevctl's) and a reboot; boot 2:
# auto definitions run before gvtd is ready and before libvirtd starts,
# manual ones stay stopped, owners and quotas unchanged.
set -u
. "$(dirname "$0")/../gvtd/lib.sh"
gvtctl=/usr/bin/gvtctl
uuid() { cat /proc/sys/kernel/random/uuid; }
state=/var/lib/gvt-systemd-test	# on the persistent disk: boot 1 tells boot 2
boot=${GVT_VM_BOOT:-1}
finish() {
	if [ $fails = 0 ]; then echo "all passed (boot $boot)"; exit 0; fi
	echo "--- journal of gvtd (tail)"; journalctl -b -u gvtd --no-pager | tail -n 60
	echo "$fails failed (boot $boot)"; exit 1
}
show() { systemctl show -p "$2" --value "$1"; }
main_pid() { show gvtd MainPID; }
is_active() { [ "$(systemctl is-active "$1")" = active ]; }
# journal_order UNIT-OR-EMPTY LINE-A LINE-B: A is logged before B in this boot
# Lines after $jcursor (a journal cursor) if set, else of the whole boot.
jcursor=
line_no() {
	journalctl -b ${jcursor:+--after-cursor="$jcursor"} -o cat --no-pager | grep -n -F -m1 -- "$1" | cut -d: -f1
}
cursor_now() { journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p'; }
before() {
	local a b
	a=$(line_no "$1") b=$(line_no "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
parent=gvt_base.0
type=gvt_base-GVTg_V5_8
def_file() { echo "/etc/mdevctl.d/$parent/$1"; }

boot1() {
	# -- the units as installed
	out=$(systemd-analyze verify /lib/systemd/system/gvtd.service /lib/systemd/system/gvtd-api.socket 2>&1)
	expect "systemd-analyze verify of gvtd's units is clean" "$out" ""
	expect "gvtd not started before it is asked" "$(systemctl is-active gvtd)" inactive

	# -- as installed, on a host without a GVT GPU: the default profile
	# (auto, no sim fallback) cannot load; gvtd runs, says why, and the
	# journal's catalog explains it (journalctl -x).
	systemctl start gvtd; expect "gvtd starts with the default configuration" $? 0
	expect "the modules failed, gvtd runs" "$(busctl --system get-property org.gvtd1 /org/gvtd1 org.gvtd1.Manager ModulesState 2>&1)" 's "failed"'
	failed=$(journalctl -b -x -u gvtd MESSAGE_ID=88d8e12105d24ad5b4b22847cf4cf774 --no-pager)
	expect_contains "journal: the modules' failure, with the reason" "$failed" "The GVT modules did not load:"
	expect_contains "journalctl -x explains it from the catalog" "$failed" "gvtctl modules shows each step of the load order"
	systemctl stop gvtd

	# The model's modules installed where DKMS puts them (gvtd's PrivateTmp
	# hides a build tree under /tmp); an auto definition on disk.
	moddir=/lib/modules/$(uname -r)/updates/gvt
	mkdir -p "$moddir" && cp "$kmod/gvt_base.ko" "$kmod/gvt_mdev.ko" "$moddir/" && depmod -a
	cat >/etc/gvtd/gvtd.conf <<-CONF
	[Modules]
	Profile=sim
	CONF
	u_auto=$(uuid)
	mkdir -p "/etc/mdevctl.d/$parent"
	printf '{"mdev_type":"%s","start":"auto","attrs":[]}\n' "$type" >"$(def_file "$u_auto")"

	# -- Type=notify: start returns once the modules are loaded and the
	# auto definitions started, not before.
	jcursor=$(cursor_now)
	systemctl enable --now gvtd; expect "systemctl enable --now gvtd" $? 0
	[ -d /sys/module/gvt_mdev ] && ok "gvt_mdev loaded when start returned" || fail "gvt_mdev not loaded when start returned"
	[ -e "/sys/bus/mdev/devices/$u_auto" ] && ok "auto definition running when start returned" ||
		fail "auto definition $u_auto not running when start returned"
	status=$(show gvtd StatusText)
	expect_contains "STATUS= text" "$status" "Modules ready (profile sim); 1 parent(s), 1 vGPU(s)."
	expect_contains "systemctl status shows it" "$(systemctl status gvtd --no-pager 2>&1)" "Status: \"$status\""
	before "Autostarted $u_auto." "Started gvtd.service" && ok "autostart logged before systemd saw READY=1" ||
		fail "autostart not logged before 'Started gvtd.service'"
	jcursor=

	expect "enable enabled the REST socket too" "$(systemctl is-enabled gvtd-api.socket)" enabled
	expect "the REST socket listens" "$(systemctl is-active gvtd-api.socket)" active
	expect "the socket's mode and group as the unit says" "$(stat -c '%a %G' /run/gvtd/api.sock)" "660 gvt"

	# -- D-Bus activation: a call to org.gvtd1 starts it.
	systemctl stop gvtd
	expect "stopped" "$(systemctl is-active gvtd)" inactive
	out=$(busctl --system get-property org.gvtd1 /org/gvtd1 org.gvtd1.Manager ModulesState 2>&1)
	expect "a bus call starts gvtd and is answered" "$out" 's "ready"'
	is_active gvtd && ok "gvtd active after the bus call" || fail "gvtd $(systemctl is-active gvtd) after the bus call"
	systemctl stop gvtd
	"$gvtctl" status >/dev/null 2>&1; expect "gvtctl status starts gvtd through the bus" $? 0

	# -- socket activation: a REST request on the socket starts it.
	systemctl stop gvtd
	expect "stopped again" "$(systemctl is-active gvtd)" inactive
	[ -S /run/gvtd/api.sock ] && ok "the socket outlives gvtd's stop" || fail "stopping gvtd removed /run/gvtd/api.sock"
	body=$(curl -sS --max-time 120 --unix-socket /run/gvtd/api.sock http://gvtd/v1/vgpus)
	expect_contains "a REST request starts gvtd and is answered" "$body" "\"uuid\":\"$u_auto\""
	is_active gvtd && ok "gvtd active after the request" || fail "gvtd $(systemctl is-active gvtd) after the request"

	# -- kill -9: systemd restarts it; it adopts the vGPUs, none lost or doubled.
	pid=$(main_pid) restarts=$(show gvtd NRestarts)
	kill -9 "$pid"
	until_ok 60 sh -c "[ \"\$(systemctl show -p MainPID --value gvtd)\" != $pid ] && [ \"\$(systemctl is-active gvtd)\" = active ]" &&
		ok "restarted after kill -9" || fail "not restarted after kill -9"
	expect "NRestarts one up" "$(show gvtd NRestarts)" $((restarts + 1))
	expect "the vGPU listed once after the restart" "$("$gvtctl" list | grep -c "^$u_auto ")" 1
	expect "no vGPU created or removed by the restart" "$(ls /sys/bus/mdev/devices | wc -l)" 1

	# -- a hung gvtd: the watchdog (WatchdogSec=30s) kills it, it restarts.
	pid=$(main_pid) restarts=$(show gvtd NRestarts)
	kill -STOP "$pid"
	until_ok 120 sh -c "[ \"\$(systemctl show -p MainPID --value gvtd)\" != $pid ] && [ \"\$(systemctl is-active gvtd)\" = active ]" &&
		ok "a stopped gvtd is restarted by the watchdog" || fail "a stopped gvtd was not restarted"
	expect "NRestarts one up after the watchdog" "$(show gvtd NRestarts)" $((restarts + 1))
	journalctl -b -u gvtd --no-pager | grep -q "Watchdog timeout" && ok "the journal says: watchdog timeout" ||
		fail "no 'Watchdog timeout' in the journal"
	expect "the vGPU listed once after the watchdog" "$("$gvtctl" list | grep -c "^$u_auto ")" 1

	# -- the sandbox as shipped lets gvtd do its work.
	u=$("$gvtctl" create --type GVTg_V5_4 2>&1); expect "create under the unit's sandbox" $? 0
	"$gvtctl" remove "$u"; expect "remove under the unit's sandbox" $? 0
	# -- one vGPU's history in the journal, by its field, explained by the catalog.
	hist=$(journalctl -b -u gvtd GVT_VGPU="$u" -o cat --no-pager)
	expect_contains "journal GVT_VGPU=: it appeared" "$hist" "vGPU $u (gvt_base-GVTg_V5_4 on $parent) appeared, owner root."
	expect_contains "journal GVT_VGPU=: it went" "$hist" "vGPU $u (gvt_base-GVTg_V5_4 on $parent) is gone."
	expect "journal GVT_VGPU=: nothing of other vGPUs" "$(printf '%s\n' "$hist" | grep -v -c -F "$u")" 0
	expect_contains "journalctl -x explains it" "$(journalctl -b -x -u gvtd GVT_VGPU="$u" --no-pager)" \
		"The history of this vGPU: journalctl -u gvtd GVT_VGPU=$u"
	u_def=$("$gvtctl" define --type GVTg_V5_4 2>&1); expect "define under the unit's sandbox" $? 0
	[ -f "$(def_file "$u_def")" ] && ok "the definition is on disk" || fail "no $(def_file "$u_def")"
	"$gvtctl" start "$u_def" && "$gvtctl" stop "$u_def"; expect "start and stop a definition" $? 0
	"$gvtctl" undefine "$u_def"; expect "undefine" $? 0
	"$gvtctl" quota set alice --max-vgpus 2 >/dev/null; expect "quota set under the unit's sandbox" $? 0
	# -- REST tokens: written by gvtd inside its sandbox; systemctl reload reads the file again.
	tok=$("$gvtctl" token add nova user 2>/dev/null); expect "token add under the unit's sandbox" $? 0
	expect "token add: its hash in /etc/gvtd/api-tokens" \
		"$(grep -c "^sha256:$(printf %s "$tok" | sha256sum | cut -d' ' -f1) nova user\$" /etc/gvtd/api-tokens)" 1
	expect "token add: the file is 0600" "$(stat -c %a /etc/gvtd/api-tokens)" 600
	echo "sha256:$(printf %s by-hand | sha256sum | cut -d' ' -f1) cinder reader" >>/etc/gvtd/api-tokens
	pid=$(main_pid)
	systemctl reload gvtd; expect "systemctl reload gvtd" $? 0
	expect "reload: the same process" "$(main_pid)" "$pid"
	expect_contains "reload: the line added by hand is in use" "$("$gvtctl" token list)" "cinder"
	"$gvtctl" token revoke "$(printf %s "$tok" | sha256sum | cut -c1-12)"; expect "token revoke" $? 0
	expect "token revoke: its line gone" "$(grep -c " nova user\$" /etc/gvtd/api-tokens)" 0
	"$gvtctl" modules unload >/dev/null 2>&1
	expect "module unload refused while a vGPU exists" $? 1
	denied=$(journalctl -b -u gvtd --no-pager | grep -i -E "operation not permitted|permission denied|read-only file system|EPERM")
	expect "no EPERM/EACCES/EROFS in gvtd's journal" "$denied" ""
	score=$(systemd-analyze security gvtd.service --no-pager 2>/dev/null | sed -n 's/.*Overall exposure level for gvtd.service: \([0-9.]*\).*/\1/p')
	echo "# systemd-analyze security gvtd.service: exposure $score"
	# gvtd(8), SANDBOX, says why each point left above 2.5 stays.
	awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 3.4) }' && ok "exposure $score <= 3.4 (gvtd(8) explains each point)" ||
		fail "exposure '$score', want <= 3.4: a hardening setting was lost"

	# -- polkit, the real polkitd: a rule grants a user, removing it denies.
	id alice >/dev/null 2>&1 || useradd -m alice
	usermod -a -G gvt alice	# the REST socket's group: reaching it, not being allowed
	as_alice() { runuser -u alice -- "$@"; }
	rest_create() {
		as_alice curl -sS -o /dev/null -w '%{http_code}' --unix-socket /run/gvtd/api.sock \
			-H 'Content-Type: application/json' -d "{\"type\":\"$type\"}" http://gvtd/v1/vgpus
	}
	as_alice "$gvtctl" create --type GVTg_V5_8 >/dev/null 2>&1
	expect "alice without a rule: D-Bus create denied" $? 1
	expect "alice without a rule: REST create denied" "$(rest_create)" 403
	rule=/etc/polkit-1/rules.d/50-gvtd-test.rules
	cat >"$rule" <<-'RULE'
	polkit.addRule(function(action, subject) {
		if (action.id.indexOf("org.gvtd1.manage-") == 0 && subject.user == "alice")
			return polkit.Result.YES;
	});
	RULE
	granted() { as_alice "$gvtctl" create --type GVTg_V5_8 >"$state.alice" 2>&1; }
	until_ok 30 granted && ok "alice with the rule: D-Bus create allowed" || fail "alice with the rule: $(cat "$state.alice")"
	expect "alice with the rule: REST create allowed" "$(rest_create)" 201
	rm -f "$rule"
	denied_again() { ! as_alice "$gvtctl" create --type GVTg_V5_8 >/dev/null 2>&1; }
	until_ok 30 denied_again && ok "rule removed: denied again" || fail "rule removed: still allowed"
	for v in /sys/bus/mdev/devices/*; do
		[ "${v##*/}" = "$u_auto" ] || "$gvtctl" remove "${v##*/}"
	done

	# -- stop: clean, the vGPUs and the modules stay (gvtd(8)).
	systemctl stop gvtd; expect "systemctl stop" $? 0
	expect "inactive after stop" "$(systemctl is-active gvtd)" inactive
	expect "stop ended no vGPU" "$(ls /sys/bus/mdev/devices | tr '\n' ' ')" "$u_auto "
	[ -d /sys/module/gvt_mdev ] && ok "the modules stay loaded after stop" || fail "gvt_mdev unloaded by stop"
	expect "stop was clean (no failure)" "$(show gvtd Result)" success

	# -- for the reboot: auto definitions by gvtd and by mdevctl, a manual
	# one, owners and quotas; gvtd stays enabled.
	expect "gvtd enabled for the reboot" "$(systemctl is-enabled gvtd)" enabled
	u_g=$("$gvtctl" define --type GVTg_V5_8 --auto --owner alice)
	u_m=$(uuid)
	mdevctl define --uuid "$u_m" --parent "$parent" --type "$type" --auto; expect "mdevctl define --auto" $? 0
	u_man=$("$gvtctl" define --type GVTg_V5_8)
	"$gvtctl" remove "$u_auto"
	systemctl stop gvtd
	{
		echo "u_auto=$u_auto u_g=$u_g u_m=$u_m u_man=$u_man"
		echo "owners=$(ls /var/lib/gvtd/owners | sort | tr '\n' ,)"
		echo "quotas=$(sha256sum </var/lib/gvtd/quotas.json | cut -c1-64)"
	} >"$state"
	sync
	echo "# rebooting"
	gvt-vm-reboot
}

boot2() {
	[ -s "$state" ] || { fail "boot 1 left no state"; finish; }
	. <(sed -n 1p "$state" | tr ' ' '\n')
	is_active gvtd && ok "gvtd started at boot (enabled)" || fail "gvtd $(systemctl is-active gvtd) after the reboot"
	for u in "$u_auto" "$u_g" "$u_m"; do
		[ -e "/sys/bus/mdev/devices/$u" ] && ok "auto definition $u running after the reboot" ||
			fail "auto definition $u not running after the reboot"
		# gvtd started it, or saw that mdevctl's udev rule had: before READY=1.
		if before "Autostarted $u." "Started gvtd.service" ||
			before "Not autostarting $u:" "Started gvtd.service"; then
			ok "$u started before gvtd reported ready"
		else
			fail "$u not started before 'Started gvtd.service'"
		fi
	done
	before "Started gvtd.service" "Starting libvirtd.service" && ok "gvtd ready before libvirtd starts" ||
		fail "libvirtd started before gvtd was ready"
	[ ! -e "/sys/bus/mdev/devices/$u_man" ] && ok "the manual definition stays stopped" || fail "manual definition $u_man running"
	"$gvtctl" list --defined | grep -q "^$u_man " && ok "the manual definition is still defined" ||
		fail "manual definition $u_man not listed"
	expect "owner records unchanged" "owners=$(ls /var/lib/gvtd/owners | sort | tr '\n' ,)" "$(sed -n 2p "$state")"
	expect "quotas unchanged" "quotas=$(sha256sum </var/lib/gvtd/quotas.json | cut -c1-64)" "$(sed -n 3p "$state")"
}

case $boot in
1) boot1 ;;
2) boot2 ;;
*) fail "unexpected boot $boot" ;;
esac
finish
