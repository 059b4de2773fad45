#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Inside the bench VM: where one gvtctl create and one gvtctl remove spend
their time, against mdevctl start and stop, and on gvtd's side.

  GVT_SRCDIR=$PWD GVT_BUILDDIR=$PWD/build tests/vm/run --batch --mem 2048 -- python3 bench/trace-gvtctl-op.py

Medians of 20 of each operation alone (private socket, bus, mdevctl), then
`strace -f -tt` of gvtd during one gvtctl create and one remove, its
syscalls in order with their gaps: what gvtd does between accept and reply.
"""
import os, statistics, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B
B.setup_system()
g = B.Gvtd(); g.start(); time.sleep(1)
parent = B.parents()[0]; t = B.type_of(parent)
gvtctl = os.path.join(B.BUILD, "cli", "gvtctl")
bus = dict(os.environ, GVTCTL_FORCE_BUS="1")


def ms(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, env=env, check=True)
    return (time.perf_counter() - t0) * 1000


def med(pairs, n=20):
    a, b = [], []
    for i in range(n):
        first, second = pairs(i)
        a.append(ms(*first)); b.append(ms(*second))
    return statistics.median(a), statistics.median(b)


u = lambda k, i: "c0c0%04x-0000-4000-8000-%012x" % (k, i)
for name, pairs in (
        ("gvtctl --version x2", lambda i: (([gvtctl, "--version"],), ([gvtctl, "--version"],))),
        ("mdevctl --version x2", lambda i: ((["mdevctl", "--version"],), (["mdevctl", "--version"],))),
        ("gvtctl create/remove (private)", lambda i: (([gvtctl, "create", "--type", t, "--parent", parent, "--uuid", u(1, i)],),
                                                      ([gvtctl, "remove", u(1, i)],))),
        ("gvtctl create/remove (bus)", lambda i: (([gvtctl, "create", "--type", t, "--parent", parent, "--uuid", u(2, i)], bus),
                                                  ([gvtctl, "remove", u(2, i)], bus))),
        ("mdevctl start/stop", lambda i: ((["mdevctl", "start", "-u", u(3, i), "-p", parent, "-t", t],),
                                          (["mdevctl", "stop", "-u", u(3, i)],)))):
    a, b = med(pairs)
    print("%-34s %7.1f ms + %7.1f ms = %7.1f ms" % (name, a, b, a + b), flush=True)

for op in ("create", "remove"):
    uu = u(9, 1)
    st = subprocess.Popen(["strace", "-f", "-tt", "-p", str(g.proc.pid), "-o", "/tmp/gvtd-%s.st" % op])
    time.sleep(1)
    cmd = [gvtctl, "create", "--type", t, "--parent", parent, "--uuid", uu] if op == "create" else [gvtctl, "remove", uu]
    print("=== %s: %.1f ms under strace of gvtd" % (op, ms(cmd)), flush=True)
    time.sleep(0.5)
    st.terminate(); st.wait()
    lines = open("/tmp/gvtd-%s.st" % op).read().splitlines()
    print(len(lines), "syscalls of gvtd")
    for l in lines[:400]:
        print(l[:160])
