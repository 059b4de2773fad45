#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""GET /metrics on a scratch tree, no kernel: the exposition passes
`promtool check metrics`, its figures match kvmgt's arithmetic worked out
here (not the daemon's code), and the counters move with requests, errors (REST and D-Bus)
and events. usage: test-rest-metrics.py GVTD FAKE_SYSFS SRCDIR PROMTOOL"""
import http.client
import os
import re
import socket
import subprocess
import sys

gvtd, fake, src, promtool = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "tests", "rest"))
import gvtapi  # noqa: E402
import scratchd  # noqa: E402

from scratchd import expect, free_port, wait_for  # noqa: E402

MIB = 1 << 20
PARENT = "0000:00:02.0"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# kvmgt's model of this GPU (fake-sysfs.sh with aperture_mb=512, gvt_base's 4 GiB GGTT)
APERTURE, GGTT = 512, 4096
HOST = {"aperture": 128, "hidden": 384, "fences": 4}
TYPES = {"gvt_base-GVTg_V5_8": (64, 384, 4), "gvt_base-GVTg_V5_4": (128, 512, 4), "gvt_base-GVTg_V5_2": (256, 1024, 4)}

scratch = scratchd.Scratch(gvtd, fake)
root = scratch.root
port = free_port()
os.makedirs(f"{root}/sys/module/gvt_base/parameters", exist_ok=True)
with open(f"{root}/sys/module/gvt_base/parameters/aperture_mb", "w") as f:
    f.write(f"{APERTURE}\n")

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def unescape(s):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), s)


def parse(text):
    """{(name, frozenset of (label, value)): value}, and the TYPE of each family."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
        elif line and not line.startswith("#"):
            m = LINE.match(line)
            assert m, f"not a sample line: {line!r}"
            labels = frozenset((k, unescape(v)) for k, v in LABEL.findall(m.group(2) or ""))
            samples[(m.group(1), labels)] = int(m.group(3))
    return samples, types


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def fake_vgpu(uuid, type_):
    dev = f"{root}/sys/devices/pci0000:00/{PARENT}/{uuid}"
    os.makedirs(dev)
    os.symlink(f"../mdev_supported_types/{type_}", f"{dev}/mdev_type")
    os.symlink(f"../../../devices/pci0000:00/{PARENT}/{uuid}", f"{root}/sys/bus/mdev/devices/{uuid}")


try:
    spec = gvtapi.Spec(os.path.join(src, "api", "openapi.yaml"))
    scratch.start(f"[API]\nListenTCP=127.0.0.1:{port}\n", "log1")
    sock = scratch.sock
    wait_for(lambda: os.path.exists(sock) and socket.create_connection(("127.0.0.1", port)).close() is None)
    api = gvtapi.Client(spec, unix=sock)

    def scrape(client=api, what="GET /metrics"):
        s, h, _ = client.request("GET", "/metrics")
        c = client.connection()
        c.request("GET", "/metrics", headers={"Authorization": "Bearer " + client.token} if client.token else {})
        r = c.getresponse()
        text = r.read().decode()
        c.close()
        expect(f"{what}: 200, {CONTENT_TYPE}", (s, h.get("Content-Type"), r.status), (200, CONTENT_TYPE, 200))
        return text

    # -- the exposition is valid, and nothing runs yet
    text = scrape()
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    expect("promtool check metrics (empty host)", (check.returncode, check.stdout + check.stderr), (0, ""))
    m0, types = parse(text)
    expect("every family has the gvtd_ prefix", [n for n in types if not n.startswith("gvtd_")], [])
    expect("counters end in _total, gauges do not",
           [n for n, k in types.items() if (k == "counter") != n.endswith("_total")], [])
    expect("no sample outside a declared family",
           [n for n, _ in m0 if n not in types], [])
    expect("no vGPUs yet", [k for k in m0 if k[0] == "gvtd_vgpus"], [])
    expect("exact capacity (aperture_mb known)", value(m0, "gvtd_parent_capacity_exact", parent=PARENT), 1)

    # -- two vGPUs run (as the kernel would make them), one definition to start automatically, a quota
    running = {"6a1f0e52-3c4d-4f6e-8a9b-0c1d2e3f4a5b": "gvt_base-GVTg_V5_4",
               "7b2a1f63-4d5e-4a7f-9bac-1d2e3f4a5b6c": "gvt_base-GVTg_V5_8"}
    for u, t in running.items():
        fake_vgpu(u, t)
    wait_for(lambda: len(api.request("GET", "/v1/vgpus")[2]) == 2)
    s, _, b = api.request("PUT", "/v1/quotas/alice", body={"limits": {"vgpus": 1, "aperture-mib": 1024}})
    expect("PUT alice's quota", s, 200)
    s, _, b = api.request("POST", "/v1/vgpus", body={"type": "gvt_base-GVTg_V5_4", "persistent": True,
                                                     "autostart": True, "owner": "alice"})
    expect("define for alice", s, 201)
    defined = b["uuid"]

    text = scrape()
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    expect("promtool check metrics (vGPUs, definitions, quotas)", (check.returncode, check.stdout + check.stderr),
           (0, ""))
    m1, _ = parse(text)

    # kvmgt's arithmetic: totals, what the host keeps, what the vGPUs hold, what is left
    held = {"aperture": 0, "hidden": 0, "fences": 0}
    for t in running.values():
        low, high, fences = TYPES[t]
        held["aperture"] += low
        held["hidden"] += high
        held["fences"] += fences
    total = {"aperture": APERTURE, "hidden": GGTT - APERTURE, "fences": 32}
    auto = dict(zip(("aperture", "hidden", "fences"), TYPES["gvt_base-GVTg_V5_4"]))  # the definition, not running
    for r in ("aperture", "hidden"):
        got = [value(m1, f"gvtd_parent_memory_{a}_bytes", parent=PARENT, resource=r)
               for a in ("capacity", "reserved", "allocated", "available")]
        want = [total[r] * MIB, HOST[r] * MIB, held[r] * MIB, (total[r] - HOST[r] - held[r] - auto[r]) * MIB]
        expect(f"{r}: capacity, reserved, allocated, available bytes", got, want)
    got = [value(m1, f"gvtd_parent_fences_{a}", parent=PARENT) for a in ("capacity", "reserved", "allocated", "available")]
    expect("fences: capacity, reserved, allocated, available", got,
           [32, HOST["fences"], held["fences"], 32 - HOST["fences"] - held["fences"] - auto["fences"]])
    got = [value(m1, f"gvtd_parent_vgpus_{a}", parent=PARENT) for a in ("capacity", "allocated", "available")]
    expect("vGPU slots: kvmgt's 7, 2 running, 1 reserved by the auto definition", got, [7, 2, 7 - 2 - 1])
    # fake-sysfs.sh's available_instances: min(384 / low, 3200 / high, 28 / 4)
    for t, (low, high, fences) in TYPES.items():
        expect(f"{t}: available_instances", value(m1, "gvtd_type_available_instances", parent=PARENT, type=t),
               min(384 // low, 3200 // high, 28 // fences))
    expect("vGPUs by parent, type, owner, state",
           sorted((dict(k[1])["type"], dict(k[1])["owner"], dict(k[1])["state"], v) for k, v in m1.items()
                  if k[0] == "gvtd_vgpus"),
           [("gvt_base-GVTg_V5_4", "alice", "defined", 1), ("gvt_base-GVTg_V5_4", "root", "active", 1),
            ("gvt_base-GVTg_V5_8", "root", "active", 1)])
    expect("alice's limits in base units", (value(m1, "gvtd_quota_limit_vgpus", owner="alice"),
                                            value(m1, "gvtd_quota_limit_aperture_bytes", owner="alice"),
                                            value(m1, "gvtd_quota_limit_fences", owner="alice")),
           (1, 1024 * MIB, None))
    expect("alice's usage: the definition", (value(m1, "gvtd_quota_usage_vgpus", owner="alice"),
                                             value(m1, "gvtd_quota_usage_aperture_bytes", owner="alice"),
                                             value(m1, "gvtd_quota_usage_hidden_bytes", owner="alice")),
           (1, 128 * MIB, 512 * MIB))
    expect("root's usage: the two running", value(m1, "gvtd_quota_usage_vgpus", owner="root"), 2)
    d = {k: value(m1, "gvtd_events_total", kind=k) - value(m0, "gvtd_events_total", kind=k)
         for k in ("vgpu-added", "definition-added", "vgpu-removed")}
    expect("events counted by kind (the event stream's names)", d,
           {"vgpu-added": 2, "definition-added": 1, "vgpu-removed": 0})

    # -- errors and requests: counted by kind, by route pattern and status
    def delta(before, after, name, **labels):
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    api.request("GET", "/v1/vgpus/0f0f0f0f-0000-4000-8000-000000000001")
    api.request("GET", "/v1/vgpus/0f0f0f0f-0000-4000-8000-000000000002")
    api.request("GET", "/v1/vgpus/not-a-uuid")
    api.request("GET", "/v1/nothing/" + "x" * 40)
    s, _, _ = api.request("POST", "/v1/vgpus", body={"type": "gvt_base-GVTg_V5_4", "owner": "alice"})
    expect("over alice's quota: 409", s, 409)
    # the same vocabulary on D-Bus: counted with the REST ones
    bus = subprocess.run(["busctl", f"--address={scratch.address}", "call", "org.gvtd1", "/org/gvtd1",
                          "org.gvtd1.Manager", "RemoveVGPU", "sb", "0f0f0f0f-0000-4000-8000-000000000003", "false"],
                         capture_output=True, text=True)
    print("# busctl:", bus.stderr.strip())
    expect("D-Bus RemoveVGPU of no vGPU: refused", bus.returncode != 0, True)
    m2, _ = parse(scrape())
    expect("errors by kind: 4 NotFound (one over D-Bus), 1 InvalidArgument, 1 QuotaExceeded",
           [delta(m1, m2, "gvtd_errors_total", kind=k) for k in ("NotFound", "InvalidArgument", "QuotaExceeded", "Busy")],
           [4, 1, 1, 0])
    expect("requests by route pattern, not the path",
           (delta(m1, m2, "gvtd_api_requests_total", route="/v1/vgpus/{uuid}", method="GET", code="404"),
            delta(m1, m2, "gvtd_api_requests_total", route="/v1/vgpus/{uuid}", method="GET", code="400"),
            delta(m1, m2, "gvtd_api_requests_total", route="other", method="GET", code="404"),
            delta(m1, m2, "gvtd_api_requests_total", route="/v1/vgpus", method="POST", code="409")),
           (2, 1, 1, 1))
    expect("the scrapes themselves are counted", delta(m1, m2, "gvtd_api_requests_total", route="/metrics",
                                                       method="GET", code="200"), 2)
    expect("no raw path in a route label", [v for k, _ in m2.items() if k[0] == "gvtd_api_requests_total"
                                            for n, v in k[1] if n == "route" and ("0f0f" in v or "xxx" in v)], [])

    # -- TCP: any token reads it, none gets 401
    reader = gvtapi.Client(spec, host="127.0.0.1", port=port, token=scratch.tokens["reader"])
    m3, _ = parse(scrape(reader, "GET /metrics over TCP with a reader token"))
    expect("TCP sees the same vGPUs", value(m3, "gvtd_parent_vgpus_allocated", parent=PARENT), 2)
    nobody = gvtapi.Client(spec, host="127.0.0.1", port=port)
    expect("GET /metrics over TCP without a token: 401", nobody.request("GET", "/metrics")[0], 401)
    m4, _ = parse(scrape(reader, "GET /metrics again"))
    expect("the 401 counted under its route", delta(m3, m4, "gvtd_api_requests_total", route="/metrics",
                                                    method="GET", code="401"), 1)
    expect("unknown query: 400", api.request("GET", "/metrics?format=json")[0], 400)
    expect("POST /metrics: 405", api.request("POST", "/metrics", body={})[0], 405)

    api.request("DELETE", f"/v1/vgpus/{defined}")
    scratchd.openapi_errors(api.errors + reader.errors + nobody.errors)
finally:
    scratch.close()
scratchd.finish()
