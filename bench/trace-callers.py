#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Inside the bench VM: which code of gvtd makes which syscalls over 4 D-Bus cycles.

  GVT_SRCDIR=$PWD GVT_BUILDDIR=$PWD/build tests/vm/run --batch --mem 2048 -- python3 bench/trace-callers.py

`strace -k` (a stack per call) for readlink, access, socket and openat,
counted by call, result, file and the four innermost frames of gvtd.
"""
import collections, os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B
B.setup_system()
g = B.Gvtd(); g.start(); time.sleep(1)
parent = B.parents()[0]; t = B.type_of(parent)
cyc = [B.prog("bench-cycle")]
subprocess.run(cyc + ["dbus", parent, t, "5", "2", B.SOCK], capture_output=True)
st = subprocess.Popen(["strace", "-k", "-f", "-e", "trace=readlink,access,socket,openat", "-p", str(g.proc.pid), "-o", "/tmp/st.txt"])
time.sleep(1)
subprocess.run(cyc + ["dbus", parent, t, "4", "0", B.SOCK], capture_output=True)
time.sleep(0.5)
st.terminate(); st.wait()
calls = collections.Counter()
cur = None
for line in open("/tmp/st.txt"):
    if line.startswith(" > "):
        if cur is not None and len(cur[1]) < 4 and "libc.so" not in line:
            cur[1].append(line.split("(")[1].split(")")[0] if "(" in line else line.strip())
    else:
        if cur: calls[(cur[0], " <- ".join(cur[1]))] += 1
        parts = line.split(None, 1)
        call = parts[1].split("(")[0] if len(parts) > 1 else line
        arg = parts[1].split('"')[1] if len(parts) > 1 and '"' in parts[1] else ""
        err = "ERR" if " = -1 " in line else "ok"
        cur = ("%s %s %s" % (call, err, arg.split("/")[-1] if call != "openat" else arg), [])
if cur: calls[(cur[0], " <- ".join(cur[1]))] += 1
print("=== syscalls over 4 D-Bus cycles, by call and caller")
for (c, stack), n in calls.most_common(40):
    print("%4d %-60s %s" % (n, c[:60], stack[:150]))
