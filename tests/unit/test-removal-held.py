#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A removal the kernel holds does not stall gvtd (issue 19 point 1), on a
scratch root: a vGPU whose "remove" is a FIFO with no reader stands for
the 6.1 kernel holding the write until the VM closes the device (an open
between gvtd's opener check and its write, or kvmgt, which reports no
openers). While it is held, 100 D-Bus calls, 100 REST requests and an
event stream are answered at their normal pace; the vGPU is "removing"
(event, listing, log line); another remove of it is Busy at once; when the
"kernel" lets go, the waiting gvtctl remove and REST DELETE finish. A
SIGTERM with a removal held exits cleanly.
Prints the slowest answer while held as a "# " line.
usage: test-removal-held.py GVTD GVTCTL FAKE_SYSFS SRCDIR"""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

gvtd, gvtctl, fake, src = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "tests", "rest"))
import gvtapi  # noqa: E402
import scratchd  # noqa: E402
from scratchd import expect, read_until, stream, wait_for  # noqa: E402

scratch = scratchd.Scratch(gvtd, fake)
root, sock = scratch.root, scratch.sock
P = "0000:00:02.0"


def add_vgpu(uuid):
    """A running vGPU as the kernel shows it, its remove file a FIFO nobody reads."""
    dev = f"{root}/sys/devices/pci0000:00/{P}/{uuid}"
    os.makedirs(dev)
    os.symlink("../mdev_supported_types/gvt_base-GVTg_V5_4", f"{dev}/mdev_type")
    os.symlink(f"../../../devices/pci0000:00/{P}/{uuid}", f"{root}/sys/bus/mdev/devices/{uuid}")
    os.mkfifo(f"{dev}/remove")
    return dev


def let_go(uuid, dev):
    """The kernel lets go: it reads what gvtd wrote, then the device is gone."""
    with open(f"{dev}/remove", "rb") as f:
        got = f.read()
    os.unlink(f"{root}/sys/bus/mdev/devices/{uuid}")
    shutil.rmtree(dev)
    return got


def ctl(*args, **kw):
    env = dict(os.environ, GVTCTL_FORCE_BUS="1")
    return subprocess.Popen([gvtctl, f"--bus-address={scratch.address}", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kw)


busctl = scratch.busctl


u1, u2, u3 = ("b0b0b0b0-0000-4000-8000-00000000000%d" % i for i in (1, 2, 3))
d1 = add_vgpu(u1)
d = scratch.start("", "log")
api = gvtapi.Client(gvtapi.Spec(os.path.join(src, "api", "openapi.yaml")), unix=sock)
expect("gvtd up", wait_for(lambda: api.request("GET", "/v1/vgpus")[0] == 200), True)
expect("the vGPU listed", [v["uuid"] for v in api.request("GET", "/v1/vgpus")[2]], [u1])

ev = stream(sock)
time.sleep(0.3)
held = ctl("remove", u1)
expect("the removal is held: gvtctl remove waits", wait_for(lambda: "The kernel holds the removal of vGPU " + u1
                                                              in scratch.log("log"), 50), True)
expect("gvtctl remove still waiting", held.poll(), None)

# -- the loop goes on: D-Bus and REST at their pace while the write is held
slowest = 0.0
bad = []
for i in range(100):
    p, took = busctl("ListVGPUs")
    slowest = max(slowest, took)
    if p.returncode != 0 or u1 not in p.stdout:
        bad.append(("dbus", i, p.returncode, p.stderr))
for i in range(100):
    t = time.monotonic()
    s, _, b = api.request("GET", f"/v1/vgpus/{u1}")
    slowest = max(slowest, time.monotonic() - t)
    if s != 200 or b.get("state") != "removing":
        bad.append(("rest", i, s, b))
print(f"# while the removal was held, the slowest of 100 D-Bus and 100 REST answers took {slowest:.3f} s")
expect("100 D-Bus ListVGPUs and 100 REST GETs answered while the removal is held, the state removing", bad, [])
expect("each within 1 s", slowest < 1.0, True)
got = read_until(ev, b"removing")
expect("SSE: vgpu-state-changed to removing", b"event: vgpu-state-changed" in got and b'"state":"removing"'
       in got.replace(b" ", b""), True)
p = subprocess.run([gvtctl, f"--bus-address={scratch.address}", "list", "-o", "uuid,state", "-n"],
                   capture_output=True, text=True, env=dict(os.environ, GVTCTL_FORCE_BUS="1"))
expect("gvtctl list: removing", p.stdout.split(), [u1, "removing"])

# -- another request for it: Busy at once, nothing written twice
p, took = busctl("RemoveVGPU", "sb", u1, "false")
expect("a second RemoveVGPU: Busy at once", ("Busy" in p.stderr or "being removed" in p.stderr, took < 2),
       (True, True))
s, _, b = api.request("DELETE", f"/v1/vgpus/{u1}")
expect("REST DELETE meanwhile: 409 Busy", (s, b.get("type")), (409, "urn:gvtd:problem:Busy"))

# -- the kernel lets go: the waiting remove ends, the vGPU is gone
written = let_go(u1, d1)
out, err = held.communicate(timeout=10)
expect("gvtd wrote 1 to remove, once", written, b"1")
expect("the held gvtctl remove: exit 0 once the kernel let go", (held.returncode, err), (0, ""))
expect("the vGPU gone", wait_for(lambda: api.request("GET", "/v1/vgpus")[2] == []), True)

# -- the same over REST: DELETE waits, then 204
d2 = add_vgpu(u2)
expect("a second vGPU seen", wait_for(lambda: api.request("GET", f"/v1/vgpus/{u2}")[0] == 200), True)
result = {}
t = threading.Thread(target=lambda: result.update(r=api.request("DELETE", f"/v1/vgpus/{u2}")))
t.start()
expect("REST DELETE held: the state removing",
       wait_for(lambda: api.request("GET", f"/v1/vgpus/{u2}")[2].get("state") == "removing", 50), True)
expect("REST DELETE still waiting", t.is_alive(), True)
let_go(u2, d2)
t.join(10)
expect("REST DELETE: 204 once the kernel let go", result.get("r", (None,))[0], 204)

# -- SIGTERM with a removal held: a clean exit, the waiting request answered 503
add_vgpu(u3)
expect("a third vGPU seen", wait_for(lambda: api.request("GET", f"/v1/vgpus/{u3}")[0] == 200), True)
result = {}
t = threading.Thread(target=lambda: result.update(r=api.request("DELETE", f"/v1/vgpus/{u3}")))
t.start()
expect("held again", wait_for(lambda: api.request("GET", f"/v1/vgpus/{u3}")[2].get("state") == "removing", 50),
       True)
d.send_signal(signal.SIGTERM)
try:
    rc = d.wait(10)
except subprocess.TimeoutExpired:
    rc = "hung"
t.join(10)
expect("SIGTERM with a removal held: exit 0", rc, 0)
expect("the waiting DELETE: 503", result.get("r", (None,))[0], 503)
expect("the log says the kernel still holds it", "its removal is still held by the kernel at exit"
       in scratch.log("log"), True)

scratchd.openapi_errors(api.errors)
scratch.close()
scratchd.finish()
