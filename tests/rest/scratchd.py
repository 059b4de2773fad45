# SPDX-License-Identifier: GPL-2.0-only
"""gvtd on a scratch root for the host tests: a fake sysfs tree, a private
D-Bus, API tokens for each role, and helpers to start gvtd with a config,
talk to its unix socket raw (so a client can also stall) and tally checks.
Used by tests/unit/test-rest-*.py."""
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

fails = 0


def expect(what, got, want):
    global fails
    if got == want:
        print(f"ok   - {what}")
    else:
        print(f"FAIL - {what}: got {got!r}, want {want!r}")
        fails += 1


def openapi_errors(errors):
    """Count what gvtapi found against api/openapi.yaml as failures."""
    global fails
    for e in errors:
        print("FAIL - openapi:", e)
        fails += 1


def one_title_per_type(titles):
    """Every problem type seen (gvtapi.Spec.titles) came with a single title."""
    for ptype, seen in sorted(titles.items()):
        expect(f"one title for {ptype}: {sorted(seen.items())}", len(seen), 1)


def finish():
    print("all passed" if fails == 0 else f"{fails} failed")
    sys.exit(1 if fails else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(check, tries=100):
    for _ in range(tries):
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def stream(sock, last_id=None):
    """A connected /v1/events client (a raw socket, so it can also stall)."""
    c = socket.socket(socket.AF_UNIX)
    c.connect(sock)
    c.sendall(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n" +
              (b"Last-Event-ID: " + last_id + b"\r\n" if last_id else b"") + b"\r\n")
    c.settimeout(5)
    return c


def read_until(c, needle):
    got = b""
    while needle not in got:
        chunk = c.recv(65536)
        if not chunk:
            break
        got += chunk
    c.close()
    return got


def raw(sock, data, timeout=5):
    """data on a fresh connection to the unix socket: the status code (or None) and the seconds it took."""
    c = socket.socket(socket.AF_UNIX)
    c.connect(sock)
    c.settimeout(timeout)
    t = time.monotonic()
    got = b""
    try:
        c.sendall(data)
    except OSError:
        pass
    try:
        while b"\r\n" not in got:
            chunk = c.recv(4096)
            if not chunk:
                break
            got += chunk
    except OSError:
        pass
    c.close()
    line = got.split(b"\r\n")[0].split(b" ")
    return (int(line[1]) if len(line) > 1 and line[1].isdigit() else None), time.monotonic() - t


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


class Scratch:
    """A scratch root (fake sysfs, tokens) and a private bus; start() runs gvtd on them."""
    tokens = {"reader": "tok-reader-1", "user": "tok-user-2", "admin": "tok-admin-3"}

    def __init__(self, gvtd, fake):
        self.gvtd = gvtd
        self.tmp = tempfile.mkdtemp()
        self.root = os.path.join(self.tmp, "root")
        self.sock = f"{self.root}/run/gvtd/api.sock"
        self.logs = []
        subprocess.run([fake, self.root], check=True, stdout=subprocess.DEVNULL)
        with open(f"{self.root}/etc/gvtd/api-tokens", "w") as f:
            f.write("# test tokens\n")
            for role, t in self.tokens.items():
                f.write(f"sha256:{hashlib.sha256(t.encode()).hexdigest()} {role}-owner {role}\n")
        self.bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                                    stdout=subprocess.PIPE, text=True)
        self.address = self.bus.stdout.readline().strip()
        self.procs = [self.bus]

    def start(self, conf, log, argv_prefix=(), **popen_kw):
        """gvtd with gvtd.conf = conf, its stderr in the file log."""
        with open(f"{self.root}/etc/gvtd/gvtd.conf", "w") as f:
            f.write(conf)
        self.logs.append(log)
        p = subprocess.Popen([*argv_prefix, self.gvtd, f"--root={self.root}", f"--bus-address={self.address}",
                              "--profile=sim", "--no-load"],
                             stderr=open(os.path.join(self.tmp, log), "w"), **popen_kw)
        self.procs.append(p)
        return p

    def busctl(self, *args):
        """busctl call on gvtd's org.gvtd1.Manager over this scratch bus: the process and its seconds."""
        t = time.monotonic()
        p = subprocess.run(["busctl", f"--address={self.address}", "call", "org.gvtd1", "/org/gvtd1",
                            "org.gvtd1.Manager", *args], capture_output=True, text=True, timeout=10)
        return p, time.monotonic() - t

    def log(self, name):
        path = os.path.join(self.tmp, name)
        return open(path).read() if os.path.exists(path) else ""

    def close(self):
        for p in self.procs:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        if fails:
            for log in self.logs:
                print(f"--- {log}")
                print(self.log(log))
        shutil.rmtree(self.tmp, ignore_errors=True)
