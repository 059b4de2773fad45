#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""gvtd's benchmark.

  bench.py run [--quick] [--rows=N,..] [--verbose] [--against=GVTD]
                           inside the VM (as root): measure everything, print
                           progress, then the results as JSON after a marker line;
                           --against: row "ab" only, rows 1 a-c and 2 with another
                           gvtd binary (before) and this one (after), alternated
  bench.py report FILE     print the table of a results file

tools/bench boots the VM, runs `run`, keeps the JSON and prints the report.
Absolute times under TCG mean little; the ratios, taken in one run, are the result.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

MARKER = "=== gvtd bench results ==="
SRC = os.environ.get("GVT_SRCDIR", os.getcwd())
BUILD = os.environ.get("GVT_BUILDDIR", os.path.join(SRC, "build"))
SOCK = "/run/gvtd/api.sock"
TCP = "127.0.0.1:8080"
NGINX = "127.0.0.1:8081"
NOTIFY = "/run/bench-notify.sock"
TYPE_SUFFIX = "GVTg_V5_8"
# 8 model GPUs with a 1 GiB aperture: each holds 7 vGPUs of _8 (kvmgt's id limit,
# and hidden GM and fences run out at 7 too), 56 in all.
GVT_BASE_PARAMETERS = "gpus=8 aperture_mb=1024"
MDEVCTL_D = "/etc/mdevctl.d"

QUICK = False
VERBOSE = False  # --verbose: gvtd logs debug messages to /tmp/gvtd.log
# Cycles per create+remove row. Each row takes cycles * its per-cycle time under
# TCG; see docs/PERFORMANCE.md for why these counts.
COUNTS = {
    "cycles": 200, "cycles_process": 100, "warmup": 10, "ab_rounds": 3,
    "list_calls": 30, "list_process": 10, "events": 50, "ready_runs": 3, "wrk_seconds": 10,
    "vfio_rounds": 200, "vfio_batch": 256,
}


def log(*args):
    print("bench:", *args, flush=True)


def prog(name):
    return os.path.join(BUILD, "bench", name)


