#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# mdevctl's callout scripts run around gvtd's own operations, with
# mdevctl's arguments and stdin (docs/callouts.md): a pre that exits
# non-zero vetoes (nothing defined or created, the error names the script,
# its status and its stderr), the first script that exits 2 passes the
# event on, the post goes to the pre's handler with the outcome, notifiers
# see every operation (stdin: the JSON too), a file that is not executable
# is skipped, a hung script is killed after [Callouts] TimeoutSec=, and
# [Callouts] Enabled=no runs none; the veto over D-Bus and REST. gvtd on a
# private bus and a scratch tree.
# usage: test-callouts.sh GVTD FAKE_SYSFS
set -eu
gvtd=$1 fake=$2
. "$(dirname "$0")/private-gvtd.sh"

"$fake" "$root" 0000:00:02.0 gvt_base >/dev/null
P=0000:00:02.0 T=gvt_base-GVTg_V5_4
types=$root/sys/devices/pci0000:00/$P/mdev_supported_types
u1=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1 u2=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e2
u3=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e3 u4=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e4
u5=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e5
fake_vgpu "$root" $P $T $u4
: >"$root/sys/devices/pci0000:00/$P/$u4/remove"

calls=$tmp/calls
mkdir -p "$calls" "$root/etc/mdevctl.d/scripts.d/callouts" "$root/etc/mdevctl.d/scripts.d/notifiers"
co=$root/etc/mdevctl.d/scripts.d/callouts
# Each records its argv as a line of $calls/NAME and its stdin as $calls/NAME.N (N: the line).
recorder() {
	cat >"$2" <<EOF
#!/bin/sh
n=\$(( \$(cat "$calls/$1" 2>/dev/null | wc -l) + 1 ))
printf '%s\n' "\$*" >>"$calls/$1"
cat >"$calls/$1.\$n"
$3
EOF
	chmod +x "$2"
}
# Named to sort first: would veto everything if it ran.
printf '#!/bin/sh\necho ran >>%s/never\nexit 1\n' "$calls" >"$co/00-not-executable"
chmod 644 "$co/00-not-executable"
recorder other-type "$co/05-other-type" 'exit 2'
recorder handler "$co/10-handler" '
case "$*" in *"-e pre"*)
	[ -e '"$tmp"'/veto ] && { echo "policy says no: $*" >&2; echo "second line" >&2; exit 3; }
	[ -e '"$tmp"'/hang ] && exec sleep 37
esac
exit 0'
recorder late "$co/20-late" 'exit 0'
recorder notifier "$root/etc/mdevctl.d/scripts.d/notifiers/50-notifier" 'exit 1'
mkdir -p "$root/etc/gvtd"
printf '[Callouts]\nTimeoutSec=1\n' >"$root/etc/gvtd/gvtd.conf"
start_private_gvtd "$gvtd" "$root"

call() { busctl --address="$address" call org.gvtd1 /org/gvtd1 org.gvtd1.Manager "$@" 2>&1 || true; }
define() { call DefineVGPU ssssba\(ss\)b "" $T "$1" "" false 1 x_attr 7 false; }
expect_contains() { case $2 in *"$3"*) ok "$1" ;; *) fail "$1: '$2' lacks '$3'" ;; esac; }
line() { sed -n "${2}p" "$calls/$1" 2>/dev/null; }
lines() { cat "$calls/$1" 2>/dev/null | wc -l; }
json() { python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))' <"$calls/$1"; }

# define: pre (state none), the definition; post (success) to the same script; notify.
expect_contains "define runs" "$(define $u1)" "s \"$u1\""
expect "pre-define: mdevctl's arguments" "$(line handler 1)" "-t $T -e pre -a define -s none -u $u1 -p $P"
expect "pre-define: the definition on stdin" "$(json handler.1)" \
	'{"attrs": [{"x_attr": "7"}], "mdev_type": "'$T'", "start": "manual"}'
expect "post-define: the outcome" "$(line handler 2)" "-t $T -e post -a define -s success -u $u1 -p $P"
expect "post-define: the same stdin" "$(json handler.2)" "$(json handler.1)"
expect "a script exiting 2 passes the pre on" "$(line other-type 1)" "-t $T -e pre -a define -s none -u $u1 -p $P"
expect "the post goes to the pre's handler only" "$(lines other-type)" 1
expect "scripts after the handler do not run" "$(lines late)" 0
expect "notify: after the post, the outcome" "$(line notifier 1)" "-t $T -e notify -a define -s success -u $u1 -p $P"
expect "notify: the JSON on stdin, as mdevctl 1.2 gives it" "$(json notifier.1)" "$(json handler.1)"
expect "a file that is not executable is skipped" "$(cat "$calls/never" 2>/dev/null)" ""

