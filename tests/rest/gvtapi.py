# SPDX-License-Identifier: GPL-2.0-only
"""A client for gvtd's REST API that checks every response against
api/openapi.yaml: the path and method are documented, the status is one the
operation lists (or its default), the Content-Type is the documented one and
the body matches the schema. Used by the host and the VM tests."""
import http.client
import json
import re
import socket
import ssl

import jsonschema
import yaml


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def _inline(node, components):
    """The schema with $refs resolved and OpenAPI's nullable as JSON Schema."""
    if isinstance(node, list):
        return [_inline(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _inline(components[node["$ref"].split("/")[-1]], components)
    out = {k: _inline(v, components) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


class Spec:
    def __init__(self, path):
        # every problem document checked: type -> {title: "METHOD path" of the first that had it}
        self.titles = {}
        with open(path) as f:
            self.doc = yaml.safe_load(f)
        self.components = self.doc["components"]["schemas"]
        self.paths = []
        for template, item in self.doc["paths"].items():
            # a path with servers of its own (/metrics) sits at the root, the others below /v1
            base = "" if item.get("servers") else "/v1"
            rx = "^" + base + re.sub(r"\{[^}]+\}", "[^/]+", template.rstrip("/")) + "$"
            self.paths.append((re.compile(rx), template, item))

    def operation(self, path):
        path = path.split("?")[0]
        for rx, template, item in self.paths:
            if rx.match(path):
                return template, item
        return None, None

    def check(self, method, path, status, headers, body):
        """A list of what does not match the document (empty: all good)."""
        errors = []
        template, item = self.operation(path)
        if template is None:
            # Only a 404 problem may answer an undocumented path.
            if status != 404:
                errors.append(f"{method} {path}: undocumented path answered {status}")
            item = {method.lower(): {"responses": {"default": {"$ref": "#/components/responses/Problem"}}}}
        op = item.get(method.lower())
        if op is None:
            if status != 405:
                errors.append(f"{method} {path}: undocumented method answered {status}")
            op = {"responses": {"default": {"$ref": "#/components/responses/Problem"}}}
        resp = op["responses"].get(str(status)) or op["responses"].get("default")
        if resp is None:
            return errors + [f"{method} {path}: status {status} not documented"]
        if "$ref" in resp:
            resp = self.doc["components"]["responses"][resp["$ref"].split("/")[-1]]
        content = resp.get("content")
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
        if not content:
            if body:
                errors.append(f"{method} {path}: {status} has a body, none documented")
            return errors
        if ctype not in content:
            return errors + [f"{method} {path}: {status} Content-Type {ctype!r}, documented {list(content)}"]
        if not ctype.endswith("json"):
            return errors  # the event stream, the metrics' text format
        schema = _inline(content[ctype]["schema"], self.components)
        try:
            jsonschema.validate(json.loads(body), schema)
        except (ValueError, jsonschema.ValidationError) as e:
            errors.append(f"{method} {path}: {status} body does not match: {str(e).splitlines()[0]}")
        if status >= 400 and ctype == "application/problem+json":
            p = json.loads(body)
            if p.get("status") != status:
                errors.append(f"{method} {path}: problem status {p.get('status')} != {status}")
            self.titles.setdefault(p.get("type"), {}).setdefault(p.get("title"), f"{method} {path}")
        return errors


class Client:
    def __init__(self, spec, unix=None, host=None, port=None, token=None, cafile=None):
        self.spec = spec
        self.unix, self.host, self.port, self.token, self.cafile = unix, host, port, token, cafile
        self.errors = []

    def connection(self):
        if self.unix:
            return UnixConnection(self.unix)
        if self.cafile:
            ctx = ssl.create_default_context(cafile=self.cafile)
            ctx.check_hostname = False
            return http.client.HTTPSConnection(self.host, self.port, context=ctx, timeout=10)
        return http.client.HTTPConnection(self.host, self.port, timeout=10)

    def request(self, method, path, body=None, headers=None, raw=None):
        """(status, headers, parsed body or None); checked against the document."""
        h = dict(headers or {})
        if self.token:
            h.setdefault("Authorization", "Bearer " + self.token)
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c = self.connection()
        try:
            c.request(method, path, body=data, headers=h)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered (413, 415, ...) and closed before the body was sent: read that answer
        r = c.getresponse()
        text = r.read()
        c.close()
        hdrs = {k: v for k, v in r.getheaders()}
        self.errors += self.spec.check(method, path, r.status, hdrs, text)
        parsed = json.loads(text) if text and "json" in hdrs.get("Content-Type", "") else None
        return r.status, hdrs, parsed
