#!/usr/bin/env python3
"""Checks libcommon's layering (docs/architecture.md, STYLE 10).

A module is a header and its .cpp (libcommon/<layer>/<name>.{h,cpp}). The
check fails when a file includes a header of a layer its own layer may not
use (an upward include), when modules include each other in a circle, or when
a file outside train/ includes libtorch. Exit 0 clean, 1 with findings listed
on stderr, 2 on usage errors.

--self-test builds small trees with one planted fault each and checks that
each fault, and nothing else, is found.
"""
import argparse
import os
import re
import sys
import tempfile

# What each layer may include, besides itself (docs/architecture.md).
ALLOWED = {
    "core": set(),
    "consensus": {"core"},
    "train": {"core", "consensus"},
    "store": {"core", "consensus"},
    "net": {"core", "consensus", "store"},
    "tool": {"core", "consensus", "train", "store", "net"},
}

# Reviewed exceptions, as (including file, included header) relative to the
# root. Each entry needs a reason beside it; the table starts empty.
EXCEPTIONS = set()

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]')


def scan(root):
    """Returns {file: [(line, header)]} for every libcommon file under root."""
    includes = {}
    base = os.path.join(root, "libcommon")
    for dirpath, _, names in os.walk(base):
        for name in sorted(names):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            found = []
            with open(path, encoding="utf-8") as f:
                for number, text in enumerate(f, 1):
                    m = INCLUDE.match(text)
                    if m:
                        found.append((number, m.group(1), m.group(2)))
            includes[rel] = found
    return includes


def layer_of(rel):
    parts = rel.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "libcommon" else None


def module_of(rel):
    return os.path.splitext(rel)[0]


def find_cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def check(root):
    """Returns the findings as a list of one-line strings."""
    findings = []
    includes = scan(root)
    graph = {}
    for rel, found in sorted(includes.items()):
        layer = layer_of(rel)
        if layer is None:
            findings.append(f"{rel}: not in a layer folder (libcommon/<layer>/)")
            continue
        if layer not in ALLOWED:
            findings.append(f"{rel}: unknown layer '{layer}'")
            continue
        mod = module_of(rel)
        graph.setdefault(mod, set())
        for number, quote, header in found:
            if quote == "<" and header.startswith("torch/") and layer != "train":
                findings.append(f"{rel}:{number}: libtorch outside train/ ({header})")
            if quote != '"' or not header.startswith("libcommon/"):
                continue
            target = layer_of(header)
            if (rel, header) in EXCEPTIONS:
                continue
            if target is None:
                findings.append(f"{rel}:{number}: include '{header}' names no layer folder")
                continue
            if target != layer and target not in ALLOWED.get(layer, set()):
                findings.append(
                    f"{rel}:{number}: upward include: {layer} may not include {target} ({header})")
            dep = module_of(header)
            if dep != mod:
                graph[mod].add(dep)
    for component in find_cycles(graph):
        findings.append("include cycle between modules: " + " <-> ".join(component))
    return findings


def self_test():
    """Plants one fault per tree and checks that exactly it is reported."""
    cases = {
        "clean": ({"core/a.h": ["core/b.h"], "core/b.h": [], "net/c.cpp": ["core/a.h"]}, []),
        "upward": ({"core/a.h": [], "core/a.cpp": ["net/c.h"], "net/c.h": []},
                   ["upward include: core may not include net"]),
        "sideways": ({"train/t.h": [], "store/s.cpp": ["train/t.h"]},
                     ["upward include: store may not include train"]),
        "cycle": ({"consensus/a.h": [], "consensus/a.cpp": ["consensus/b.h"],
                   "consensus/b.h": ["consensus/a.h"]},
                  ["include cycle between modules: libcommon/consensus/a <-> libcommon/consensus/b"]),
        "torch": ({"core/a.cpp": ["<torch/torch.h>"]}, ["libtorch outside train/"]),
    }
    failed = 0
    for name, (files, expected) in cases.items():
        with tempfile.TemporaryDirectory() as root:
            for rel, incs in files.items():
                path = os.path.join(root, "libcommon", rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    for inc in incs:
                        f.write(f"#include {inc}\n" if inc.startswith("<")
                                else f'#include "libcommon/{inc}"\n')
            findings = check(root)
        ok = len(findings) == len(expected) and all(
            any(e in f for f in findings) for e in expected)
        print(f"{'ok' if ok else 'FAILED'}: {name}: {findings}")
        failed += not ok
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="source tree holding libcommon/")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.root or not os.path.isdir(os.path.join(args.root, "libcommon")):
        print("check_layers: error: --root must name a tree with libcommon/", file=sys.stderr)
        return 2
    findings = check(args.root)
    for f in findings:
        print(f"check_layers: {f}", file=sys.stderr)
    if findings:
        print(f"check_layers: {len(findings)} finding(s)", file=sys.stderr)
        return 1
    print("check_layers: libcommon layering clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
