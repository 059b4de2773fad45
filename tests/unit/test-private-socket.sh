#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The private socket (root's direct D-Bus connections, as systemctl's
# /run/systemd/private), against gvtd on a scratch tree: made 0600; root's
# gvtctl works through it with the bus gone, create and remove included;
# without it (GVTCTL_FORCE_BUS) the same gvtctl needs the bus; a peer that
# is not root is hung up on even when the socket's mode lets it in; a stale
# socket (gvtd killed) makes gvtctl fall back to the bus and say gvtd is
# not running.
# Signals reach a direct connection only after it called Subscribe(), as
# on systemd's private bus; gvtctl's one-call connections get none.
# usage: test-private-socket.sh GVTD GVTCTL FAKE_SYSFS PRIVATE_SIGNALS
set -eu
gvtd=$1 gvtctl=$2 fake=$3 signals=$4
. "$(dirname "$0")/private-gvtd.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: the private socket is root's; run as root"; exit 77; }

"$fake" "$root" >/dev/null
u=7c000000-0000-4000-8000-0000000000aa
fake_vgpu "$root" 0000:00:02.0 gvt_base-GVTg_V5_4 $u
: >"$root/sys/devices/pci0000:00/0000:00:02.0/$u/remove"
start_private_gvtd "$gvtd" "$root"
sock=$root/run/gvtd/private
export GVTCTL_PRIVATE_SOCKET=$sock
expect "the socket is root's alone" "$(stat -c '%F %a %U' "$sock")" "socket 600 root"

# -- the bus goes away; root's gvtctl still reaches gvtd
kill "$bus_pid"
bus_pid=''
sleep 0.3
run 0 "$gvtctl" status
has out "profile sim" "status over the private socket, no bus"
run 0 "$gvtctl" --json -o uuid,owner list
expect "list over the private socket" "$(tr -d ' \n' <"$tmp/out")" "[{\"uuid\":\"$u\",\"owner\":\"root\"}]"
run 0 "$gvtctl" remove $u
expect "remove over the private socket: gvtd wrote sysfs" "$(cat "$root/sys/devices/pci0000:00/0000:00:02.0/$u/remove")" 1
u2=7c000000-0000-4000-8000-0000000000bb
run 0 "$gvtctl" create --type gvt_base-GVTg_V5_8 --uuid $u2
expect "create over the private socket: gvtd wrote sysfs" \
	"$(cat "$root/sys/devices/pci0000:00/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_8/create")" $u2
# -- signals: to a peer that subscribed, not to one that did not
"$signals" "$sock" subscribe 4 >"$tmp/sub" 2>&1 &
sub_pid=$!
"$signals" "$sock" quiet 4 >"$tmp/quiet" 2>&1 &
quiet_pid=$!
for _ in $(seq 50); do grep -q ready "$tmp/sub" && grep -q ready "$tmp/quiet" && break; sleep 0.1; done
u3=7c000000-0000-4000-8000-0000000000cc
run 0 "$gvtctl" define --type gvt_base-GVTg_V5_8 --uuid $u3
wait $sub_pid $quiet_pid || true
grep -qx DefinitionAdded "$tmp/sub" && ok "a subscribed peer gets DefinitionAdded" || fail "subscribed peer: $(cat "$tmp/sub")"
expect "a peer that did not subscribe gets no signal" "$(grep -vx ready "$tmp/quiet")" ""
run 1 env GVTCTL_FORCE_BUS=1 DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/nobus "$gvtctl" status
has err "no system bus" "GVTCTL_FORCE_BUS: the bus, which is gone"
run 1 "$gvtctl" monitor
has err "no system bus" "monitor uses the bus (its matches name gvtd's bus name)"

# -- a peer that is not root: refused after connecting, even through a 0666 socket
chmod 755 "$tmp" "$root" "$root/run" "$root/run/gvtd"
chmod 666 "$sock"
# AUTH EXTERNAL with the peer's own uid, as every D-Bus client starts: root gets OK, others EOF
auth='import socket, os, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
try:
    s.sendall(b"\0AUTH EXTERNAL " + str(os.geteuid()).encode().hex().encode() + b"\r\n")
    print((s.recv(64).split(b" ")[0] or b"EOF").decode())
except (ConnectionResetError, BrokenPipeError):
    print("EOF")'
expect "root's AUTH EXTERNAL: OK" "$(python3 -c "$auth" "$sock")" OK
py=/usr/bin/python3 # not a python3 from root's home (pyenv), which nobody cannot reach
expect "nobody's AUTH EXTERNAL: hung up" "$(setpriv --reuid=65534 --regid=65534 --clear-groups "$py" -c "$auth" "$sock" 2>&1)" EOF
grep -q "Refused a connection on $sock from uid 65534" "$tmp/log" && ok "the refusal is logged with the uid" ||
	fail "no refusal in the log: $(tail -n3 "$tmp/log")"
run 0 "$gvtctl" status
ok "still serving root after the refusal"

# -- gvtd killed: the socket stays, stale; gvtctl falls back to the bus
dbus-daemon --session --fork --print-address=3 --print-pid=4 3>"$tmp/a2" 4>"$tmp/p2"
bus_pid=$(cat "$tmp/p2")
kill -9 "$gvtd_pid"
wait "$gvtd_pid" 2>/dev/null || true
gvtd_pid=''
[ -S "$sock" ] && ok "kill -9 leaves the socket" || fail "the socket is gone after kill -9"
run 1 env DBUS_SYSTEM_BUS_ADDRESS="$(head -n1 "$tmp/a2")" "$gvtctl" status
has err "gvtd is not running" "a stale socket: the bus, and gvtd is not running"
exit $rc
