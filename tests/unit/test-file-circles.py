#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""No circles between the daemon's files (docs/architecture.md, "One pass down").

File A depends on file B when A calls a non-static function that B defines.
The daemon's files must form no cycle of such dependencies: the core below
the adapters, each adapter's leaf below its top, the kernel seam at the
bottom. The meson build keeps adapters out of the core's include path; this
keeps the order inside each layer.

Calls are found by reading the C text (comments removed), not by compiling:
a call through a function pointer is not seen, which is what the rule wants
(a callback handed down is not a call back up).

usage: test-file-circles.py SOURCE_ROOT
Before checking the tree it checks itself on a made-up tree with a circle.
"""
import os
import re
import sys
import tempfile

DEFINITION = re.compile(r'^(?!static\b)[A-Za-z_][\w \*]*?\b(\w+)\s*\([^;{)]*\)\s*\{', re.M)
CALL = re.compile(r'\b(\w+)\s*\(')


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return re.sub(r'//[^\n]*', '', text)


def dependencies(top):
    sources = {}
    for dirpath, _, names in os.walk(top):
        for n in names:
            if n.endswith('.c'):
                p = os.path.join(dirpath, n)
                with open(p, encoding='utf-8') as f:
                    sources[os.path.relpath(p, top)] = strip_comments(f.read())
    defined_in = {}
    for path, text in sorted(sources.items()):
        for m in DEFINITION.finditer(text):
            defined_in.setdefault(m.group(1), path)
    edges = {path: {} for path in sources}
    for path, text in sources.items():
        for m in CALL.finditer(text):
            target = defined_in.get(m.group(1))
            if target and target != path:
                edges[path].setdefault(target, set()).add(m.group(1))
    return edges


def circles(edges):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def report(edges, found):
    for comp in found:
        print('circle: ' + ' '.join(comp))
        for a in comp:
            for b in comp:
                if b in edges[a]:
                    print(f'    {a} -> {b}: {", ".join(sorted(edges[a][b]))}')


def self_check():
    with tempfile.TemporaryDirectory() as d:
        files = {
            'low.c': 'int low_get(void)\n{\n\treturn 1;\n}\n',
            'up.c': '/* low_get( in a comment */\nint up_call(void)\n{\n\treturn low_get() + mid_get();\n}\n',
            'mid.c': 'static int helper(void) { return 0; }\nint mid_get(void)\n{\n\treturn up_call() + helper();\n}\n',
        }
        for n, t in files.items():
            with open(os.path.join(d, n), 'w') as f:
                f.write(t)
        found = circles(dependencies(d))
        if found != [['mid.c', 'up.c']]:
            print(f'FAIL - self-check: expected the circle mid.c <-> up.c, found {found}')
            return False
    return True


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    if not self_check():
        return 1
    top = os.path.join(sys.argv[1], 'daemon')
    edges = dependencies(top)
    if len(edges) < 20:
        print(f'FAIL - only {len(edges)} C files under {top}')
        return 1
    found = circles(edges)
    if found:
        report(edges, found)
        print(f'FAIL - {len(found)} circle(s) between the files of daemon/: '
              'move what both sides need into a file below them')
        return 1
    print(f'ok - {len(edges)} files in daemon/, '
          f'{sum(len(v) for v in edges.values())} dependencies between them, no circle')
    return 0


if __name__ == '__main__':
    sys.exit(main())
