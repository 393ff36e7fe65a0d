#!/usr/bin/env python3
"""Tests for reports/: the Pareto front on hand-made points, roofline helpers, and (class
TestHtml) the HTML report rendered by headless Chromium against report.json / results.jsonl.

Run from CTest (tests/CMakeLists.txt) with LPUSIM_BINARY and LPUSIM_SOURCE_DIR set:
  python3 reports/test_reports.py TestPareto TestHelpers
  python3 reports/test_reports.py TestHtml
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402


class TestPareto(unittest.TestCase):
    def test_hand_made_front(self):
        pts = [(1.0, 9.0), (2.0, 5.0), (3.0, 6.0), (4.0, 2.0), (5.0, 2.0), (2.5, 5.0), (6.0, 1.0), (0.5, 10.0)]
        # (3,6) is dominated by (2,5); (2.5,5) by (2,5); (5,2) by (4,2).
        self.assertEqual(plot.pareto_front(pts), [7, 0, 1, 3, 6])

    def test_duplicates_and_single(self):
        self.assertEqual(plot.pareto_front([(1.0, 1.0)]), [0])
        self.assertEqual(plot.pareto_front([(2.0, 3.0), (2.0, 3.0), (1.0, 4.0)]), [2, 0, 1])
        self.assertEqual(plot.pareto_front([]), [])

    def test_every_dropped_point_is_dominated(self):
        import random
        rng = random.Random(7)
        pts = [(rng.random(), rng.random()) for _ in range(200)]
        front = set(plot.pareto_front(pts))
        for i, p in enumerate(pts):
            dominated = any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in pts)
            self.assertEqual(i not in front, dominated, p)


class TestHelpers(unittest.TestCase):
    def test_roofline_points(self):
        design = {"clock_ghz": 1.0, "totals": {"total_cycles": 1000},
                  "units": [{"name": "x.tmac", "macs": 4096 * 500, "utilization": 0.5}],
                  "ops": [{"op": "q", "phase": "prefill", "unit": "tmac", "macs": 1000, "time_s": 1e-6,
                           "dram_read_bytes": 100, "dram_write_bytes": 0},
                          {"op": "norm", "phase": "prefill", "unit": "vec", "macs": 0, "time_s": 1e-6,
                           "dram_read_bytes": 10, "dram_write_bytes": 0}]}
        pts = plot.roofline_points(design, 50.0)
        self.assertEqual(len(pts), 1)
        op, phase, intensity, achieved, roof = pts[0]
        self.assertEqual(intensity, 20.0)          # 2000 ops / 100 B
        self.assertAlmostEqual(achieved, 2.0)      # 2000 ops / 1 us = 2 GOP/s
        self.assertEqual(roof, min(2 * 4096 * 1.0, 20.0 * 50.0))


class DomCells(HTMLParser):
    """Collects (data-path, text) of number cells, and counts inline SVGs."""

    def __init__(self):
        super().__init__()
        self.cells, self.svgs, self._path, self._text = [], 0, None, ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svgs += 1
        if tag == "td" and "data-path" in a:
            self._path, self._text = a["data-path"], ""

    def handle_data(self, data):
        if self._path is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "td" and self._path is not None:
            self.cells.append((self._path, self._text.strip()))
            self._path = None


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def resolve(doc, path):
    for part in path.split("/"):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def chromium_dom(html_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise AssertionError("chromium is not installed (Debian package chromium; scripts/install-deps.sh installs it)")
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile,
                            "--dump-dom", "file://" + os.path.abspath(html_path)],
                           capture_output=True, text=True, timeout=120)
    if r.returncode != 0 or "<html" not in r.stdout:
        raise AssertionError(f"chromium failed ({r.returncode}): {r.stderr[-2000:]}")
    return r.stdout


class TestHtml(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = os.environ["LPUSIM_BINARY"]
        cls.src = os.environ["LPUSIM_SOURCE_DIR"]
        cls.tmp = tempfile.mkdtemp(prefix="lpusim_html_")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def lpusim(self, *args):
        r = subprocess.run([self.bin, *args], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def check_cells(self, dom, doc, min_cells):
        p = DomCells()
        p.feed(dom)
        self.assertGreaterEqual(len(p.cells), min_cells)
        for path, text in p.cells:
            v = resolve(doc, path)
            if isinstance(v, int):
                self.assertEqual(text, str(v), path)
            else:
                # 6 significant digits on the page; the JSON value rounds to exactly that text.
                self.assertEqual(float(text), float(f"{v:.6g}"), path)
                self.assertLessEqual(abs(float(text) - v), 5e-6 * abs(v) + 1e-300, path)
        return p

    def test_run_report_renders_and_matches_json(self):
        out = os.path.join(self.tmp, "cmp")
        self.lpusim("compare", f"{self.src}/configs/designs/lpu.yaml", f"{self.src}/configs/designs/fp16.yaml",
                    f"{self.src}/tests/data/tiny.yaml", "-o", out)
        self.lpusim("report", out)
        with open(os.path.join(out, "report.json")) as f:
            rep = json.load(f)
        dom = chromium_dom(os.path.join(out, "report.html"))
        p = self.check_cells(dom, rep, 200)
        paths = {c[0] for c in p.cells}
        for i in range(len(rep["designs"])):
            self.assertIn(f"designs/{i}/totals/total_cycles", paths)
            self.assertIn(f"designs/{i}/totals/energy_pj/total", paths)
        self.assertEqual(p.svgs, 3)  # energy breakdown, latency per layer, roofline
        for name in ["energy_breakdown", "latency_per_layer", "roofline"]:
            for ext in ["png", "svg"]:
                self.assertGreater(os.path.getsize(os.path.join(out, "plots", f"{name}.{ext}")), 1000)
        # Self-contained: no external references.
        html = read_bytes(os.path.join(out, "report.html")).decode()
        self.assertNotIn("src=\"http", html)
        self.assertNotIn("<script", html)
        # Regenerating gives byte-identical plots and HTML.
        before = {f: read_bytes(f) for f in glob.glob(out + "/plots/*") + [out + "/report.html"]}
        self.lpusim("report", out)
        for f, b in before.items():
            self.assertEqual(read_bytes(f), b, f)

    def test_sweep_report_renders_and_matches_jsonl(self):
        out = os.path.join(self.tmp, "sweep")
        self.lpusim("sweep", f"{self.src}/configs/sweeps/tiny.yaml", "-o", out)
        self.lpusim("report", out)
        rows = [json.loads(line) for line in read_bytes(os.path.join(out, "results.jsonl")).decode().splitlines()]
        dom = chromium_dom(os.path.join(out, "report.html"))
        p = self.check_cells(dom, {"rows": rows}, 5 * 15)
        self.assertEqual(p.svgs, 2)
        # The Pareto rows on the page are the front of the variants' (latency, energy) points.
        variants = [r for r in rows if r["kind"] == "variant"]
        front = {variants[i]["point"] for i in plot.pareto_front(
            [(r["time_per_output_token_s"], r["energy_per_generated_token_pj"]) for r in variants])}
        marked = set()
        for line in dom.split("<tr")[1:]:
            if line.startswith(' class="front"'):
                marked.add(line.split("<td>", 1)[1].split("<", 1)[0])
        self.assertEqual(marked, front)
        self.assertTrue(front)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[1:]])