# A veto: nothing defined, the error names the script, its status and its stderr's first line.
touch "$tmp/veto"
e=$(define $u2)
expect_contains "veto: refused" "$e" "Callout $co/10-handler vetoed the define of $u2 (exit status 3: policy says no: -t $T"
expect "veto: nothing defined" "$(ls "$root/etc/mdevctl.d/$P")" "$u1"
expect "veto: no post" "$(line handler 4)" ""
expect "veto: notify, state none" "$(line notifier 2)" "-t $T -e notify -a define -s none -u $u2 -p $P"
if command -v gdbus >/dev/null; then
	e=$(gdbus call --address "$address" --dest org.gvtd1 --object-path /org/gvtd1 \
		--method org.gvtd1.Manager.CreateVGPU "" $T $u3 false 2>&1 || true)
	expect_contains "veto of a create: org.gvtd1.Error.Vetoed" "$e" "org.gvtd1.Error.Vetoed"
fi
e=$(call CreateVGPU sssb "" $T $u3 false)
expect_contains "veto of a create: refused" "$e" "vetoed the start of $u3"
expect "veto of a create: nothing written to sysfs" "$(cat "$types"/*/create)" ""
e=$(curl -s -w ' %{http_code}' --unix-socket "$root/run/gvtd/api.sock" -H 'Content-Type: application/json' \
	-d '{"type":"'$T'","uuid":"'$u3'"}' http://localhost/v1/vgpus)
expect_contains "veto over REST: the problem" "$e" '"type":"urn:gvtd:problem:Vetoed","title":"Vetoed by a callout","status":409'
expect_contains "veto over REST: the detail" "$e" "vetoed the start of $u3 (exit status 3: policy says no"
expect_contains "veto over REST: 409" "$e" "} 409"
rm "$tmp/veto"

# A transient create is mdevctl start: "manual", the attributes asked for.
n=$(lines handler)
call CreateVGPU sssb "" $T $u3 false >/dev/null
expect "pre-start of a create" "$(line handler $((n + 1)))" "-t $T -e pre -a start -s none -u $u3 -p $P"
expect "its stdin" "$(json handler.$((n + 1)))" '{"attrs": [], "mdev_type": "'$T'", "start": "manual"}'
expect "post-start of a create" "$(line handler $((n + 2)))" "-t $T -e post -a start -s success -u $u3 -p $P"
expect "and it was created" "$(cat "$types/$T/create")" "$u3"

# Removing a running vGPU is mdevctl stop.
n=$(lines handler)
call RemoveVGPU sb $u4 false >/dev/null
expect "pre-stop of a remove" "$(line handler $((n + 1)))" "-t $T -e pre -a stop -s none -u $u4 -p $P"
expect "post-stop of a remove" "$(line handler $((n + 2)))" "-t $T -e post -a stop -s success -u $u4 -p $P"
expect "and it was removed" "$(cat "$root/sys/devices/pci0000:00/$P/$u4/remove")" "1"

# modify and undefine, with the definition as it is to be and as it was.
n=$(lines handler)
call ModifyDefinition sssba\(ss\)b $u1 "" auto false 0 false >/dev/null
expect "pre-modify" "$(line handler $((n + 1)))" "-t $T -e pre -a modify -s none -u $u1 -p $P"
expect "pre-modify: the new definition" "$(json handler.$((n + 1)))" \
	'{"attrs": [{"x_attr": "7"}], "mdev_type": "'$T'", "start": "auto"}'
call UndefineVGPU sb $u1 false >/dev/null
expect "pre-undefine" "$(line handler $((n + 3)))" "-t $T -e pre -a undefine -s none -u $u1 -p $P"
expect "post-undefine" "$(line handler $((n + 4)))" "-t $T -e post -a undefine -s success -u $u1 -p $P"

# A hung pre is killed after TimeoutSec=, with its process group: the operation is refused.
touch "$tmp/hang"
t0=$(date +%s)
e=$(define $u5)
t1=$(date +%s)
expect_contains "hung pre: refused" "$e" "did not finish the pre-define of $u5 within 1 s and was killed"
[ $((t1 - t0)) -le 4 ] && ok "hung pre: gvtd answered after $((t1 - t0)) s" || fail "hung pre: took $((t1 - t0)) s"
expect "hung pre: nothing defined" "$(ls "$root/etc/mdevctl.d/$P")" ""
pgrep -f "sleep 37" >/dev/null && fail "hung pre: its sleep still runs" || ok "hung pre: its process group was killed"
expect_contains "gvtd still answers" "$(call ListDefinitions)" "a(sssbbsa(ss)) 0"

# [Callouts] Enabled=no: none run, nothing vetoes.
kill $gvtd_pid
wait $gvtd_pid 2>/dev/null || true
printf '[Callouts]\nEnabled=no\n' >"$root/etc/gvtd/gvtd.conf"
n=$(lines handler)
start_gvtd_on_bus "$gvtd" "$root" "$tmp/log2"
expect_contains "Enabled=no: the define runs" "$(define $u5)" "s \"$u5\""
expect "Enabled=no: no callout ran" "$(lines handler)" "$n"
rm "$tmp/hang"
exit $rc
