#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""REST API tokens managed through gvtd (gvtctl token add|list|revoke, D-Bus
AddToken/ListTokens/RevokeToken) and SIGHUP (issue 16 point 6): a new token
works at once and is stored as the SHA-256 sha256sum computes, in a 0600
file whose other lines stay as they were; a revoked one is refused at once;
bad input changes nothing; SIGHUP reads the token file and the TLS
certificate again, an open TLS connection keeps working across it, a new
one gets the new certificate, and a broken certificate keeps the old one.
usage: test-tokens.py GVTD GVTCTL FAKE_SYSFS SRCDIR"""
import hashlib
import http.client
import os
import signal
import ssl
import stat
import subprocess
import json
import sys

gvtd, gvtctl, fake, src = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "tests", "rest"))
import scratchd  # noqa: E402
from scratchd import expect, free_port, wait_for  # noqa: E402

scratch = scratchd.Scratch(gvtd, fake)
tokfile = f"{scratch.root}/etc/gvtd/api-tokens"
port, tls_port = free_port(), free_port()


def ctl(*args):
    env = dict(os.environ, GVTCTL_FORCE_BUS="1")
    p = subprocess.run([gvtctl, f"--bus-address={scratch.address}", *args], capture_output=True, text=True,
                       env=env, timeout=30)
    return p.returncode, p.stdout, p.stderr


def status(token, path="/v1/host"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
    s = c.getresponse().status
    c.close()
    return s


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def file_text():
    return open(tokfile).read()


def make_cert(name):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", f"{scratch.root}/etc/gvtd/{name}.key", "-out", f"{scratch.root}/etc/gvtd/{name}.pem"],
                   check=True, capture_output=True)
    der = subprocess.run(["openssl", "x509", "-in", f"{scratch.root}/etc/gvtd/{name}.pem", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


def install_cert(name):
    for ext in ("pem", "key"):
        os.replace(f"{scratch.root}/etc/gvtd/{name}.{ext}", f"{scratch.root}/etc/gvtd/api.{ext}")


def tls_connection():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection("127.0.0.1", tls_port, timeout=5, context=ctx)
    c.connect()
    return c


def tls_get(c, token):
    c.request("GET", "/v1/host", headers={"Authorization": f"Bearer {token}"})
    r = c.getresponse()
    r.read()
    return r.status


def peer_sha(c):
    return hashlib.sha256(c.sock.getpeercert(binary_form=True)).hexdigest()


def log_has(text):
    return wait_for(lambda: text in scratch.log("log"), 30)


first_cert = make_cert("first")
install_cert("first")
d = scratch.start(f"[API]\nListenTCP=127.0.0.1:{port}\n", "log")
expect("gvtd up", wait_for(lambda: status(scratch.tokens["reader"]) == 200), True)

# -- add
before = file_text()
rc, out, err = ctl("token", "add", "nova", "user")
expect("token add: exit 0", (rc, err if rc else ""), (0, ""))
token = out.strip()
expect("token add: the token alone on stdout, gvtd_ and 64 hex digits",
       token.startswith("gvtd_") and len(token) == 69 and all(c in "0123456789abcdef" for c in token[5:]), True)
expect("token add: stderr names the id and says it is shown once",
       f"Token {sha(token)[:12]} for nova (user)" in err and "shown this once" in err, True)
expect("token add: the file is the old one plus the hash line",
       file_text(), before + f"sha256:{sha(token)} nova user\n")
expect("token add: the file is 0600", stat.S_IMODE(os.stat(tokfile).st_mode), 0o600)
expect("token add: the new token works at once", status(token), 200)
expect("token add: a wrong token still 401", status(token[:-1] + ("0" if token[-1] != "0" else "1")), 401)

rc, out, err = ctl("--json", "token", "add", "glance", "reader")
added = json.loads(out) if rc == 0 else {}
expect("token add --json: id, owner, role, token",
       (sorted(added), added.get("id"), added.get("owner"), added.get("role")),
       (["id", "owner", "role", "token"], sha(added.get("token", ""))[:12], "glance", "reader"))
reader2 = added.get("token", "")
expect("token add --json: it works", status(reader2), 200)

# -- list
rc, out, err = ctl("token", "list", "-o", "id,owner,role", "--noheadings")
rows = [line.split() for line in out.splitlines()]
expect("token list: every token of the file, ids as the hashes' first 12 digits", rows,
       [[sha(scratch.tokens[r])[:12], f"{r}-owner", r] for r in ("reader", "user", "admin")] +
       [[sha(token)[:12], "nova", "user"], [sha(reader2)[:12], "glance", "reader"]])
rc, out, err = ctl("--json", "token", "list")
expect("token list --json", json.loads(out)[-1] if rc == 0 else err,
       {"id": sha(reader2)[:12], "owner": "glance", "role": "reader"})
expect("token list --json has no secret and no full hash", sha(reader2) in out or reader2 in out, False)

# -- bad input: nothing changes
before = file_text()
for args, want_rc, text in [
        (("token", "add", "nova", "root"), 2, "ROLE is reader, user or admin"),
        (("token", "add", "nova"), 2, "token add takes an OWNER and a ROLE"),
        (("token", "add", "../etc", "user"), 1, "is not a valid name"),
        (("token", "add", "a b", "user"), 1, "is not a valid name"),
        (("token", "revoke", "zz"), 1, "is not a token id"),
        (("token", "revoke", "0123456789ab"), 1, "No token with id 0123456789ab"),
        (("token", "frobnicate"), 2, "token add OWNER ROLE | token list | token revoke ID"),
        (("token", "list", "x"), 2, "token list takes no arguments")]:
    rc, out, err = ctl(*args)
    expect(f"gvtctl {' '.join(args)}: exit {want_rc}, says so", (rc, text in err), (want_rc, True))
expect("bad input: the token file unchanged", file_text(), before)

# -- revoke: the line goes, every other line stays, the token is refused at once
with open(tokfile, "a") as f:
    f.write("  # a comment of the admin's\nnot a token line\n")
before = file_text()
rc, out, err = ctl("token", "revoke", sha(token)[:12].upper())
expect("token revoke (id in capitals): exit 0", (rc, err), (0, ""))
expect("token revoke: the token refused at once", status(token), 401)
expect("token revoke: only its line removed", file_text(), before.replace(f"sha256:{sha(token)} nova user\n", ""))
expect("token revoke: the others still work", (status(reader2), status(scratch.tokens["admin"])), (200, 200))
rc, out, err = ctl("token", "revoke", sha(token)[:12])
expect("token revoke again: NotFound", (rc, "No token with id" in err), (1, True))

# -- SIGHUP: a line added by hand is in use after it; the daemon keeps its connections
by_hand = "tok-by-hand-4"
with open(tokfile, "a") as f:
    f.write(f"sha256:{sha(by_hand)} cinder admin\n")
expect("a token added by hand: refused before SIGHUP", status(by_hand), 401)
keep = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
keep.request("GET", "/v1/host", headers={"Authorization": f"Bearer {reader2}"})
r = keep.getresponse()
r.read()
d.send_signal(signal.SIGHUP)
expect("SIGHUP: logged", log_has("Reloaded: 5 API tokens."), True)
expect("SIGHUP: the token added by hand works", status(by_hand), 200)
keep.request("GET", "/v1/host", headers={"Authorization": f"Bearer {reader2}"})
r = keep.getresponse()
r.read()
expect("SIGHUP: a keep-alive connection opened before still answers", r.status, 200)
keep.close()
expect("SIGHUP: gvtd still running", d.poll(), None)
d.send_signal(signal.SIGTERM)
d.wait(10)

# -- TLS: SIGHUP gives new connections the new certificate, open ones keep theirs
d = scratch.start(f"[API]\nListenTCP=127.0.0.1:{tls_port}\nTLSCertificate=/etc/gvtd/api.pem\n"
                  "TLSKey=/etc/gvtd/api.key\n", "log-tls")
expect("gvtd up with TLS", wait_for(lambda: tls_get(tls_connection(), reader2) == 200), True)
old = tls_connection()
expect("TLS: the first certificate", (tls_get(old, reader2), peer_sha(old)), (200, first_cert))
second_cert = make_cert("second")
install_cert("second")
d.send_signal(signal.SIGHUP)
expect("TLS SIGHUP: logged", wait_for(lambda: "New TLS connections get" in scratch.log("log-tls"), 30), True)
new = tls_connection()
expect("TLS SIGHUP: a new connection gets the second certificate", (tls_get(new, reader2), peer_sha(new)),
       (200, second_cert))
expect("TLS SIGHUP: the connection opened before still answers", tls_get(old, reader2), 200)
# a broken certificate: the reload says so, the last good one stays
with open(f"{scratch.root}/etc/gvtd/api.pem", "w") as f:
    f.write("not a certificate\n")
d.send_signal(signal.SIGHUP)
expect("TLS SIGHUP with a broken certificate: the error says which setting",
       wait_for(lambda: "TLSCertificate=/etc/gvtd/api.pem holds no PEM certificate" in scratch.log("log-tls"), 30),
       True)
expect("TLS SIGHUP with a broken certificate: the second still in use", peer_sha(tls_connection()), second_cert)
# a key that is not the certificate's
make_cert("third")
os.replace(f"{scratch.root}/etc/gvtd/third.pem", f"{scratch.root}/etc/gvtd/api.pem")
d.send_signal(signal.SIGHUP)
expect("TLS SIGHUP with a key of another certificate: refused",
       wait_for(lambda: "TLSKey=/etc/gvtd/api.key is not the key of" in scratch.log("log-tls"), 30), True)
expect("TLS: the second still in use", peer_sha(tls_connection()), second_cert)
expect("gvtd still running", d.poll(), None)
old.close()
new.close()

scratch.close()
scratchd.finish()
