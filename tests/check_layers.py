#!/usr/bin/env python3
"""Include directions of src/: every `#include "<layer>/..."` must name the file's own layer or one it
depends on, as declared by the lpusim_layer() calls in CMakeLists.txt (the same table the build uses).
A unit folder (src/units/<kind>/) sees the units layer and below and its own folder, not other units.
Also checks that the README's layout table lists the layers in that order.

  tests/check_layers.py            # check the tree; exit 1 naming each wrong-way include
  tests/check_layers.py --selftest # the checker must catch a planted wrong-way include
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layers():
    """[(name, deps)] in declaration order, from CMakeLists.txt."""
    text = open(os.path.join(ROOT, "CMakeLists.txt")).read()
    out = []
    for m in re.finditer(r"^lpusim_layer\((\w+)([^)]*)\)", text, re.M):
        args = m.group(2).split()
        deps, cur = [], None
        for a in args:
            if a in ("DEPS", "LIBS", "EXCLUDE"):
                cur = a
            elif cur == "DEPS":
                deps.append(a)
        out.append((m.group(1), deps))
    return out


def closures(table):
    seen = {}
    for name, deps in table:
        c = {name}
        for d in deps:
            if d not in seen:
                raise SystemExit(f"check_layers: layer {name} depends on {d}, which is not declared before it")
            c |= seen[d]
        seen[name] = c
    return seen


def violations(files, clos):
    """files: {path relative to src/: text}. Returns one message per wrong-way include."""
    bad = []
    for path, text in sorted(files.items()):
        parts = path.split("/")
        layer = parts[0]
        if layer not in clos:
            bad.append(f"src/{path}: folder '{layer}' is not a declared layer (CMakeLists.txt lpusim_layer)")
            continue
        unit = parts[1] if layer == "units" and len(parts) > 2 else None
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            target = inc.split("/")[0]
            if target not in clos:
                continue  # a system or third-party header in quotes
            line = text[: m.start()].count("\n") + 1
            if target not in clos[layer]:
                bad.append(f"src/{path}:{line}: includes {inc}: layer '{layer}' may include only "
                           f"{', '.join(sorted(clos[layer]))}")
            elif target == "units" and inc.count("/") >= 2:
                other = inc.split("/")[1]
                if unit != other and layer == "units":
                    bad.append(f"src/{path}:{line}: includes {inc}: a unit folder sees only the units layer and "
                               f"its own folder")
    return bad


def readme_order(table):
    text = open(os.path.join(ROOT, "README.md")).read()
    rows = re.findall(r"^\| `src/(\w+)/` \|", text, re.M)
    want = [n for n, _ in table]
    if rows != want:
        return [f"README.md: the layout table lists {rows}; expected the layers of CMakeLists.txt in order: {want}"]
    return []


def sources():
    out = {}
    src = os.path.join(ROOT, "src")
    for d, _, fs in os.walk(src):
        for f in fs:
            if f.endswith((".h", ".cpp")):
                p = os.path.join(d, f)
                out[os.path.relpath(p, src)] = open(p).read()
    return out


def main():
    table = layers()
    clos = closures(table)
    if "--selftest" in sys.argv:
        files = {"units/x/x.cpp": '#include "units/compute_unit.h"\n#include "compiler/compiler.h"\n',
                 "units/y/y.cpp": '#include "units/x/x.h"\n',
                 "base/a.cpp": '#include "base/a.h"\n#include <vector>\n'}
        bad = violations(files, clos)
        ok = len(bad) == 2 and "units/x/x.cpp:2" in bad[0] and "units/y/y.cpp:1" in bad[1]
        print("\n".join(bad))
        print("check_layers selftest:", "caught both planted includes" if ok else "FAILED")
        return 0 if ok else 1
    bad = violations(sources(), clos) + readme_order(table)
    for b in bad:
        print(b)
    if bad:
        return 1
    print(f"check_layers: {len(table)} layers, every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
