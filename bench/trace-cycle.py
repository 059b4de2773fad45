#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Inside the bench VM: gvtd's syscalls over D-Bus create+remove cycles.

  GVT_SRCDIR=$PWD GVT_BUILDDIR=$PWD/build tests/vm/run --batch --mem 2048 -- python3 bench/trace-cycle.py

Prints `strace -c` of gvtd over 50 cycles, then every syscall of one cycle
with timestamps (strace -f -tt). The profile behind docs/PERFORMANCE.md's
per-cycle counts; perf takes almost no samples in a TCG guest.
"""
import os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B
B.setup_system()
g = B.Gvtd(); g.start()
time.sleep(1)
parent = B.parents()[0]; t = B.type_of(parent)
gvtd_pid = str(g.proc.pid)
dbus_pid = subprocess.run(["pidof", "dbus-daemon"], capture_output=True, text=True).stdout.split()[0]
cyc = [B.prog("bench-cycle")]
print("warm", subprocess.run(cyc + ["dbus", parent, t, "20", "5", B.SOCK], capture_output=True, text=True).returncode, flush=True)
for who, pid in (("gvtd", gvtd_pid),):
    st = subprocess.Popen(["strace", "-c", "-f", "-p", pid, "-o", "/tmp/strace-%s.txt" % who])
    time.sleep(1)
    subprocess.run(cyc + ["dbus", parent, t, "50", "0", B.SOCK], capture_output=True)
    st.terminate(); st.wait()
    print("=== strace -c %s over 50 D-Bus cycles" % who); print(open("/tmp/strace-%s.txt" % who).read(), flush=True)
st = subprocess.Popen(["strace", "-f", "-tt", "-p", gvtd_pid, "-o", "/tmp/strace-one.txt"])
time.sleep(1)
subprocess.run(cyc + ["dbus", parent, t, "1", "0", B.SOCK], capture_output=True)
time.sleep(0.5)
st.terminate(); st.wait()
print("=== one D-Bus cycle, every syscall of gvtd"); print(open("/tmp/strace-one.txt").read()[:12000], flush=True)
