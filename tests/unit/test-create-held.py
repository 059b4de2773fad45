#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A create the kernel holds does not stall gvtd (issue 19 point 1), on a
scratch root: a type whose "create" is a FIFO with no reader stands for a
kernel that holds the write (a vendor driver's init runs under it; an
attribute write the same). While it is held, 100 D-Bus calls and 100 REST
requests are answered at their normal pace; another create, remove or
start of the same UUID is Busy at once; the create counts in its owner's
quota, so a second create of that owner over the limit is refused before
anything is written; when the "kernel" lets go, the waiting gvtctl create
and REST POST finish with the vGPU. A definition's start waits the same
way. A SIGTERM with a create held exits cleanly.
Prints the slowest answer while held as a "# " line.
usage: test-create-held.py GVTD GVTCTL FAKE_SYSFS SRCDIR"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

gvtd, gvtctl, fake, src = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "tests", "rest"))
import gvtapi  # noqa: E402
import scratchd  # noqa: E402
from scratchd import expect, wait_for  # noqa: E402

scratch = scratchd.Scratch(gvtd, fake)
root, sock = scratch.root, scratch.sock
P = "0000:00:02.0"
T = "gvt_base-GVTg_V5_4"
tdir = f"{root}/sys/devices/pci0000:00/{P}/mdev_supported_types/{T}"
env = dict(os.environ, GVTCTL_FORCE_BUS="1")


def hold_create():
    """The type's create becomes a FIFO nobody reads: the next create's write waits."""
    os.unlink(f"{tdir}/create")
    os.mkfifo(f"{tdir}/create")


def let_go(uuid):
    """The kernel makes the device, then reads what gvtd wrote: the write returns."""
    dev = f"{root}/sys/devices/pci0000:00/{P}/{uuid}"
    os.makedirs(dev)
    os.symlink(f"../mdev_supported_types/{T}", f"{dev}/mdev_type")
    with open(f"{dev}/remove", "w"):
        pass
    os.symlink(f"../../../devices/pci0000:00/{P}/{uuid}", f"{root}/sys/bus/mdev/devices/{uuid}")
    with open(f"{tdir}/create", "rb") as f:
        return f.read()


