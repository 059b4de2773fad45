#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A minimal QMP client for the kmod-qemu test (inside the VM).

Subcommands:
  cmd SOCKET COMMAND [JSON_ARGS]    run one QMP command, print its "return"
                                    as JSON; an error reply exits 1
  find SOCKET RAM_MIB HEX TIMEOUT   dump the guest's RAM (pmemsave) until the
                                    bytes HEX appear at a page boundary, print
                                    their guest physical address; exit 1 if
                                    they have not after TIMEOUT seconds
"""
import json
import os
import socket
import sys
import tempfile
import time

PAGE = 4096


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.file = self.sock.makefile("rw")
        self.reply()                    # the greeting
        self.execute("qmp_capabilities")

    def reply(self):
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError("QMP socket closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def execute(self, command, args=None):
        req = {"execute": command}
        if args:
            req["arguments"] = args
        self.file.write(json.dumps(req) + "\n")
        self.file.flush()
        msg = self.reply()
        if "error" in msg:
            raise RuntimeError("%s: %s" % (command, msg["error"].get("desc")))
        return msg.get("return")

    def close(self):
        self.file.close()
        self.sock.close()


def cmd_cmd(path, command, args=None):
    qmp = Qmp(path)
    try:
        ret = qmp.execute(command, json.loads(args) if args else None)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    except EOFError:
        # quit's reply may be lost when QEMU closes the socket at once.
        if command != "quit":
            raise
        ret = {}
    print(json.dumps(ret))
    qmp.close()
    return 0


def cmd_find(path, ram_mib, hexbytes, timeout):
    want = bytes.fromhex(hexbytes)
    deadline = time.monotonic() + float(timeout)
    qmp = Qmp(path)
    fd, dump = tempfile.mkstemp(prefix="gvt-ram-")
    os.close(fd)
    try:
        while True:
            qmp.execute("pmemsave", {"val": 0, "size": int(ram_mib) << 20, "filename": dump})
            with open(dump, "rb") as f:
                ram = f.read()
            at = ram.find(want)
            while at >= 0 and at % PAGE:
                at = ram.find(want, at + 1)
            if at >= 0:
                print("%#x" % at)
                return 0
            if time.monotonic() > deadline:
                return 1
            time.sleep(2)
    finally:
        os.unlink(dump)
        qmp.close()


def main():
    cmds = {"cmd": cmd_cmd, "find": cmd_find}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    sys.exit(cmds[sys.argv[1]](*sys.argv[2:]) or 0)


if __name__ == "__main__":
    main()