def run(*cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def samples_of(*cmd):
    p = run(*cmd)
    return [float(x) for x in p.stdout.split()]


def stats(samples):
    """Median and p99 (nearest rank) in milliseconds of samples in microseconds."""
    s = sorted(samples)
    p99 = s[max(0, -(-99 * len(s) // 100) - 1)]
    return {"n": len(s), "median_ms": statistics.median(s) / 1000, "p99_ms": p99 / 1000,
            "min_ms": s[0] / 1000, "max_ms": s[-1] / 1000}


def timed(fn, n):
    out = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1e6)
    return out


def uuid_of(series, n):
    return "b0b0%04x-0000-4000-8000-%012x" % (series, n)


# -- the system under test ------------------------------------------------------

class Gvtd:
    def __init__(self):
        self.proc = None

    def start(self, binary=None):
        """Starts gvtd (this build's, or binary) and returns the seconds until it said READY=1."""
        if os.path.exists(NOTIFY):
            os.unlink(NOTIFY)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(NOTIFY)
        s.settimeout(300)
        env = dict(os.environ, NOTIFY_SOCKET=NOTIFY)
        t = time.perf_counter()
        self.proc = subprocess.Popen([binary or os.path.join(BUILD, "daemon", "gvtd"), "--module-dir", os.path.join(BUILD, "kmod"),
                                      "--profile=sim"] + (["--verbose"] if VERBOSE else []), env=env, stdout=open("/tmp/gvtd.log", "a"),
                                     stderr=subprocess.STDOUT)
        while True:
            msg = s.recv(4096)
            if b"READY=1" in msg.split(b"\n"):
                break
        ready = time.perf_counter() - t
        s.close()
        # The REST socket exists before READY=1; wait for it anyway so nobody races.
        for _ in range(100):
            if os.path.exists(SOCK):
                break
            time.sleep(0.05)
        return ready

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        self.proc = None

    def rss_by_mapping(self):
        """Resident kB per mapped file (and [heap], [stack], anonymous) from /proc/PID/smaps, largest first."""
        rss, name = {}, ""
        with open("/proc/%d/smaps" % self.proc.pid) as f:
            for line in f:
                head = line.split()
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    name = head[5] if len(head) > 5 else "[anonymous]"
                elif head[0] == "Rss:":
                    rss[name] = rss.get(name, 0) + int(head[1])
        return sorted(([os.path.basename(n) if n.startswith("/") else n, kib] for n, kib in rss.items() if kib),
                      key=lambda e: -e[1])

    def rollup(self):
        """Pss (shared pages divided among their users) and Private_* from /proc/PID/smaps_rollup, kB."""
        out = {}
        with open("/proc/%d/smaps_rollup" % self.proc.pid) as f:
            for line in f:
                head = line.split()
                if head[0] in ("Pss:", "Private_Clean:", "Private_Dirty:"):
                    out[head[0][:-1]] = int(head[1])
        return out

    def status(self, key):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])  # kB
        raise KeyError(key)


def setup_system():
    os.makedirs("/run/dbus", exist_ok=True)
    os.makedirs("/etc/dbus-1/system.d", exist_ok=True)
    shutil.copy(os.path.join(SRC, "systemd", "org.gvtd1.conf"), "/etc/dbus-1/system.d/")
    run("dbus-daemon", "--system", "--fork")
    # mdevctl's udev rule would start `auto` definitions too when a parent appears,
    # racing gvtd's autostart: the time to ready is gvtd's alone.
    for rule in glob.glob("/usr/lib/udev/rules.d/*mdevctl*"):
        os.unlink(rule)
    run("udevadm", "control", "--reload", check=False)
    token = hashlib.sha256(os.urandom(32)).hexdigest()
    os.makedirs("/etc/gvtd", exist_ok=True)
    with open("/etc/gvtd/gvtd.conf", "w") as f:
        f.write("[Modules]\nGvtBaseParameters=%s\n[API]\nListenTCP=%s\nMaxConnections=512\n"
                % (GVT_BASE_PARAMETERS, TCP))
    with open("/etc/gvtd/api-tokens", "w") as f:
        f.write("sha256:%s bench reader\n" % hashlib.sha256(token.encode()).hexdigest())
    os.chmod("/etc/gvtd/api-tokens", 0o600)
    return token


def parents():
    return sorted(os.listdir("/sys/class/mdev_bus"))


def type_of(parent):
    return os.path.basename(glob.glob("/sys/class/mdev_bus/%s/mdev_supported_types/*-%s" % (parent, TYPE_SUFFIX))[0])


def remove_all_vgpus():
    for d in glob.glob("/sys/bus/mdev/devices/*/remove"):
        with open(d, "w") as f:
            f.write("1")


def write_definitions(start, count, autostart=False):
    """Definitions in mdevctl's format, spread over the parents as autostart needs."""
    ps = parents() if os.path.isdir("/sys/class/mdev_bus") else []
    ps = ps or ["gvt_base.%d" % i for i in range(8)]
    for i in range(start, start + count):
        p = ps[i % len(ps)]
        os.makedirs(os.path.join(MDEVCTL_D, p), exist_ok=True)
        with open(os.path.join(MDEVCTL_D, p, uuid_of(9, i)), "w") as f:
            json.dump({"mdev_type": "gvt_base-" + TYPE_SUFFIX, "start": "auto" if autostart else "manual",
                       "attrs": []}, f)


def clear_definitions():
    shutil.rmtree(MDEVCTL_D, ignore_errors=True)
    shutil.rmtree("/var/lib/gvtd/owners", ignore_errors=True)


# -- the rows ----------------------------------------------------------------------

def row_cycles(res):
    parent = parents()[0]
    type_ = type_of(parent)
    n, w, np_ = COUNTS["cycles"], COUNTS["warmup"], COUNTS["cycles_process"]
    gvtctl = os.path.join(BUILD, "cli", "gvtctl")
    out = {}
    for path in ("sysfs", "dbus", "rest"):
        log("create+remove via", path)
        out[path] = stats(samples_of(prog("bench-cycle"), path, parent, type_, str(n), str(w), SOCK))

    def gvtctl_cycle(i, env=None):
        u = uuid_of(4, i)
        run(gvtctl, "create", "--type", type_, "--parent", parent, "--uuid", u, env=env)
        run(gvtctl, "remove", u, env=env)

    # root's gvtctl talks to gvtd on /run/gvtd/private; the same over the system bus, for the difference
    bus_env = dict(os.environ, GVTCTL_FORCE_BUS="1")

    def mdevctl_cycle(i):
        u = uuid_of(8, i)
        run("mdevctl", "start", "-u", u, "-p", parent, "-t", type_)
        run("mdevctl", "stop", "-u", u)

    for name, fn in (("gvtctl", gvtctl_cycle), ("gvtctl-bus", lambda i: gvtctl_cycle(i, bus_env)),
                     ("mdevctl", mdevctl_cycle)):
        log("create+remove via", name)
        for i in range(w):
            fn(10000 + i)
        out[name] = stats(timed(fn, np_))
    # Where d and e go: two bare process starts of each tool (exec, dynamic linking, no work).
    log("process start alone")
    out["start-gvtctl"] = stats(timed(lambda i: (run(gvtctl, "--version"), run(gvtctl, "--version")), np_))
    out["start-mdevctl"] = stats(timed(lambda i: (run("mdevctl", "--version"), run("mdevctl", "--version")), np_))
    res["cycles"] = out


def row_list(res, gvtd):
    out = {}
    have = 0
    for n in (0, 10, 100, 1000):
        write_definitions(have, n - have)
        have = n
        log("listing with", n, "definitions")
        row = {}
        for kind in ("dbus-definitions", "dbus-vgpus", "rest-vgpus"):
            row[kind] = stats(samples_of(prog("bench-list"), kind, str(COUNTS["list_calls"]), "3", SOCK))
        row["mdevctl"] = stats(timed(lambda i: run("mdevctl", "list", "--defined"), COUNTS["list_process"]))
        out[str(n)] = row
    res["list"] = out


def row_ab(res, gvtd, against):
    """Rows 1 a-c and 2 (at 10 and 1000 definitions) with two gvtd binaries in one VM run.

    "before" is the binary given with --against, "after" this build's; the two
    alternate, ROUNDS times each, so what the machine does meanwhile hits both
    alike. The modules, D-Bus daemon, udev and the cycle programs are the same.
    """
    parent = parents()[0]
    type_ = type_of(parent)
    n, w = COUNTS["cycles"], COUNTS["warmup"]
    out = {"against": against, "rounds": []}
    res["ab"] = out
    for r in range(COUNTS["ab_rounds"]):
        for label, binary in (("before", against), ("after", None)):
            if gvtd.proc:
                gvtd.stop()
            clear_definitions()
            gvtd.start(binary)
            settle()
            log("round", r + 1, label, "create+remove")
            m = {"round": r + 1, "gvtd": label}
            for path in ("sysfs", "dbus", "rest"):
                m[path] = stats(samples_of(prog("bench-cycle"), path, parent, type_, str(n), str(w), SOCK))
            have = 0
            for count in (10, 1000):
                write_definitions(have, count - have)
                have = count
                log("round", r + 1, label, "listing with", count, "definitions")
                for kind in ("dbus-definitions", "rest-vgpus"):
                    m["%s-%d" % (kind, count)] = stats(samples_of(prog("bench-list"), kind, str(COUNTS["list_calls"]),
                                                                  "3", SOCK))
            out["rounds"].append(m)
    gvtd.stop()
    clear_definitions()
    gvtd.start()


def fill(count):
    p = run(prog("bench-cycle"), "fill", "gvt_base-" + TYPE_SUFFIX, str(count))
    return float(p.stdout) / 1e6


def wait_vgpus(count, timeout=60):
    """Until gvtd lists count running vGPUs (its inventory follows uevents; GET /v1/vgpus lists definitions too)."""
    out = None
    running = lambda: [v for v in json.loads(out) if v.get("state") != "defined"]  # noqa: E731
    for _ in range(timeout * 10):
        out = run("curl", "-s", "--unix-socket", SOCK, "http://localhost/v1/vgpus").stdout
        if len(running()) == count:
            return out
        time.sleep(0.1)
    raise RuntimeError("gvtd lists %d running vGPUs, want %d" % (len(running()), count))


def wrk(url, token, conns):
    p = run("wrk", "-t1", "-c%d" % conns, "-d%ds" % COUNTS["wrk_seconds"], "-H", "Authorization: Bearer " + token, url)
    rps = [float(line.split()[1]) for line in p.stdout.splitlines() if line.startswith("Requests/sec:")][0]
    errors = [line for line in p.stdout.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    return {"requests_per_s": rps, "errors": errors}


def row_throughput(res, token):
    n = sum(int(open(p).read()) for p in
            glob.glob("/sys/class/mdev_bus/*/mdev_supported_types/gvt_base-%s/available_instances" % TYPE_SUFFIX))
    log("throughput with", n, "vGPUs (all the model holds)")
    fill(n)
    wait_vgpus(n)
    body = run("curl", "-s", "-H", "Authorization: Bearer " + token, "http://%s/v1/vgpus" % TCP).stdout
    os.makedirs("/tmp/www", exist_ok=True)
    with open("/tmp/www/vgpus.json", "w") as f:
        f.write(body)
    os.makedirs("/tmp/nginx", exist_ok=True)
    with open("/tmp/nginx/nginx.conf", "w") as f:
        f.write("""user root; worker_processes 1; pid /tmp/nginx/nginx.pid; error_log /tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path /tmp/nginx; proxy_temp_path /tmp/nginx; fastcgi_temp_path /tmp/nginx;
  uwsgi_temp_path /tmp/nginx; scgi_temp_path /tmp/nginx;
  server {
    listen %s;
    location = /v1/vgpus { default_type application/json; alias /tmp/www/vgpus.json; }
  }
}
""" % NGINX)
    run("nginx", "-c", "/tmp/nginx/nginx.conf")
    same = run("curl", "-s", "http://%s/v1/vgpus" % NGINX).stdout == body
    out = {"vgpus": n, "body_bytes": len(body), "same_bytes": same}
    for conns in (1, 8):
        log("wrk with", conns, "connection(s)")
        out["gvtd_c%d" % conns] = wrk("http://%s/v1/vgpus" % TCP, token, conns)
        out["nginx_c%d" % conns] = wrk("http://%s/v1/vgpus" % NGINX, token, conns)
    run("nginx", "-c", "/tmp/nginx/nginx.conf", "-s", "stop", check=False)
    remove_all_vgpus()
    wait_vgpus(0)
    res["throughput"] = out


def sse_clients(n):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX)
        s.connect(SOCK)
        s.sendall(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    for s in socks:
        s.settimeout(30)
        got = b""
        while b"retry:" not in got:
            chunk = s.recv(4096)
            if not chunk:
                raise RuntimeError("an SSE client got no stream: %r" % got)
            got += chunk
    return socks


def row_memory_loaded(res, gvtd):
    mem = res["memory"]
    log("memory: 1000 definitions and 50 running vGPUs")
    fill(50)
    wait_vgpus(50)
    samples_of(prog("bench-list"), "dbus-definitions", "3", "0", SOCK)
    samples_of(prog("bench-list"), "rest-vgpus", "3", "0", SOCK)
    mem["loaded_hwm_kib"] = gvtd.status("VmHWM")
    mem["loaded_rss_kib"] = gvtd.status("VmRSS")
    mem["loaded_anon_kib"] = gvtd.status("RssAnon")
    log("memory: + 100 SSE clients")
    socks = sse_clients(100)
    remove_all_vgpus()  # 50 removals: events to every client
    wait_vgpus(0)
    time.sleep(1)
    mem["sse_hwm_kib"] = gvtd.status("VmHWM")
    mem["sse_rss_kib"] = gvtd.status("VmRSS")
    for s in socks:
        s.close()
    clear_definitions()


def settle():
    """gvtd hears of vGPUs through udev: let udev's queue drain so a row does not pay for the last one's events."""
    run("udevadm", "settle", "--timeout=180", check=False)


def row_events(res):
    remove_all_vgpus()  # what a failed row before may have left: the parent needs room
    settle()
    parent = parents()[0]
    out = {}
    res["events"] = out
    failed = None
    for kind in ("sse", "dbus"):
        log("event latency via", kind)
        try:
            out[kind] = stats(samples_of(prog("bench-event"), kind, parent, type_of(parent), str(COUNTS["events"]),
                                         SOCK))
        except subprocess.CalledProcessError as e:
            failed = failed or e
            settle()
    if failed:
        raise failed


def unload_modules():
    remove_all_vgpus()
    time.sleep(0.5)
    for m in ("gvt_mdev", "gvt_base"):
        run("rmmod", m, check=False)


def row_ready(res, gvtd):
    """gvtd start to READY=1 (modules loaded, autostarts done) against the same by hand."""
    n_auto = 50
    out = {"auto_definitions": n_auto, "ready0_s": [], "ready50_s": [], "floor_load_s": [], "floor_creates50_s": []}
    gvtd.stop()
    settle()
    for _ in range(COUNTS["ready_runs"]):
        unload_modules()
        clear_definitions()
        log("time to ready, no definitions")
        out["ready0_s"].append(gvtd.start())
        gvtd.stop()
        unload_modules()
        write_definitions(0, n_auto, autostart=True)
        log("time to ready,", n_auto, "auto definitions")
        out["ready50_s"].append(gvtd.start())
        running = len(os.listdir("/sys/bus/mdev/devices"))
        if running != n_auto:
            raise RuntimeError("%d vGPUs run after READY=1, want %d" % (running, n_auto))
        gvtd.stop()
        unload_modules()
        clear_definitions()
        log("floor: modules by hand, then", n_auto, "creates")
        t = time.perf_counter()
        for m in ("vfio", "vfio_iommu_type1", "mdev"):
            run("modprobe", m)
        run("insmod", os.path.join(BUILD, "kmod", "gvt_base.ko"), *GVT_BASE_PARAMETERS.split())
        run("insmod", os.path.join(BUILD, "kmod", "gvt_mdev.ko"))
        while len(glob.glob("/sys/class/mdev_bus/*")) < 8:
            time.sleep(0.001)
        out["floor_load_s"].append(time.perf_counter() - t)
        out["floor_creates50_s"].append(fill(n_auto))
    unload_modules()
    res["ready"] = {k: (statistics.median(v) if isinstance(v, list) else v) for k, v in out.items()}
    res["ready"]["runs"] = COUNTS["ready_runs"]


VFIO_KINDS = (("zero-pread", "a. floor: pread /dev/zero"), ("bar0-read", "b. pread BAR0 register"),
              ("bar0-read-pvinfo", "c. pread BAR0 PVINFO"), ("bar0-write", "d. pwrite BAR0 register"),
              ("bar0-write-pvinfo", "e. pwrite BAR0 PVINFO"), ("bar2-mmap", "f. BAR2 mmap, per page"),
              ("anon-mmap", "g. anonymous mmap, per page"))


def row_vfio(res):
    """One trapped register access as a VMM pays it, against the syscall floor; the aperture mmap against anonymous memory."""
    remove_all_vgpus()
    settle()
    parent = parents()[0]
    u = uuid_of(7, 0)
    create = "/sys/class/mdev_bus/%s/mdev_supported_types/%s/create" % (parent, type_of(parent))
    with open(create, "w") as f:
        f.write(u)
    log("trapped register access and aperture mmap on", u)
    try:
        p = run(prog("bench-vfio"), u, str(COUNTS["vfio_rounds"]), str(COUNTS["vfio_batch"]))
    finally:
        with open("/sys/bus/mdev/devices/%s/remove" % u, "w") as f:
            f.write("1")
    samples = {}
    for line in p.stdout.splitlines():
        kind, ns = line.split()
        samples.setdefault(kind, []).append(float(ns))
    out = {"rounds": COUNTS["vfio_rounds"], "batch": COUNTS["vfio_batch"]}
    for kind, _ in VFIO_KINDS:
        s = sorted(samples[kind])
        out[kind] = {"n": len(s), "median_ns": statistics.median(s), "min_ns": s[0],
                     "p99_ns": s[max(0, -(-99 * len(s) // 100) - 1)]}
    res["vfio"] = out


def machine():
    cpu = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
    return {"nproc": os.cpu_count(), "cpu": cpu[0] if cpu else "?", "kernel": os.uname().release,
            "accel": "kvm" if "hypervisor" in open("/proc/cpuinfo").read() and "QEMU TCG" not in cpu[0] else "tcg"}


def gvtd_log_tail(lines=60):
    try:
        with open("/tmp/gvtd.log", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return repr(e)


def cmd_run():
    global QUICK, VERBOSE
    VERBOSE = "--verbose" in sys.argv
    if "--quick" in sys.argv:
        QUICK = True
        COUNTS.update(cycles=20, cycles_process=5, warmup=2, list_calls=5, list_process=2, events=5,
                      ready_runs=1, wrk_seconds=3, vfio_rounds=10, vfio_batch=64, ab_rounds=1)
    only = [a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--rows=")]
    only = only[0] if only else ["1", "2", "3", "4", "5", "6", "7"]
    against = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--against=")]
    if against:
        only = ["ab"]
    res = {"machine": machine(), "counts": COUNTS, "gvt_base_parameters": GVT_BASE_PARAMETERS,
           "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    t0 = time.perf_counter()
    token = setup_system()
    gvtd = Gvtd()
    res["memory"] = {}
    res["ready_first_s"] = gvtd.start()
    time.sleep(1)
    res["memory"]["idle_hwm_kib"] = gvtd.status("VmHWM")
    res["memory"]["idle_rss_kib"] = gvtd.status("VmRSS")
    # Resident pages of gvtd's own heap and stack, against those of the shared libraries it maps.
    res["memory"]["idle_anon_kib"] = gvtd.status("RssAnon")
    res["memory"]["idle_file_kib"] = gvtd.status("RssFile")
    res["memory"]["idle_by_mapping_kib"] = gvtd.rss_by_mapping()
    res["memory"]["idle_rollup_kib"] = gvtd.rollup()
    rows = [("ab", lambda: row_ab(res, gvtd, against[0])),
            ("1", lambda: (settle(), row_cycles(res))),
            ("3", lambda: row_throughput(res, token)),
            ("2", lambda: (settle(), row_list(res, gvtd))),
            ("4", lambda: (write_definitions(0, 1000) if "2" not in only else None, row_memory_loaded(res, gvtd))),
            ("6", lambda: (clear_definitions(), row_events(res))),
            ("7", lambda: row_vfio(res)),
            ("5", lambda: row_ready(res, gvtd))]
    # A row that fails is reported and the others still run.
    for name, fn in rows:
        if name not in only:
            continue
        try:
            fn()
        except subprocess.CalledProcessError as e:
            log("row %s FAILED:" % name, e.cmd, e.stdout, e.stderr)
            log("gvtd's log, last lines:\n" + gvtd_log_tail())
            res.setdefault("errors", []).append("row %s: %s: %s" % (name, " ".join(e.cmd), e.stderr.strip()))
        except Exception as e:  # noqa: BLE001 -- report what was measured so far
            log("row %s FAILED:" % name, repr(e))
            log("gvtd's log, last lines:\n" + gvtd_log_tail())
            res.setdefault("errors", []).append("row %s: %r" % (name, e))
        if gvtd.proc is None:
            gvtd.start()
    res["seconds"] = time.perf_counter() - t0
    if gvtd.proc:
        gvtd.stop()
    print(MARKER)
    print(json.dumps(res, indent=1))
    return 1 if "errors" in res else 0


# -- the report ---------------------------------------------------------------------

def verdict(ok):
    return "PASS" if ok else "MISS"


def report(res):
    lines = []
    m = res["machine"]
    add = lines.append
    add("gvtd benchmark, %s: %s guest CPUs (%s, %s), kernel %s; %.0f s" %
        (res.get("started", "?"), m["nproc"], m["cpu"], m["accel"], m["kernel"], res.get("seconds", 0)))
    if "host" in res:
        add("host: %s" % res["host"])
    for e in res.get("errors", []):
        add("FAILED: %s" % e)
    ab = res.get("ab")
    if ab and ab["rounds"]:
        add("")
        add("ab. before (%s) and after (this build), alternated in one VM run" % ab["against"])
        add("   %-6s %-7s %9s %9s %9s %6s %6s %12s %12s" % ("round", "gvtd", "a sysfs", "b D-Bus", "c REST", "b/a",
                                                          "c/a", "ListDefs k/10", "GET k/10"))
        ratios = {"before": [], "after": []}
        for m in ab["rounds"]:
            med = {k: v["median_ms"] for k, v in m.items() if isinstance(v, dict)}
            q = (med["dbus"] / med["sysfs"], med["rest"] / med["sysfs"],
                 med["dbus-definitions-1000"] / med["dbus-definitions-10"],
                 med["rest-vgpus-1000"] / med["rest-vgpus-10"])
            ratios[m["gvtd"]].append(q)
            add("   %-6d %-7s %9.2f %9.2f %9.2f %6.2f %6.2f %12.1f %12.1f" % ((m["round"], m["gvtd"], med["sysfs"],
                                                                           med["dbus"], med["rest"]) + q))
        for i, (what, target) in enumerate((("b/a", 1.5), ("c/a", 2.0), ("ListDefinitions 1000/10", 20),
                                            ("GET /v1/vgpus 1000/10", 20))):
            b = statistics.median(q[i] for q in ratios["before"])
            a = statistics.median(q[i] for q in ratios["after"])
            add("   %-24s median before %6.2f, after %6.2f (after/before %.2f; target <= %g) %s"
                % (what, b, a, a / b, target, verdict(a <= target)))
    c = res.get("cycles")
    if c:
        add("")
        add("1. vGPU create+remove, one cycle (ms): median and p99 of n cycles after %d untimed"
            % res["counts"]["warmup"])
        add("   %-30s %5s %9s %9s" % ("path", "n", "median", "p99"))
        names = {"sysfs": "a. floor: sysfs writes (C)", "dbus": "b. D-Bus, one connection (C)",
                 "rest": "c. REST keep-alive, unix (C)", "gvtctl": "d. gvtctl create + remove",
                 "gvtctl-bus": "   (d over the system bus)",
                 "mdevctl": "e. mdevctl start + stop",
                 "start-gvtctl": "   (2 x gvtctl --version)", "start-mdevctl": "   (2 x mdevctl --version)"}
        for k, name in names.items():
            if k in c:
                add("   %-30s %5d %9.2f %9.2f" % (name, c[k]["n"], c[k]["median_ms"], c[k]["p99_ms"]))
        for a, b, target, what in (("dbus", "sysfs", 1.5, "b/a"), ("rest", "sysfs", 2.0, "c/a"),
                                   ("gvtctl", "mdevctl", 0.8, "d/e")):
            r = c[a]["median_ms"] / c[b]["median_ms"]
            add("   %s = %.2f (medians; target <= %.1f) %s" % (what, r, target, verdict(r <= target)))
    li = res.get("list")
    if li:
        add("")
        add("2. listing (ms, median of n calls on one connection; mdevctl: one process per call)")
        add("   %-12s %18s %18s %18s %18s" % ("definitions", "D-Bus ListDefs", "D-Bus ListVGPUs",
                                              "REST GET /vgpus", "mdevctl --defined"))
        for n, row in li.items():
            add("   %-12s %18.2f %18.2f %18.2f %18.2f" % (n, row["dbus-definitions"]["median_ms"],
                                                      row["dbus-vgpus"]["median_ms"], row["rest-vgpus"]["median_ms"],
                                                      row["mdevctl"]["median_ms"]))
        if "1000" in li and "10" in li:
            for k, name in (("dbus-definitions", "D-Bus ListDefinitions"), ("dbus-vgpus", "D-Bus ListVGPUs"),
                            ("rest-vgpus", "REST GET /v1/vgpus"), ("mdevctl", "mdevctl list --defined")):
                r = li["1000"][k]["median_ms"] / li["10"][k]["median_ms"]
                add("   1000/10 %-24s = %6.1f (target <= 20) %s" % (name, r, verdict(r <= 20)))
    t = res.get("throughput")
    if t:
        add("")
        add("3. REST read throughput: GET /v1/vgpus with %d vGPUs (%d bytes, nginx serves the same bytes: %s),"
            % (t["vgpus"], t["body_bytes"], t["same_bytes"]))
        add("   wrk -t1 over TCP loopback, %d s each; gvtd one thread, nginx one worker" % res["counts"]["wrk_seconds"])
        for conns in (1, 8):
            g, n = t["gvtd_c%d" % conns], t["nginx_c%d" % conns]
            r = g["requests_per_s"] / n["requests_per_s"]
            add("   %d conn: gvtd %8.0f req/s, nginx %8.0f req/s, gvtd/nginx = %.2f (target >= 0.50) %s%s" %
                (conns, g["requests_per_s"], n["requests_per_s"], r, verdict(r >= 0.5),
                 "  [%s]" % "; ".join(g["errors"] + n["errors"]) if g["errors"] or n["errors"] else ""))
    mem = res.get("memory")
    if mem:
        add("")
        add("4. gvtd memory (VmHWM = peak RSS since start, MiB)")
        if "idle_hwm_kib" in mem:
            v = mem["idle_hwm_kib"] / 1024
            add("   idle, modules loaded, nothing else    %6.2f (target <= 4) %s  [RSS now %.2f: anon %.2f, files %.2f]"
                % (v, verdict(v <= 4), mem["idle_rss_kib"] / 1024, mem["idle_anon_kib"] / 1024,
                   mem["idle_file_kib"] / 1024))
        if mem.get("idle_rollup_kib"):
            ro = mem["idle_rollup_kib"]
            add("   idle PSS %.2f MiB (shared pages divided among the processes mapping them), private %.2f MiB"
                % (ro["Pss"] / 1024, (ro["Private_Clean"] + ro["Private_Dirty"]) / 1024))
        if mem.get("idle_by_mapping_kib"):
            add("   idle RSS by mapping (kB): " + ", ".join("%s %d" % (n, k) for n, k in mem["idle_by_mapping_kib"][:12]))
        if "loaded_hwm_kib" in mem:
            v = mem["loaded_hwm_kib"] / 1024
            add("   1000 definitions + 50 running vGPUs   %6.2f (target <= 16) %s  [RSS now %.2f]" %
                (v, verdict(v <= 16), mem["loaded_rss_kib"] / 1024))
        if "sse_hwm_kib" in mem:
            v = mem["sse_hwm_kib"] / 1024
            add("   + 100 SSE clients, 50 events each     %6.2f (target <= 16) %s  [RSS now %.2f]" %
                (v, verdict(v <= 16), mem["sse_rss_kib"] / 1024))
    rd = res.get("ready")
    if rd:
        add("")
        add("5. time to ready (s, median of %d starts): gvtd start -> modules loaded -> autostarts -> READY=1"
            % rd["runs"])
        add("   0 definitions %.2f, %d auto definitions %.2f" % (rd["ready0_s"], rd["auto_definitions"], rd["ready50_s"]))
        add("   floor: modules by hand %.2f, %d raw creates %.2f" %
            (rd["floor_load_s"], rd["auto_definitions"], rd["floor_creates50_s"]))
        auto = rd["ready50_s"] - rd["ready0_s"]
        r = auto / rd["floor_creates50_s"]
        add("   autostart part (ready50 - ready0) / raw creates = %.2f (target <= 2.0) %s" % (r, verdict(r <= 2)))
        r = rd["ready50_s"] / (rd["floor_load_s"] + rd["floor_creates50_s"])
        add("   whole: ready50 / (modules by hand + raw creates) = %.2f" % r)
    ev = res.get("events")
    if ev:
        add("")
        add("6. event latency: sysfs create returned -> event seen (ms)")
        for k, name in (("dbus", "D-Bus VGPUAdded signal"), ("sse", "SSE vgpu-added event")):
            if k in ev:
                add("   %-24s n=%3d median %7.2f p99 %7.2f" % (name, ev[k]["n"], ev[k]["median_ms"], ev[k]["p99_ms"]))
    vf = res.get("vfio")
    if vf:
        add("")
        add("7. trapped register access, 4 bytes on the vGPU's VFIO device fd (ns per call; median, min, p99 of %d"
            % vf["rounds"])
        add("   rounds of %d calls, the kinds interleaved); aperture: a fresh mapping of %d pages, one byte written"
            % (vf["batch"], vf["batch"]))
        add("   per page, against an anonymous one (ns per page, mmap and munmap included)")
        add("   %-30s %9s %9s %9s" % ("path", "median", "min", "p99"))
        for kind, name in VFIO_KINDS:
            add("   %-30s %9.0f %9.0f %9.0f" % (name, vf[kind]["median_ns"], vf[kind]["min_ns"], vf[kind]["p99_ns"]))
        floor = vf["zero-pread"]["median_ns"]
        for kind, what in (("bar0-read", "b/a"), ("bar0-read-pvinfo", "c/a"), ("bar0-write", "d/a"),
                           ("bar0-write-pvinfo", "e/a")):
            r = vf[kind]["median_ns"] / floor
            add("   %s = %.2f (medians; target <= 2.0) %s" % (what, r, verdict(r <= 2)))
        add("   f/g = %.2f (medians; no target: the aperture's fault against the kernel's own anonymous one)"
            % (vf["bar2-mmap"]["median_ns"] / vf["anon-mmap"]["median_ns"]))
    return "\n".join(lines)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "run":
        return cmd_run()
    if len(sys.argv) == 3 and sys.argv[1] == "report":
        with open(sys.argv[2]) as f:
            print(report(json.load(f)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
