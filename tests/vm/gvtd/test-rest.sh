#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: gvtd's REST API with the real modules. Create, list and
# delete through curl on the unix socket; the idempotent retry; the capacity
# error naming the resource; define/start/stop/modify/undefine and a quota
# with the create over it; SSE events of a create/remove with ids and a
# resume; a uid outside the socket's group cannot connect, one inside but
# without rights gets 403; a stalled event client does not slow a create loop;
# TCP+TLS on 127.0.0.1 with tokens: 200, 401 without, 403 for a reader's POST;
# /v1/health 200 while ready, 503 (same body) after an unload, 200 after the load;
# GET /metrics passes promtool and carries the kernel's counters of a vGPU held open.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d /tmp/gvtd-rest.XXXXXX)
sock=/run/gvtd/api.sock

api() { curl -s --unix-socket "$sock" "$@"; }
status() { curl -s -o "$tmp/body" -w '%{http_code}' --unix-socket "$sock" "$@"; }
post() { status -X POST -H 'Content-Type: application/json' -d "$2" "http://localhost$1"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start_system_bus
groupadd -g 4242 gvt 2>/dev/null
useradd -u 4243 -G gvt -M alice 2>/dev/null

# TCP with TLS on loopback: a self-signed certificate and two tokens (a user, a reader)
tcp_port=18443
mkdir -p /etc/gvtd/tls
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
	-keyout /etc/gvtd/tls/key.pem -out /etc/gvtd/tls/cert.pem >>"$log" 2>&1 || fail "openssl: no certificate"
user_token=tok-user-$RANDOM$RANDOM reader_token=tok-reader-$RANDOM$RANDOM
{
	echo "sha256:$(printf %s "$user_token" | sha256sum | cut -d' ' -f1) nova user"
	echo "sha256:$(printf %s "$reader_token" | sha256sum | cut -d' ' -f1) watcher reader"
} >/etc/gvtd/api-tokens
chmod 600 /etc/gvtd/api-tokens
printf '[API]\nListenTCP=127.0.0.1:%s\nTLSCertificate=/etc/gvtd/tls/cert.pem\nTLSKey=/etc/gvtd/tls/key.pem\n' \
	"$tcp_port" >/etc/gvtd/gvtd.conf

"$gvtd" --profile=sim --module-dir="$kmod" >>"$log" 2>&1 &
gvtd_pid=$!
for _ in $(seq 600); do
	[ "$(api http://localhost/v1/health 2>/dev/null | json 'd["ready"]' 2>/dev/null)" = True ] && break
	sleep 0.1
done
expect "ready over REST" "$(api http://localhost/v1/health | json 'd["ready"]')" True
expect "socket mode and group" "$(stat -c '%a %G' $sock)" "660 gvt"

parent=$(api http://localhost/v1/parents | json 'd[0]["name"]')
type=$(api "http://localhost/v1/types?parent=$parent" | json '[t["name"] for t in d if t["name"].endswith("_8")][0]')
uuid=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1

# -- events, then a create and a delete
curl -s -N --unix-socket "$sock" http://localhost/v1/events >"$tmp/events" &
sse=$!
# The stream's first frame says it is connected; a fixed sleep lost the
# race under load (CI saw no vgpu-added).
until_ok 15 grep -q '^retry:' "$tmp/events" || fail "SSE stream did not open"
expect "POST /v1/vgpus: 201" "$(post /v1/vgpus "{\"type\":\"$type\",\"uuid\":\"$uuid\"}")" 201
[ -e "/sys/bus/mdev/devices/$uuid" ] && ok "the mdev device exists" || fail "no mdev device $uuid"
expect "listed" "$(api http://localhost/v1/vgpus | json '[v["uuid"] for v in d]')" "['$uuid']"
expect "retry, same body: 200" "$(post /v1/vgpus "{\"type\":\"$type\",\"uuid\":\"$uuid\"}")" 200
expect "retry, other parent: 409" "$(post /v1/vgpus "{\"type\":\"$type\",\"uuid\":\"$uuid\",\"parent\":\"0000:00:09.0\"}")" 409
expect "not open: opened_by null" "$(api "http://localhost/v1/vgpus/$uuid" | json 'd["opened_by"]')" None
hold_open "$uuid"
opened_by_holder() { [ "$(api "http://localhost/v1/vgpus/$uuid" | json 'd["opened_by"]')" = "$holder" ]; }
until_ok 5 opened_by_holder && ok "held open: opened_by is the holder's pid" || fail "opened_by: $(api "http://localhost/v1/vgpus/$uuid")"
expect "DELETE of an open vGPU: 409" "$(status -X DELETE "http://localhost/v1/vgpus/$uuid")" 409
expect "... Busy, naming the process" "$(json 'd["type"], "vfio-check" in d["detail"]' <"$tmp/body")" "urn:gvtd:problem:Busy True"
release_hold
expect "DELETE: 204" "$(status -X DELETE http://localhost/v1/vgpus/$uuid)" 204
[ -e "/sys/bus/mdev/devices/$uuid" ] && fail "mdev device still there" || ok "the mdev device is gone"
expect "DELETE again: 404" "$(status -X DELETE http://localhost/v1/vgpus/$uuid)" 404
until_ok 15 grep -q '^event: vgpu-removed' "$tmp/events"
kill $sse
expect "SSE: added, opened, closed, removed" "$(grep -o '^event: vgpu-[a-z]*' "$tmp/events" | tr '\n' ' ')" \
	"event: vgpu-added event: vgpu-changed event: vgpu-changed event: vgpu-removed "
first=$(grep -B1 '^event: vgpu-added' "$tmp/events" | grep -m1 '^id: ' | cut -d' ' -f2)
curl -s -N --unix-socket "$sock" -H "Last-Event-ID: $first" http://localhost/v1/events >"$tmp/resumed" &
resumed=$!
until_ok 15 grep -q '^event: vgpu-removed' "$tmp/resumed"
kill $resumed; wait $resumed 2>/dev/null
expect "SSE resume after the add: the rest" "$(grep -o '^event: vgpu-[a-z]*' "$tmp/resumed" | tr '\n' ' ')" \
	"event: vgpu-changed event: vgpu-changed event: vgpu-removed "

# -- GET /metrics on the real modules: promtool's check, gvt_base's capacity, the kernel's counters.
# vfio-check session: open; 3 config reads, 2 config writes, 5 BAR0 reads, 4 BAR0 writes; reset; close
# (tests/vm/kmod/test-genl.sh sees the same counts in the genl dump).
expect "POST a vGPU for the metrics: 201" "$(post /v1/vgpus "{\"type\":\"$type\",\"uuid\":\"$uuid\"}")" 201
"$build/tests/vm/kmod/vfio-check" session "$uuid" >"$tmp/session" 2>&1 || fail "vfio-check session: $(cat "$tmp/session")"
metric() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/metrics"; }
expect "GET /metrics: 200" "$(curl -s -o "$tmp/metrics" -D "$tmp/mhead" -w '%{http_code}' --unix-socket "$sock" http://localhost/metrics)" 200
expect_contains "... text format 0.0.4" "$(cat "$tmp/mhead")" "Content-Type: text/plain; version=0.0.4; charset=utf-8"
promtool check metrics <"$tmp/metrics" >"$tmp/promtool" 2>&1 && ok "promtool check metrics" || fail "promtool: $(cat "$tmp/promtool")"
grep '^gvtd_vgpu_' "$tmp/metrics" | sed 's/^/# /'
v="uuid=\"$uuid\",parent=\"$parent\""
expect "the kernel's counters: opens, config r/w, BAR0 r/w, resets" \
	"$(metric "gvtd_vgpu_opens_total{$v}") $(metric "gvtd_vgpu_config_accesses_total{$v,op=\"read\"}") $(metric "gvtd_vgpu_config_accesses_total{$v,op=\"write\"}") $(metric "gvtd_vgpu_mmio_accesses_total{$v,op=\"read\"}") $(metric "gvtd_vgpu_mmio_accesses_total{$v,op=\"write\"}") $(metric "gvtd_vgpu_resets_total{$v}")" \
	"1 3 2 5 4 1"
aperture_mb=$(cat /sys/module/gvt_base/parameters/aperture_mb)
expect "capacity exact on gvt_base" "$(metric "gvtd_parent_capacity_exact{parent=\"$parent\"}")" 1
expect "aperture capacity: aperture_mb in bytes" \
	"$(metric "gvtd_parent_memory_capacity_bytes{parent=\"$parent\",resource=\"aperture\"}")" $((aperture_mb << 20))
low_mib=$(api "http://localhost/v1/types?parent=$parent" | json "[t['aperture_mib'] for t in d if t['name'] == '$type'][0]")
expect "aperture allocated: the one vGPU's" \
	"$(metric "gvtd_parent_memory_allocated_bytes{parent=\"$parent\",resource=\"aperture\"}")" $((low_mib << 20))
expect "DELETE the metrics' vGPU: 204" "$(status -X DELETE "http://localhost/v1/vgpus/$uuid")" 204

# -- capacity: the resource that ran out
big=$(api "http://localhost/v1/types?parent=$parent" | json '[t["name"] for t in d if t["name"].endswith("_2")][0]')
n=$(api "http://localhost/v1/types?parent=$parent" | json "[t['available'] for t in d if t['name'] == '$big'][0]")
for _ in $(seq "$n"); do post /v1/vgpus "{\"type\":\"$big\"}" >/dev/null; done
expect "one too many: 409" "$(post /v1/vgpus "{\"type\":\"$big\"}")" 409
expect "NoCapacity with a resource" "$(json 'd["type"], bool(d.get("resource"))' <"$tmp/body")" \
	"urn:gvtd:problem:NoCapacity True"
for u in $(api http://localhost/v1/vgpus | json '" ".join(v["uuid"] for v in d)'); do
	status -X DELETE "http://localhost/v1/vgpus/$u" >/dev/null
done

# -- definitions: define, start, stop, modify, undefine; a quota and the create over it
duuid=5c7e2d1a-0f3b-4c55-8e2a-9d6b1f4a7c30
put() { status -X "$1" -H 'Content-Type: application/json' -d "$3" "http://localhost$2"; }
expect "define: 201" "$(post /v1/vgpus "{\"type\":\"$type\",\"uuid\":\"$duuid\",\"persistent\":true}")" 201
expect "defined, not running" "$(json 'd["state"], d["persistent"]' <"$tmp/body")" "defined True"
[ -f "/etc/mdevctl.d/$parent/$duuid" ] && ok "the mdevctl file" || fail "no /etc/mdevctl.d/$parent/$duuid"
expect "define retried: 200" "$(post /v1/vgpus "{\"type\":\"$type\",\"uuid\":\"$duuid\",\"persistent\":true}")" 200
expect "start: 200" "$(status -X POST "http://localhost/v1/vgpus/$duuid/start")" 200
expect "started: active" "$(json 'd["state"]' <"$tmp/body")" active
[ -e "/sys/bus/mdev/devices/$duuid" ] && ok "started: the mdev device exists" || fail "no mdev device $duuid"
expect "DELETE of a running definition: 409" "$(status -X DELETE "http://localhost/v1/vgpus/$duuid")" 409
expect "... Busy" "$(json 'd["type"]' <"$tmp/body")" urn:gvtd:problem:Busy
expect "stop: 200" "$(status -X POST "http://localhost/v1/vgpus/$duuid/stop")" 200
[ -e "/sys/bus/mdev/devices/$duuid" ] && fail "mdev device still there after stop" || ok "stopped: the device is gone"
expect "stopped: still defined" "$(api "http://localhost/v1/vgpus?state=defined" | json '[v["uuid"] for v in d]')" "['$duuid']"
expect "PATCH autostart: 200" "$(put PATCH "/v1/vgpus/$duuid" '{"autostart":true}')" 200
expect_contains "PATCH: start auto in the file" "$(cat "/etc/mdevctl.d/$parent/$duuid")" '"auto"'
expect "DELETE (undefine): 204" "$(status -X DELETE "http://localhost/v1/vgpus/$duuid")" 204
[ -f "/etc/mdevctl.d/$parent/$duuid" ] && fail "mdevctl file still there" || ok "undefined: the file is gone"
expect "PUT /v1/quotas/alice: 200" "$(put PUT /v1/quotas/alice '{"limits":{"vgpus":1}}')" 200
expect "create for alice: 201" "$(post /v1/vgpus "{\"type\":\"$type\",\"owner\":\"alice\"}")" 201
auuid=$(json 'd["uuid"]' <"$tmp/body")
expect "second create for alice: 409" "$(post /v1/vgpus "{\"type\":\"$type\",\"owner\":\"alice\"}")" 409
expect "QuotaExceeded with limit and usage" "$(json 'd["type"], d["resource"], d["quota"]["limit"], d["quota"]["usage"]' <"$tmp/body")" \
	"urn:gvtd:problem:QuotaExceeded vgpus 1 1"
expect "GET /v1/quotas/alice: usage" "$(api http://localhost/v1/quotas/alice | json 'd["usage"]["vgpus"]')" 1
status -X DELETE "http://localhost/v1/vgpus/$auuid" >/dev/null
expect "quota removed" "$(put PUT /v1/quotas/alice '{"limits":{}}')" 200

# -- who may: nobody cannot reach the socket; alice (group gvt, no polkit rule) may read
expect "nobody: no access to the socket" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups curl -s -o /dev/null -w '%{http_code}' --unix-socket $sock http://localhost/v1 2>/dev/null)" 000
expect "alice: read 200" "$(setpriv --reuid=4243 --regid=4243 --init-groups curl -s -o /dev/null -w '%{http_code}' --unix-socket $sock http://localhost/v1/vgpus)" 200
# gvt is alice's supplementary group (useradd -G), and no polkit decides here:
# the group decides, with the groups gvtd copied before asking polkit.
ua=$(cat /proc/sys/kernel/random/uuid)
expect "alice (group gvt): create 201" \
	"$(setpriv --reuid=4243 --regid=4243 --init-groups curl -s -o /dev/null -w '%{http_code}' --unix-socket $sock \
		-X POST -H 'Content-Type: application/json' -d "{\"type\":\"$type\",\"uuid\":\"$ua\"}" http://localhost/v1/vgpus)" 201
expect "alice (group gvt): delete 204" \
	"$(setpriv --reuid=4243 --regid=4243 --init-groups curl -s -o /dev/null -w '%{http_code}' --unix-socket $sock \
		-X DELETE "http://localhost/v1/vgpus/$ua")" 204

# -- a stalled event client does not slow a create/delete loop
python3 - "$sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.sendall(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(60)
PY
stall=$!
sleep 0.5
start=$(date +%s)
for i in $(seq 20); do
	post /v1/vgpus "{\"type\":\"$type\",\"uuid\":\"$uuid\"}" >/dev/null
	status -X DELETE "http://localhost/v1/vgpus/$uuid" >/dev/null
done
elapsed=$(($(date +%s) - start))
# A stream that blocked the loop would stall it for good; under TCG each round takes about a second.
[ $elapsed -lt 90 ] && ok "20 create/delete beside a stalled stream in ${elapsed}s" || fail "loop took ${elapsed}s"
expect "nothing left" "$(api http://localhost/v1/vgpus)" "[]"
kill $stall 2>/dev/null

# -- TCP+TLS on 127.0.0.1: a token is needed, a reader may not create
tls() { curl -s -o "$tmp/body" -w '%{http_code}' --cacert /etc/gvtd/tls/cert.pem "$@"; }
url=https://localhost:$tcp_port/v1
expect "TLS with a user token: 200" "$(tls -H "Authorization: Bearer $user_token" "$url/vgpus")" 200
expect "TLS without a token: 401" "$(tls "$url/vgpus")" 401
expect "... Unauthorized" "$(json 'd["type"]' <"$tmp/body")" urn:gvtd:problem:Unauthorized
expect "TLS with a wrong token: 401" "$(tls -H "Authorization: Bearer tok-nobody" "$url/vgpus")" 401
expect "TLS reader POST: 403" "$(tls -H "Authorization: Bearer $reader_token" -X POST \
	-H 'Content-Type: application/json' -d "{\"type\":\"$type\"}" "$url/vgpus")" 403
expect "... NotPermitted" "$(json 'd["type"]' <"$tmp/body")" urn:gvtd:problem:NotPermitted
expect "plain HTTP on the TLS port is refused" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tcp_port/v1")" 000
expect "nothing created over TCP" "$(api http://localhost/v1/vgpus)" "[]"
rm -rf /etc/gvtd/gvtd.conf /etc/gvtd/api-tokens /etc/gvtd/tls

# -- health by its status code alone (a probe like curl -f): 200 while ready, 503 with the same body when not
expect "health while ready: 200" "$(status http://localhost/v1/health)" 200
expect "unload over REST: 200" "$(post /v1/host/modules '{"action":"unload"}')" 200
expect "health after the unload: 503" "$(status http://localhost/v1/health)" 503
expect "... the same body, not ready" "$(json 'd["live"], d["ready"], d["modules"] != "ready"' <"$tmp/body")" "True False True"
curl -sf -o /dev/null --unix-socket "$sock" http://localhost/v1/health && fail "curl -f passed while not ready" ||
	ok "curl -f fails while not ready"
post /v1/host/modules '{"action":"load"}' >/dev/null
health_ok() { curl -sf -o /dev/null --unix-socket "$sock" http://localhost/v1/health; }
until_ok 120 health_ok && ok "loaded again: health 200" || fail "health after the load: $(api http://localhost/v1/health)"

kill -0 $gvtd_pid && ok "gvtd still running" || fail "gvtd died"
finish