def ctl(*args):
    return subprocess.Popen([gvtctl, f"--bus-address={scratch.address}", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def ctl_run(*args):
    t = time.monotonic()
    p = subprocess.run([gvtctl, f"--bus-address={scratch.address}", *args], capture_output=True, text=True,
                       env=env, timeout=10)
    return p, time.monotonic() - t


busctl = scratch.busctl


def busy(p):
    """gvtd's Busy for a create under way, or what it said instead."""
    return (p.returncode != 0 and "is being created" in p.stderr) or (p.returncode, p.stdout + p.stderr)


u1, u2, u3, u4 = ("c0c0c0c0-0000-4000-8000-00000000000%d" % i for i in range(1, 5))
d = scratch.start("", "log")
api = gvtapi.Client(gvtapi.Spec(os.path.join(src, "api", "openapi.yaml")), unix=sock)
expect("gvtd up", wait_for(lambda: api.request("GET", "/v1/vgpus")[0] == 200), True)

# -- a gvtctl create the kernel holds
p, _ = ctl_run("quota", "set", "root", "--max-vgpus", "1")
expect("quota for root: one vGPU", p.returncode, 0)
hold_create()
held = ctl("create", "--type", T, "-u", u1)
time.sleep(0.5)
expect("the create is held: gvtctl create waits", held.poll(), None)

slowest = 0.0
bad = []
for i in range(100):
    p, took = busctl("ListVGPUs")
    slowest = max(slowest, took)
    if p.returncode != 0:
        bad.append(("dbus", i, p.returncode, p.stderr))
for i in range(100):
    t = time.monotonic()
    s, _, b = api.request("GET", "/v1/vgpus")
    slowest = max(slowest, time.monotonic() - t)
    if s != 200:
        bad.append(("rest", i, s, b))
print(f"# while the create was held, the slowest of 100 D-Bus and 100 REST answers took {slowest:.3f} s")
expect("100 D-Bus ListVGPUs and 100 REST GETs answered while the create is held", bad, [])
expect("each within 1 s", slowest < 1.0, True)

# -- the same UUID meanwhile: Busy at once, nothing written twice
p, took = ctl_run("create", "--type", T, "-u", u1)
expect("a second gvtctl create of it: Busy at once", (busy(p), took < 2), (True, True))
s, _, b = api.request("POST", "/v1/vgpus", {"type": T, "uuid": u1})
expect("REST POST of it meanwhile: 409 Busy", (s, b.get("type")), (409, "urn:gvtd:problem:Busy"))
p, took = busctl("RemoveVGPU", "sb", u1, "false")
expect("RemoveVGPU of it meanwhile: Busy", busy(p), True)
# -- the held create counts in root's quota: another one is refused before any write
p, _ = ctl_run("create", "--type", T, "-u", u2)
expect("another create of root's over its quota of 1: refused", (p.returncode != 0, "Quota" in p.stderr),
       (True, True))

written = let_go(u1)
out, err = held.communicate(timeout=10)
expect("gvtd wrote the UUID to create, once", written, u1.encode())
expect("the held gvtctl create: exit 0 once the kernel let go", (held.returncode, err), (0, ""))
expect("it printed the UUID", u1 in out, True)
expect("the vGPU listed", wait_for(lambda: u1 in [v["uuid"] for v in api.request("GET", "/v1/vgpus")[2]]), True)
p, _ = ctl_run("quota", "set", "root")
expect("root's quota removed", p.returncode, 0)

# -- the same over REST: POST waits, then 201
hold_create()
result = {}
t = threading.Thread(target=lambda: result.update(r=api.request("POST", "/v1/vgpus", {"type": T, "uuid": u2})))
t.start()
time.sleep(0.5)
expect("REST POST held: still waiting", t.is_alive(), True)
s, _, _ = api.request("GET", "/v1/parents")
expect("GET /v1/parents meanwhile", s, 200)
expect("gvtd wrote the REST create's UUID", let_go(u2), u2.encode())
t.join(10)
expect("REST POST: 201 once the kernel let go", (result.get("r", (None,))[0],
                                                result.get("r", (None, None, {}))[2].get("uuid")), (201, u2))

# -- a definition's start (D-Bus StartVGPU) waits the same way, and replies with the path
p, _ = ctl_run("define", "--type", T, "-u", u3)
expect("defined", p.returncode, 0)
hold_create()
held = ctl("start", u3)
time.sleep(0.5)
expect("gvtctl start held: waiting", held.poll(), None)
p, took = busctl("UndefineVGPU", "sb", u3, "false")
expect("UndefineVGPU meanwhile: Busy", busy(p), True)
let_go(u3)
out, err = held.communicate(timeout=10)
expect("gvtctl start: exit 0 once the kernel let go", (held.returncode, err), (0, ""))
p, _ = ctl_run("--json", "list", "--defined")
rows = {r["uuid"]: r for r in json.loads(p.stdout or "[]")} if p.returncode == 0 else {}
expect("the definition runs", rows.get(u3, {}).get("state") in ("active", "running"), True)

# -- SIGTERM with a create held: a clean exit, the waiting request answered 503
hold_create()
result = {}
t = threading.Thread(target=lambda: result.update(r=api.request("POST", "/v1/vgpus", {"type": T, "uuid": u4})))
t.start()
time.sleep(0.5)
d.send_signal(signal.SIGTERM)
try:
    rc = d.wait(10)
except subprocess.TimeoutExpired:
    rc = "hung"
t.join(10)
expect("SIGTERM with a create held: exit 0", rc, 0)
expect("the waiting POST: 503", result.get("r", (None,))[0], 503)
expect("the log says the kernel still holds it", "its create is still held by the kernel at exit"
       in scratch.log("log"), True)
scratchd.openapi_errors(api.errors)
scratch.close()
scratchd.finish()
