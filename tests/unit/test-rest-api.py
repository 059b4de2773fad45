#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""gvtd's REST API on the host, no kernel: a private bus, a scratch sysfs
tree, the unix socket and a loopback TCP listener with tokens (plain and
TLS). Every response is checked against api/openapi.yaml.
usage: test-rest-api.py GVTD FAKE_SYSFS SRCDIR"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

gvtd, fake, src = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "tests", "rest"))
import gvtapi  # noqa: E402
import scratchd  # noqa: E402

from scratchd import expect, free_port, raw, read_until, stream, wait_for  # noqa: E402

scratch = scratchd.Scratch(gvtd, fake)
root, tokens = scratch.root, scratch.tokens
uuid = "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1"
dev = f"{root}/sys/devices/pci0000:00/0000:00:02.0/{uuid}"
port, tls_port = free_port(), free_port()
start = scratch.start


try:
    spec = gvtapi.Spec(os.path.join(src, "api", "openapi.yaml"))
    d = start(f"[API]\nListenTCP=127.0.0.1:{port}\n", "log1")
    sock = f"{root}/run/gvtd/api.sock"
    wait_for(lambda: os.path.exists(sock) and socket.create_connection(("127.0.0.1", port)).close() is None)
    api = gvtapi.Client(spec, unix=sock)

    # -- reads
    s, _, b = api.request("GET", "/v1")
    expect("GET /v1", s, 200)
    expect("GET /v1 links vgpus, metrics", (b["links"]["vgpus"], b["links"]["metrics"]), ("/v1/vgpus", "/metrics"))
    # --no-load: live but not ready, so a probe on the status code fails (200 once ready: VM test-rest)
    s, h, b = api.request("GET", "/v1/health")
    expect("GET /v1/health before the modules are ready: 503, same body", (s, b),
           (503, {"live": True, "ready": False, "modules": "idle"}))
    expect("GET /v1/health 503: Retry-After", h.get("Retry-After"), "5")
    s, _, b = api.request("GET", "/v1/host")
    expect("GET /v1/host profile", (s, b["profile"]), (200, "sim"))
    s, _, b = api.request("GET", "/v1/parents")
    expect("GET /v1/parents", (s, [p["name"] for p in b]), (200, ["0000:00:02.0"]))
    expect("GET /v1/parents/ID", api.request("GET", "/v1/parents/0000:00:02.0")[0], 200)
    s, _, b = api.request("GET", "/v1/types?parent=0000:00:02.0")
    expect("GET /v1/types?parent", (s, len(b)), (200, 3))
    expect("V5_4 availability", [t["available"] for t in b if t["name"].endswith("_4")], [3])
    expect("GET /v1/vgpus empty", api.request("GET", "/v1/vgpus")[2], [])
    # the planner: no aperture_mb in this tree, so the figures are lower bounds from
    # available_instances (fake-sysfs.sh: _8 6, _4 3, _2 1, i.e. 384 MiB aperture proven)
    s, _, b = api.request("POST", "/v1/plan", body={"vgpus": [{"type": "GVTg_V5_4", "count": 2}, {"type": "GVTg_V5_8"}]})
    expect("POST /v1/plan fits", (s, b["fits"], b["exact"], b["short"]), (200, True, False, None))
    expect("POST /v1/plan placements", [(p["vgpu"], p["parent"]) for p in b["placements"]],
           [("GVTg_V5_4", "0000:00:02.0")] * 2 + [("GVTg_V5_8", "0000:00:02.0")])
    expect("POST /v1/plan most", sorted((m["type"], m["most"]) for m in b["most"]),
           [("gvt_base-GVTg_V5_2", 1), ("gvt_base-GVTg_V5_4", 3), ("gvt_base-GVTg_V5_8", 6)])
    s, _, b = api.request("POST", "/v1/plan", body={"vgpus": [{"type": "gvt_base-GVTg_V5_8", "count": 7}]})
    expect("POST /v1/plan 7 x _8: short", (s, b["fits"], b["short"]),
           (200, False, {"vgpu": "gvt_base-GVTg_V5_8", "parent": "0000:00:02.0", "resource": "aperture"}))
    expect("nothing was created by planning", api.request("GET", "/v1/vgpus")[2], [])
    s, _, b = api.request("GET", "/v1/diagnostics")
    expect("GET /v1/diagnostics", (s, b["state"], [c["id"] for c in b["checks"]][:3]), (200, "fail", ["gpu", "enable-gvt", "iommu"]))

    # -- errors, each a documented problem
    def problem(what, status, ptype, *args, **kw):
        s, h, b = api.request(*args, **kw)
        expect(what, (s, (b or {}).get("type")), (status, "urn:gvtd:problem:" + ptype))
        return h, b

    problem("unknown path", 404, "NotFound", "GET", "/v1/nothing")
    # /metrics is served (test-rest-metrics.py checks what it says); a path below it is not
    s, h, _ = api.request("GET", "/metrics")
    expect("GET /metrics: 200 text format", (s, h.get("Content-Type")), (200, "text/plain; version=0.0.4; charset=utf-8"))
    problem("below /metrics", 404, "NotFound", "GET", "/metrics/x")
    problem("unknown parent", 404, "NotFound", "GET", "/v1/parents/0000:00:09.0")
    problem("unknown vGPU", 404, "NotFound", "GET", f"/v1/vgpus/{uuid}")
    h, _ = problem("wrong method", 405, "MethodNotAllowed", "PUT", "/v1/vgpus", body={})
    expect("405 Allow", h.get("Allow"), "GET, POST")
    problem("bad uuid", 400, "InvalidArgument", "GET", "/v1/vgpus/not-a-uuid")
    problem("over-long uuid", 400, "InvalidArgument", "DELETE", "/v1/vgpus/" + "a" * 300)
    problem("unknown query", 400, "InvalidArgument", "GET", "/v1/vgpus?colour=red")
    problem("bad parent filter", 400, "InvalidArgument", "GET", "/v1/types?parent=..")
    problem("wrong content type", 415, "UnsupportedMediaType", "POST", "/v1/vgpus", raw=b"{}",
            headers={"Content-Type": "text/plain"})
    _, b = problem("malformed JSON", 400, "MalformedJson", "POST", "/v1/vgpus", raw=b'{"type": ',
                   headers={"Content-Type": "application/json"})
    expect("malformed JSON says where", (b.get("line"), b.get("column")), (1, 9))
    _, b = problem("unknown member", 400, "InvalidArgument", "POST", "/v1/vgpus", body={"type": "x", "colour": 1})
    expect("unknown member named", b["invalid-params"][0]["name"], "colour")
    _, b = problem("wrong type", 400, "InvalidArgument", "POST", "/v1/vgpus", body={"type": 5})
    expect("wrong type named", b["invalid-params"][0]["name"], "type")
    _, b = problem("path-like type", 400, "InvalidArgument", "POST", "/v1/vgpus", body={"type": "../../x"})
    expect("path-like type named", b["invalid-params"][0]["name"], "type")
    problem("missing type", 400, "InvalidArgument", "POST", "/v1/vgpus", body={"parent": "0000:00:02.0"})
    problem("body too large", 413, "PayloadTooLarge", "POST", "/v1/vgpus", raw=b" " * (65 * 1024),
            headers={"Content-Type": "application/json"})
    problem("unknown type", 404, "NotFound", "POST", "/v1/vgpus", body={"type": "gvt_base-GVTg_V5_3"})
    for what, body in (("no vgpus", {}), ("empty vgpus", {"vgpus": []}), ("count 0", {"vgpus": [{"type": "GVTg_V5_8", "count": 0}]}),
                       ("count 65", {"vgpus": [{"type": "GVTg_V5_8", "count": 65}]}), ("extra member", {"vgpus": [{"type": "GVTg_V5_8", "n": 1}]}),
                       ("path-like type", {"vgpus": [{"type": "../x"}]})):
        problem(f"plan: {what}", 400, "InvalidArgument", "POST", "/v1/plan", body=body)
    problem("plan: unknown type", 404, "NotFound", "POST", "/v1/plan", body={"vgpus": [{"type": "GVTg_V5_9"}]})
    problem("plan: unknown parent", 404, "NotFound", "POST", "/v1/plan", body={"vgpus": [{"type": "GVTg_V5_8"}], "parent": "0000:00:09.0"})
    problem("modules: bad action", 400, "InvalidArgument", "POST", "/v1/host/modules", body={"action": "reload"})
    expect("nothing was created", api.request("GET", "/v1/vgpus")[2], [])

    # -- a vGPU appears (as the kernel would make it): listed, and an SSE event
    ev = stream(sock)
    time.sleep(0.3)
    os.makedirs(dev)
    os.symlink("../mdev_supported_types/gvt_base-GVTg_V5_4", f"{dev}/mdev_type")
    os.symlink(f"../../../devices/pci0000:00/0000:00:02.0/{uuid}", f"{root}/sys/bus/mdev/devices/{uuid}")
    got = read_until(ev, b"vgpu-added")
    expect("SSE: text/event-stream", b"Content-Type: text/event-stream" in got, True)
    expect("SSE: vgpu-added with the uuid", b"event: vgpu-added" in got and uuid.encode() in got, True)
    event_id = [ln.split(b": ")[1] for ln in got.split(b"\n") if ln.startswith(b"id: ")]
    expect("SSE: the event has an id", len(event_id), 1)
    s, _, b = api.request("GET", f"/v1/vgpus/{uuid}")
    expect("GET /v1/vgpus/UUID", (s, b and b["type"], b and b["owner"]), (200, "gvt_base-GVTg_V5_4", "root"))
    expect("filter by type", len(api.request("GET", "/v1/vgpus?type=gvt_base-GVTg_V5_4")[2]), 1)
    expect("filter by parent", len(api.request("GET", "/v1/vgpus?parent=0000:00:09.0")[2]), 0)

    # -- idempotent create: the same body again is the existing vGPU; a different one a conflict
    same = {"type": "gvt_base-GVTg_V5_4", "uuid": uuid, "owner": "root"}
    s, h, b = api.request("POST", "/v1/vgpus", body=same)
    expect("retried create: 200", (s, h.get("Location")), (200, f"/v1/vgpus/{uuid}"))
    problem("same uuid, other type: 409", 409, "AlreadyExists", "POST", "/v1/vgpus",
            body={"type": "gvt_base-GVTg_V5_8", "uuid": uuid})

    # -- the vGPU goes; resume from the add's id gives the removal
    os.unlink(f"{root}/sys/bus/mdev/devices/{uuid}")
    shutil.rmtree(dev)
    wait_for(lambda: api.request("GET", "/v1/vgpus")[2] == [])
    got = read_until(stream(sock, event_id[0]), b"vgpu-removed")
    expect("SSE resume: vgpu-removed after the add", b"event: vgpu-removed" in got and b"vgpu-added" not in got, True)
    got = read_until(stream(sock, b"12"), b"resync")
    expect("SSE resume from an unknown id: resync", b"event: resync" in got, True)

    # -- definitions: define, list, retry, modify, start, stop, delete (no kernel: start writes the create file)
    duuid = "5c7e2d1a-0f3b-4c55-8e2a-9d6b1f4a7c30"
    ddev = f"{root}/sys/devices/pci0000:00/0000:00:02.0/{duuid}"
    define = {"type": "gvt_base-GVTg_V5_4", "uuid": duuid, "persistent": True, "autostart": True,
              "attrs": [{"name": "x", "value": "1"}]}
    s, h, b = api.request("POST", "/v1/vgpus", body=define)
    expect("define: 201", (s, h.get("Location")), (201, f"/v1/vgpus/{duuid}"))
    expect("define: state defined, autostart, owner", (b["state"], b["autostart"], b["persistent"], b["owner"]),
           ("defined", True, True, "root"))
    expect("define: mdevctl file", os.path.exists(f"{root}/etc/mdevctl.d/0000:00:02.0/{duuid}"), True)
    expect("retried define: 200", api.request("POST", "/v1/vgpus", body=define)[0], 200)
    problem("define, same uuid, other autostart: 409", 409, "AlreadyExists", "POST", "/v1/vgpus",
            body=dict(define, autostart=False))
    problem("transient create of a defined uuid: 409", 409, "AlreadyExists", "POST", "/v1/vgpus",
            body={"type": "gvt_base-GVTg_V5_4", "uuid": duuid})
    expect("GET defined", api.request("GET", f"/v1/vgpus/{duuid}")[2]["state"], "defined")
    expect("list: the definition", [v["uuid"] for v in api.request("GET", "/v1/vgpus")[2]], [duuid])
    expect("filter state=defined", len(api.request("GET", "/v1/vgpus?state=defined")[2]), 1)
    expect("filter state=active", len(api.request("GET", "/v1/vgpus?state=active")[2]), 0)
    expect("filter owner=root", len(api.request("GET", "/v1/vgpus?owner=root")[2]), 1)
    expect("filter owner=nobody", len(api.request("GET", "/v1/vgpus?owner=nobody")[2]), 0)
    problem("bad state filter", 400, "InvalidArgument", "GET", "/v1/vgpus?state=sleeping")
    problem("bad owner filter", 400, "InvalidArgument", "GET", "/v1/vgpus?owner=Root%2F..")
    problem("autostart without persistent", 400, "InvalidArgument", "POST", "/v1/vgpus",
            body={"type": "gvt_base-GVTg_V5_4", "autostart": True})
    _, b = problem("persistent not a boolean", 400, "InvalidArgument", "POST", "/v1/vgpus",
                   body={"type": "gvt_base-GVTg_V5_4", "persistent": "yes"})
    expect("persistent named", b["invalid-params"][0]["name"], "persistent")
    problem("bad attrs", 400, "InvalidArgument", "POST", "/v1/vgpus",
            body={"type": "gvt_base-GVTg_V5_4", "persistent": True, "attrs": [{"name": "x"}]})
    problem("path-like attr name", 400, "InvalidArgument", "POST", "/v1/vgpus",
            body={"type": "gvt_base-GVTg_V5_4", "persistent": True, "attrs": [{"name": "../x", "value": "1"}]})
    _, b = problem("invalid owner", 400, "InvalidArgument", "POST", "/v1/vgpus",
                   body={"type": "gvt_base-GVTg_V5_4", "persistent": True, "owner": "Bad/Owner"})
    expect("owner named", b["invalid-params"][0]["name"], "owner")

    s, _, b = api.request("PATCH", f"/v1/vgpus/{duuid}", body={"type": "gvt_base-GVTg_V5_8", "autostart": False,
                                                               "attrs": []})
    expect("PATCH: 200, changed", (s, b["type"], b["autostart"], b["attrs"]), (200, "gvt_base-GVTg_V5_8", False, []))
    problem("PATCH unknown member", 400, "InvalidArgument", "PATCH", f"/v1/vgpus/{duuid}", body={"start": "auto"})
    problem("PATCH autostart not a boolean", 400, "InvalidArgument", "PATCH", f"/v1/vgpus/{duuid}",
            body={"autostart": 1})
    problem("PATCH unknown type", 404, "NotFound", "PATCH", f"/v1/vgpus/{duuid}", body={"type": "gvt_base-GVTg_V5_3"})
    problem("PATCH of no definition", 404, "NotFound", "PATCH", f"/v1/vgpus/{uuid}", body={"autostart": True})

    s, _, b = api.request("POST", f"/v1/vgpus/{duuid}/start")
    with open(f"{root}/sys/devices/pci0000:00/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_8/create") as f:
        expect("start without a body: the create file got the uuid", (s, f.read().strip()), (200, duuid))
    problem("stop of a definition that does not run", 404, "NotFound", "POST", f"/v1/vgpus/{duuid}/stop", body={})
    problem("start with a body", 400, "InvalidArgument", "POST", f"/v1/vgpus/{duuid}/start", body={"now": True})
    # the kernel would make it: now it runs
    os.makedirs(ddev)
    open(f"{ddev}/remove", "w").close()
    os.symlink("../mdev_supported_types/gvt_base-GVTg_V5_8", f"{ddev}/mdev_type")
    os.symlink(f"../../../devices/pci0000:00/0000:00:02.0/{duuid}", f"{root}/sys/bus/mdev/devices/{duuid}")
    wait_for(lambda: api.request("GET", f"/v1/vgpus/{duuid}")[2]["state"] == "active")
    s, _, b = api.request("GET", f"/v1/vgpus/{duuid}")
    expect("running definition: active, persistent", (b["state"], b["persistent"]), ("active", True))
    problem("PATCH of a running definition: Busy", 409, "Busy", "PATCH", f"/v1/vgpus/{duuid}", body={"autostart": True})
    problem("DELETE of a running definition: Busy", 409, "Busy", "DELETE", f"/v1/vgpus/{duuid}")
    s, _, b = api.request("POST", f"/v1/vgpus/{duuid}/stop")
    with open(f"{ddev}/remove") as f:
        expect("stop: the remove file written", (s, f.read().strip()), (200, "1"))
    os.unlink(f"{root}/sys/bus/mdev/devices/{duuid}")
    shutil.rmtree(ddev)
    wait_for(lambda: api.request("GET", f"/v1/vgpus/{duuid}")[2]["state"] == "defined")
    expect("stopped: defined again", api.request("GET", f"/v1/vgpus/{duuid}")[2]["state"], "defined")
    expect("DELETE of a stopped definition: 204", api.request("DELETE", f"/v1/vgpus/{duuid}")[0], 204)
    expect("undefined: file gone", os.path.exists(f"{root}/etc/mdevctl.d/0000:00:02.0/{duuid}"), False)
    problem("DELETE again: 404", 404, "NotFound", "DELETE", f"/v1/vgpus/{duuid}")

    # -- GET /v1/definitions: a file gvtd cannot use is listed with the reason, and left as it is
    bad_uuid, good_uuid = "55555555-5555-4555-8555-555555555555", "33333333-3333-4333-8333-333333333333"
    defdir = f"{root}/etc/mdevctl.d/0000:00:02.0"
    bad_text = '{"mdev_type": "gvt_base-GVTg_V5_8", "attrs": []}\n'
    with open(f"{defdir}/{bad_uuid}", "w") as f:
        f.write(bad_text)
    with open(f"{defdir}/{good_uuid}", "w") as f:
        f.write('{"mdev_type":"gvt_base-GVTg_V5_8","start":"Manual","attrs":null}')
    s, _, b = api.request("GET", "/v1/definitions")
    expect("GET /v1/definitions: the one mdevctl accepts", (s, [(x["uuid"], x["autostart"]) for x in b["definitions"]]),
           (200, [(good_uuid, False)]))
    expect("GET /v1/definitions: the one neither can use, with why",
           [(x["uuid"], x["path"], x["reason"].startswith('"start" is missing')) for x in b["unreadable"]],
           [(bad_uuid, f"{defdir}/{bad_uuid}", True)])
    problem("start of the unreadable one: 404 with the reason", 404, "NotFound", "POST", f"/v1/vgpus/{bad_uuid}/start")
    with open(f"{defdir}/{bad_uuid}") as f:
        expect("the unreadable file is as it was", f.read(), bad_text)
    expect("nothing set aside", [n for n in os.listdir(defdir) if "corrupt" in n], [])
    os.unlink(f"{defdir}/{bad_uuid}")
    os.unlink(f"{defdir}/{good_uuid}")
    expect("GET /v1/definitions: gone with the files", api.request("GET", "/v1/definitions")[2],
           {"definitions": [], "unreadable": []})

    # -- quotas
    s, _, b = api.request("PUT", "/v1/quotas/alice", body={"limits": {"vgpus": 1, "aperture-mib": 4096}})
    expect("PUT quota", (s, b["limits"], b["usage"]["vgpus"]), (200, {"vgpus": 1, "aperture-mib": 4096}, 0))
    s, _, b = api.request("PUT", "/v1/quotas/@default", body={"limits": {"weight": 16}})
    expect("PUT @default", (s, b["limits"]), (200, {"weight": 16}))
    s, _, b = api.request("POST", "/v1/vgpus", body={"type": "gvt_base-GVTg_V5_4", "persistent": True,
                                                     "owner": "alice"})
    expect("define for alice within quota", s, 201)
    alice = b["uuid"]
    s, _, b = api.request("GET", "/v1/quotas/alice")
    expect("GET quota: usage counts the definition", (s, b["usage"]["vgpus"], b["usage"]["aperture-mib"]),
           (200, 1, 128))
    _, b = problem("over alice's quota", 409, "QuotaExceeded", "POST", "/v1/vgpus",
                   body={"type": "gvt_base-GVTg_V5_4", "owner": "alice"})
    expect("QuotaExceeded: limit and usage", (b.get("resource"), b.get("quota")),
           ("vgpus", {"owner": "alice", "limit": 1, "usage": 1, "request": 1}))
    expect("GET /v1/quotas", sorted(q["owner"] for q in api.request("GET", "/v1/quotas")[2]),
           ["@default", "alice"])
    expect("GET quota of an owner without an entry", api.request("GET", "/v1/quotas/bob")[2]["limits"], {})
    problem("PUT negative limit", 400, "InvalidArgument", "PUT", "/v1/quotas/alice", body={"limits": {"vgpus": -1}})
    problem("PUT limit not an integer", 400, "InvalidArgument", "PUT", "/v1/quotas/alice",
            body={"limits": {"vgpus": "3"}})
    problem("PUT unknown limit", 400, "InvalidArgument", "PUT", "/v1/quotas/alice", body={"limits": {"gpus": 3}})
    problem("PUT unknown member", 400, "InvalidArgument", "PUT", "/v1/quotas/alice",
            body={"limits": {}, "usage": {}})
    problem("PUT limits not an object", 400, "InvalidArgument", "PUT", "/v1/quotas/alice", body={"limits": [1]})
    problem("invalid owner in the path", 400, "InvalidArgument", "GET", "/v1/quotas/Alice")
    problem("invalid owner, PUT", 400, "InvalidArgument", "PUT", "/v1/quotas/a..b%20c", body={"limits": {}})
    expect("quota unchanged by bad input", api.request("GET", "/v1/quotas/alice")[2]["limits"],
           {"vgpus": 1, "aperture-mib": 4096})
    s, _, b = api.request("PUT", "/v1/quotas/alice", body={"limits": {}})
    expect("PUT no limits: entry removed", (s, b["limits"]), (200, {}))
    expect("undefine alice's", api.request("DELETE", f"/v1/vgpus/{alice}")[0], 204)
    api.request("PUT", "/v1/quotas/@default", body={"limits": {}})
    expect("all gone", api.request("GET", "/v1/vgpus")[2], [])

    # -- 32 clients at once, each on its own connection, reading and defining under a quota
    limit = 5
    expect("PUT carol's quota", api.request("PUT", "/v1/quotas/carol", body={"limits": {"vgpus": limit}})[0], 200)
    results, seen_max = [], [0]
    lock = threading.Lock()

    def client(n):
        c = gvtapi.Client(spec, unix=sock)
        conn, mine = gvtapi.UnixConnection(sock), []
        for i in range(12):
            if (i + n) % 4 == 0:
                req = ("POST", "/v1/vgpus", json.dumps({"type": "gvt_base-GVTg_V5_4", "persistent": True,
                                                        "owner": "carol"}).encode())
            else:
                req = ("GET", "/v1/vgpus?owner=carol", None)
            try:
                conn.request(req[0], req[1], body=req[2],
                             headers={"Content-Type": "application/json"} if req[2] else {})
                r = conn.getresponse()
            except (http.client.HTTPException, OSError) as e:
                mine.append((req[0], repr(e), None))
                conn.close()
                conn = gvtapi.UnixConnection(sock)
                continue
            text = r.read()
            hdrs = dict(r.getheaders())
            c.errors += spec.check(req[0], req[1].split("?")[0], r.status, hdrs, text)
            body = json.loads(text) if text and "json" in hdrs.get("Content-Type", "") else None
            mine.append((req[0], r.status, body))
            if req[0] == "GET" and r.status == 200:
                with lock:
                    seen_max[0] = max(seen_max[0], len(body))
        conn.close()
        with lock:
            results.extend(mine)
            api.errors.extend(c.errors)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    expect("32 clients: all finished", [t.is_alive() for t in threads].count(True), 0)
    expect("32 clients: every request answered", len(results), 32 * 12)
    bad = [(m, s, b and b.get("type")) for m, s, b in results
           if not (m == "GET" and s == 200) and not (m == "POST" and s == 201) and
           not (m == "POST" and s == 409 and b and b.get("type") in
                ("urn:gvtd:problem:QuotaExceeded", "urn:gvtd:problem:NoCapacity"))]
    expect("32 clients: only 200, 201 or 409 QuotaExceeded/NoCapacity", bad[:5], [])
    created = sum(1 for m, s, _ in results if m == "POST" and s == 201)
    refused = sum(1 for m, s, _ in results if m == "POST" and s == 409)
    expect("32 clients: creates up to the quota, the rest refused", (created, created + refused),
           (limit, sum(1 for m, _, _ in results if m == "POST")))
    expect("32 clients: no read saw more than the quota", seen_max[0] <= limit, True)
    carol = api.request("GET", "/v1/vgpus?owner=carol")[2]
    expect("32 clients: carol's vGPUs, the quota's usage", (len(carol),
           api.request("GET", "/v1/quotas/carol")[2]["usage"]["vgpus"]), (limit, limit))
    for v in carol:
        api.request("DELETE", f"/v1/vgpus/{v['uuid']}")
    api.request("PUT", "/v1/quotas/carol", body={"limits": {}})
    expect("32 clients: cleaned up", api.request("GET", "/v1/vgpus")[2], [])

    # -- headers beyond the connection's 32 KiB: libmicrohttpd's own 431 (not a problem document).
    # test-rest-limits checks that it comes at once; here only that it comes.
    status, took = raw(sock, b"GET /v1/vgpus HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (40 * 1024) + b"\r\n\r\n", 35)
    print(f"# 431 after {took:.1f} s")
    expect("headers too large: 431", status, 431)

    # -- a stalled event client does not hold up others
    stalled = [stream(sock) for _ in range(4)]
    start_t = time.monotonic()
    for _ in range(50):
        api.request("GET", "/v1/parents")
    expect("50 reads beside stalled streams within 5 s", time.monotonic() - start_t < 5, True)
    for c in stalled:
        c.close()

    # -- TCP: tokens and roles
    def tcp(token):
        c = gvtapi.Client(spec, host="127.0.0.1", port=port, token=token)
        c.errors = api.errors  # every response is checked, whichever client got it
        return c

    s, h, b = tcp(None).request("GET", "/v1/vgpus")
    expect("TCP without token: 401", (s, b["type"]), (401, "urn:gvtd:problem:Unauthorized"))
    expect("401 WWW-Authenticate", h.get("WWW-Authenticate", "").startswith("Bearer"), True)
    expect("TCP wrong token: 401", tcp("tok-admin-4").request("GET", "/v1")[0], 401)
    for role in tokens:
        expect(f"TCP {role}: read", tcp(tokens[role]).request("GET", "/v1/vgpus")[0], 200)
    s, _, b = tcp(tokens["reader"]).request("POST", "/v1/vgpus", body={"type": "gvt_base-GVTg_V5_4"})
    expect("reader may not create: 403", (s, b["type"]), (403, "urn:gvtd:problem:NotPermitted"))
    s, _, b = tcp(tokens["user"]).request("POST", "/v1/vgpus", body={"type": "gvt_base-GVTg_V5_4",
                                                                     "owner": "someone-else"})
    expect("user may not create for another owner: 403", s, 403)
    s, _, b = tcp(tokens["user"]).request("POST", "/v1/host/modules", body={"action": "unload"})
    expect("user: unloading nothing loaded is a no-op", s, 200)
    s, _, b = tcp(tokens["user"]).request("POST", "/v1/host/modules", body={"action": "load"})
    expect("user may not load modules: 403", s, 403)
    s, _, b = tcp(tokens["admin"]).request("DELETE", f"/v1/vgpus/{uuid}")
    expect("admin delete of a gone vGPU: 404", s, 404)

    # -- a non-loopback address without TLS is refused at start
    d.send_signal(signal.SIGTERM)
    d.wait(10)
    expect("socket removed at exit", os.path.exists(sock), False)
    p = start("[API]\nListenTCP=192.0.2.1:8443\n", "log2")
    expect("non-loopback without TLS: gvtd refuses to start", p.wait(10) != 0, True)

    # -- TLS on loopback
    key, cert = f"{root}/etc/gvtd/key.pem", f"{root}/etc/gvtd/cert.pem"
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=localhost"], capture_output=True)
    if r.returncode == 0:
        d = start(f"[API]\nListenTCP=[::1]:{tls_port}\nTLSCertificate=/etc/gvtd/cert.pem\n"
                  "TLSKey=/etc/gvtd/key.pem\n", "log3")
        wait_for(lambda: socket.create_connection(("::1", tls_port)).close() is None)
        c = gvtapi.Client(spec, host="::1", port=tls_port, token=tokens["reader"], cafile=cert)
        c.errors = api.errors
        expect("TLS on ::1 with a token", c.request("GET", "/v1/host")[0], 200)
        c.token = None
        expect("TLS without a token: 401", c.request("GET", "/v1/host")[0], 401)
    else:
        print("# no openssl: TLS not tested")

    scratchd.openapi_errors(api.errors)
    expect("problems seen", len(spec.titles) >= 8, True)
    scratchd.one_title_per_type(spec.titles)
finally:
    scratch.close()
scratchd.finish()
