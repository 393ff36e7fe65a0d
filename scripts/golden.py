#!/usr/bin/env python3
"""Golden regression reports (tests/golden/<case>/), DRAMSys-style: byte-for-byte comparison.

  scripts/golden.py --check  [--binary build/lpusim]   # CTest: exit 1 and list differing files
  scripts/golden.py --update [--binary build/lpusim]   # regenerate; print which numbers moved and by how much

A commit that moves a golden number regenerates the files in the same commit and says in its
message which numbers moved, by how much, and why (paste the --update summary).
Runs from the repository root: reports hold the relative paths they were given.
"""
import argparse
import csv
import difflib
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden")

SMALL = ["--prompt-tokens", "16", "--generated-tokens", "2"]
REPORT = ["report.json", "ops.csv", "layers.csv", "dram.csv"]

# One declaration per case: command line (after the binary, before -o) and the files it pins.
# Together they cover every unit kind and path: ternary and FP16 arrays, the vector unit, the
# popcount engine, the LUT unit, an encoder, the sweep runner and the functional datapath.
CASES = {
    "decode_lpu_vs_fp16": (["compare", "configs/designs/lpu.yaml", "configs/designs/fp16.yaml",
                            "workloads/bitnet_b158_700m.yaml"] + SMALL, REPORT),
    "popcount_bitformer": (["run", "configs/designs/lpu_bitformer.yaml", "workloads/bitnet_b158_700m.yaml"]
                           + SMALL, REPORT),
    "lut_deit_quweit": (["run", "configs/designs/lpu_lut.yaml", "workloads/deit_tiny_quweit.yaml"], REPORT),
    "encoder_deit_fp16": (["run", "configs/designs/fp16.yaml", "workloads/deit_tiny.yaml"], REPORT),
    "sweep_tiny": (["sweep", "configs/sweeps/tiny.yaml", "-j", "1"], ["results.csv", "results.jsonl"]),
    "functional_tiny": (["run", "configs/designs/lpu.yaml", "tests/data/tiny.yaml", "--functional",
                         "--tokens", "1,2,3"], ["functional.json", "functional.csv"]),
}


def generate(binary, case, outdir):
    args, files = CASES[case]
    res = subprocess.run([binary] + args + ["-o", outdir], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        sys.exit(f"golden: case {case} failed (exit {res.returncode}): {res.stderr.strip()}")
    return files


def numbers_json(node, path, out):
    if isinstance(node, dict):
        for k, v in node.items():
            numbers_json(v, f"{path}.{k}" if path else k, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            # Name list items by their "name"/"key" field where they have one: stable across insertions.
            tag = v.get("name", v.get("key", i)) if isinstance(v, dict) else i
            numbers_json(v, f"{path}[{tag}]", out)
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        out[path] = node


def numbers_csv(text, out):
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        return
    head = rows[0]
    for r in rows[1:]:
        key = "/".join(c for c, h in zip(r, head) if not _num(c))[:80]
        for c, h in zip(r, head):
            if _num(c):
                out[f"{key}:{h}"] = float(c)


def _num(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def numbers(path):
    out = {}
    with open(path) as f:
        text = f.read()
    if path.endswith(".json"):
        numbers_json(json.loads(text), "", out)
    elif path.endswith(".jsonl"):
        for i, line in enumerate(text.splitlines()):
            numbers_json(json.loads(line), f"[{i}]", out)
    else:
        numbers_csv(text, out)
    return out


def moved(old, new, limit=12):
    """Lines naming the numbers that moved between two versions of a file, largest relative change first."""
    a, b = numbers(old), numbers(new)
    rows = []
    for k in sorted(set(a) | set(b)):
        if k not in a or k not in b:
            rows.append((float("inf"), f"    {k}: {a.get(k, '-')} -> {b.get(k, '-')}"))
        elif a[k] != b[k]:
            rel = (b[k] - a[k]) / abs(a[k]) if a[k] else float("inf")
            rows.append((abs(rel), f"    {k}: {a[k]:.6g} -> {b[k]:.6g} ({rel * 100:+.3f}%)" if a[k] else
                         f"    {k}: {a[k]} -> {b[k]}"))
    rows.sort(key=lambda r: -r[0])
    lines = [r[1] for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"    ... and {len(rows) - limit} more numbers")
    return len(rows), lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "lpusim"))
    ap.add_argument("cases", nargs="*", help="cases to run (default: all)")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    cases = a.cases or sorted(CASES)
    for c in cases:
        if c not in CASES:
            sys.exit(f"golden: unknown case '{c}' (expected one of: {', '.join(sorted(CASES))})")
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            out = os.path.join(tmp, case)
            files = generate(binary, case, out)
            gold = os.path.join(GOLDEN, case)
            for f in files:
                new, old = os.path.join(out, f), os.path.join(gold, f)
                same = os.path.exists(old) and filecmp.cmp(old, new, shallow=False)
                if same:
                    continue
                if a.check:
                    failed.append(f"{case}/{f}")
                    if os.path.exists(old):
                        with open(old) as fo, open(new) as fn:
                            diff = list(difflib.unified_diff(fo.read().splitlines(), fn.read().splitlines(),
                                                             f"golden/{case}/{f}", f"now/{case}/{f}", n=0, lineterm=""))
                        print("\n".join(diff[:20]))
                    continue
                os.makedirs(gold, exist_ok=True)
                if os.path.exists(old):
                    n, lines = moved(old, new)
                    print(f"{case}/{f}: {n} numbers moved" if n else f"{case}/{f}: text changed, no number moved")
                    print("\n".join(lines)) if lines else None
                else:
                    print(f"{case}/{f}: new")
                shutil.copyfile(new, old)
    if failed:
        print(f"golden: {len(failed)} file(s) differ from tests/golden: {' '.join(failed)}\n"
              "  regenerate with scripts/golden.py --update and say in the commit message which numbers "
              "moved, by how much, and why", file=sys.stderr)
        return 1
    if a.check:
        print(f"golden: {len(cases)} case(s) byte-identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
