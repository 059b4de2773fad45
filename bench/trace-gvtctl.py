#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Inside the bench VM: where a gvtctl process's time goes, against mdevctl's.

  GVT_SRCDIR=$PWD GVT_BUILDDIR=$PWD/build tests/vm/run --batch --mem 2048 -- python3 bench/trace-gvtctl.py

Medians of 30 bare starts (--version), of a bus connection with one call,
then `strace -r` of one `gvtctl create`, slowest steps first.
"""
import os, statistics, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B
B.setup_system()
g = B.Gvtd(); g.start(); time.sleep(1)
parent = B.parents()[0]; t = B.type_of(parent)
gvtctl = os.path.join(B.BUILD, "cli", "gvtctl")
def med(cmd, n=30):
    xs = []
    for i in range(n):
        t0 = time.perf_counter(); subprocess.run(cmd, capture_output=True); xs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(xs)
print("gvtctl --version      %.1f ms" % med([gvtctl, "--version"]))
print("mdevctl --version     %.1f ms" % med(["mdevctl", "--version"]))
print("busctl GetId          %.1f ms" % med(["busctl", "--system", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId"]))
print("gvtctl modules        %.1f ms" % med([gvtctl, "modules"]))
u = "b0b0000e-0000-4000-8000-000000000001"
subprocess.run(["strace", "-f", "-r", "-o", "/tmp/gvtctl.st", gvtctl, "create", "--type", t, "--parent", parent, "--uuid", u])
subprocess.run([gvtctl, "remove", u])
print("=== strace -r gvtctl create (relative times)")
lines = open("/tmp/gvtctl.st").read().splitlines()
print(len(lines), "syscalls")
big = sorted(lines, key=lambda l: -float(l.split()[1]) if len(l.split()) > 1 and l.split()[1].replace('.', '').isdigit() else 0)[:25]
for l in big: print(l[:150])
print("=== first 10 and last 40 lines")
print("\n".join(l[:150] for l in lines[:10]))
print("\n".join(l[:150] for l in lines[-40:]))
