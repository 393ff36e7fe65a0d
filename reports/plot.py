#!/usr/bin/env python3
"""Plots and a self-contained HTML report from saved lpusim results (README.md#plots-and-html-report).

usage: plot.py DIR

DIR is either a run/compare output folder (report.json, from `lpusim run|compare -o DIR`) or a
sweep folder (results.jsonl, from `lpusim sweep -o DIR`). Writes DIR/plots/*.png and *.svg and
DIR/report.html. Only reads saved results: `lpusim report DIR` calls this script.

Outputs are deterministic: fixed SVG hash salt, no dates in the metadata, sorted inputs.
"""
import json
import os
import re
import sys

try:
    import matplotlib
except ImportError:
    sys.exit("plot.py: needs matplotlib for this python3 (" + sys.executable + "); on Debian: apt-get install python3-matplotlib")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import html_report  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "lpusim"
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller files, searchable numbers
matplotlib.rcParams["font.size"] = 9

# Energy classes come from the results' metadata (report.json / sweep.json `energy_classes`); these are
# only their colours (a class without one gets a fallback).
CLASS_COLORS = {"compute": "#4c72b0", "sram": "#55a868", "dram": "#c44e52", "leakage": "#8c8c8c"}


def class_color(c):
    return CLASS_COLORS.get(c, "#dd8452")
PJ_PER_J = 1e12


# ---- pure helpers (unit-tested in reports/test_plot.py) -------------------------------------

def pareto_front(points):
    """Indices of the points not dominated when minimising both coordinates, sorted by x.

    A point dominates another if it is <= in both coordinates and < in at least one. Duplicates
    of a front point are all kept (neither dominates the other).
    """
    order = sorted(range(len(points)), key=lambda i: (points[i][0], points[i][1]))
    front = []
    best_y = None
    last = None
    for i in order:
        x, y = points[i]
        if best_y is None or y < best_y:
            front.append(i)
            best_y = y
            last = (x, y)
        elif (x, y) == last:
            front.append(i)
    return front


def unit_class(kind):
    """Energy class of a unit's dynamic energy: memories are SRAM/DRAM, everything else compute."""
    return {"sram_buffer": "sram", "dram": "dram"}.get(kind, "compute")


def unit_peaks(design):
    """Peak MACs/cycle per unit short name, recovered from utilization = macs / (peak x cycles)."""
    total = design["totals"]["total_cycles"]
    peaks = {}
    for u in design["units"]:
        short = u["name"].split(".", 1)[-1]
        if u["macs"] and u["utilization"] and total:
            peaks[short] = round(u["macs"] / (u["utilization"] * total))
    return peaks


def roofline_points(design, bw_gb_s):
    """(op label, phase, intensity in ops/DRAM byte, achieved GOP/s, roof GOP/s) per GEMM op row."""
    peaks = unit_peaks(design)
    clock = design["clock_ghz"]
    out = []
    for r in design["ops"]:
        dram = r["dram_read_bytes"] + r["dram_write_bytes"]
        if not r["macs"] or not dram or not r["time_s"]:
            continue
        ops = 2.0 * r["macs"]
        intensity = ops / dram
        achieved = ops / r["time_s"] / 1e9
        peak = 2.0 * peaks.get(r["unit"], 0) * clock
        roof = min(peak, intensity * bw_gb_s) if peak else intensity * bw_gb_s
        out.append((r["op"], r["phase"], intensity, achieved, roof))
    return out


# ---- figure output ---------------------------------------------------------------------------

def save(fig, plots_dir, name):
    os.makedirs(plots_dir, exist_ok=True)
    fig.savefig(os.path.join(plots_dir, name + ".svg"), metadata={"Date": None})
    fig.savefig(os.path.join(plots_dir, name + ".png"), dpi=110, metadata={"Software": None})
    plt.close(fig)
    return name


def plot_energy_breakdown(designs, classes, plots_dir, title):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 2.4]})
    names = [d["name"] for d in designs]
    bottom = [0.0] * len(designs)
    for c in classes:
        vals = [d["totals"]["energy_pj"][c] / PJ_PER_J for d in designs]
        ax1.bar(names, vals, bottom=bottom, color=class_color(c), label=c)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax1.set_ylabel("energy (J)")
    ax1.set_title("energy by class")
    ax1.legend(fontsize=8)
    # Per unit: dynamic energy coloured by its class, leakage stacked on top.
    labels, dyn, leak, colors = [], [], [], []
    for d in designs:
        for u in d["units"]:
            labels.append(u["name"])
            dyn.append(u["dynamic_energy_pj"] / PJ_PER_J)
            leak.append(u["leakage_energy_pj"] / PJ_PER_J)
            colors.append(class_color(unit_class(u["kind"])))
    xs = list(range(len(labels)))
    ax2.bar(xs, dyn, color=colors)
    ax2.bar(xs, leak, bottom=dyn, color=CLASS_COLORS["leakage"])
    ax2.set_xticks(xs)
    ax2.set_xticklabels(labels, rotation=35, ha="right")
    ax2.set_yscale("symlog", linthresh=max(1e-6, min([v for v in dyn + leak if v > 0] or [1e-6])))
    ax2.set_ylabel("energy (J, symlog)")
    ax2.set_title("per unit: dynamic (class colour) + leakage (grey)")
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, plots_dir, "energy_breakdown")


def plot_latency_per_layer(designs, plots_dir, title):
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, phase in zip(axes, ["prefill", "decode"]):
        for d in designs:
            rows = sorted((r for r in d["layers"] if r["phase"] == phase), key=lambda r: r["layer"])
            ax.plot([r["layer"] for r in rows], [r["time_s"] * 1e3 for r in rows], marker="o", ms=3, label=d["name"])
        ax.set_xlabel("layer (-1 = embedding, final norm, LM head)")
        ax.set_ylabel("time (ms, summed over steps)")
        ax.set_title(phase)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, plots_dir, "latency_per_layer")


def plot_roofline(designs, bandwidths, plots_dir, title):
    fig, axes = plt.subplots(1, len(designs), figsize=(5.5 * len(designs), 4.2), squeeze=False)
    for ax, d in zip(axes[0], designs):
        bw = bandwidths[d["name"]]
        pts = roofline_points(d, bw)
        peaks = unit_peaks(d)
        xs = [p[2] for p in pts] or [1.0]
        lo, hi = min(xs) / 4, max(xs) * 4
        for unit, peak_macs in sorted(peaks.items()):
            peak = 2.0 * peak_macs * d["clock_ghz"]
            knee = peak / bw
            ax.plot([lo, knee, max(hi, knee * 4)], [lo * bw, peak, peak], lw=1, label=f"roof {unit} ({peak:.0f} GOP/s)")
        for phase, marker in (("prefill", "o"), ("decode", "^")):
            sel = [p for p in pts if p[1] == phase]
            ax.scatter([p[2] for p in sel], [p[3] for p in sel], marker=marker, s=18, label=phase, zorder=3)
        for p in pts:
            if p[1] == "prefill":
                ax.annotate(p[0], (p[2], p[3]), fontsize=6, xytext=(3, 2), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("operational intensity (ops / DRAM byte)")
        ax.set_ylabel("achieved GOP/s (2 x MACs / op time)")
        ax.set_title(f"{d['name']}: DRAM {bw:g} GB/s")
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, plots_dir, "roofline")


def plot_sweep_scatter(rows, plots_dir, title):
    workloads = sorted({r["workload"] for r in rows})
    fig, axes = plt.subplots(1, len(workloads), figsize=(6 * len(workloads), 4.5), squeeze=False)
    fronts = {}
    for ax, w in zip(axes[0], workloads):
        ok = [r for r in rows if r["workload"] == w and r["status"] == "ok"]
        variants = [r for r in ok if r["kind"] == "variant"]
        pts = [(r["time_per_output_token_s"] * 1e3, r["energy_per_generated_token_pj"] / 1e9) for r in variants]
        front = pareto_front(pts)
        fronts[w] = [variants[i]["point"] for i in front]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=14, color="#9ab", label="variants")
        fp = [pts[i] for i in front]
        ax.step([p[0] for p in fp], [p[1] for p in fp], where="post", color="#c44e52", lw=1.2)
        ax.scatter([p[0] for p in fp], [p[1] for p in fp], s=22, color="#c44e52", label="Pareto front", zorder=3)
        for i in front:
            ax.annotate(variants[i]["point"].split("-", 1)[0], pts[i], fontsize=7, xytext=(4, 4), textcoords="offset points")
        for r in ok:
            if r["kind"] == "baseline":
                ax.scatter([r["time_per_output_token_s"] * 1e3], [r["energy_per_generated_token_pj"] / 1e9],
                           marker="*", s=160, color="#333", label="FP16 baseline", zorder=4)
        ax.set_xlabel("latency per output token (ms)")
        ax.set_ylabel("energy per generated token (mJ)")
        ax.set_title(w)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, plots_dir, "sweep_pareto"), fronts


def plot_sweep_energy(rows, classes, fronts, plots_dir, title):
    """Energy classes per token: the baseline and the Pareto-front variants of each workload."""
    sel = []
    for w in sorted(fronts):
        sel += [r for r in rows if r["workload"] == w and r["kind"] == "baseline" and r["status"] == "ok"]
        sel += [r for r in rows if r["point"] in fronts[w]]
    fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(sel) + 2), 4))
    labels = [r["point"] for r in sel]
    bottom = [0.0] * len(sel)
    for c in classes:
        tokens = [r["energy_per_generated_token_pj"] / r["energy_total_pj"] if r["energy_total_pj"] else 0 for r in sel]
        vals = [r[f"energy_{c}_pj"] * t / 1e9 for r, t in zip(sel, tokens)]
        ax.bar(range(len(sel)), vals, bottom=bottom, color=class_color(c), label=c)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_xticks(range(len(sel)))
    ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("energy per generated token (mJ)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, plots_dir, "sweep_energy_breakdown")


# ---- entry points ----------------------------------------------------------------------------

def report_run(d):
    with open(os.path.join(d, "report.json")) as f:
        rep = json.load(f)
    designs = rep["designs"]
    bandwidths = {x["name"]: x["dram_peak_gb_s"] for x in designs}
    w = rep["workload"]
    title = f"{w['name']}: batch {w['batch']}, {w['prompt_tokens']} prompt + {w['generated_tokens']} generated tokens"
    plots_dir = os.path.join(d, "plots")
    classes = rep["columns"]["energy_classes"]
    names = [plot_energy_breakdown(designs, classes, plots_dir, title), plot_latency_per_layer(designs, plots_dir, title),
             plot_roofline(designs, bandwidths, plots_dir, title)]
    html_report.write_run(d, rep, names)
    return names


def report_sweep(d):
    rows = []
    with open(os.path.join(d, "results.jsonl")) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    with open(os.path.join(d, "results.csv")) as f:
        columns = f.readline().rstrip("\n").split(",")
    with open(os.path.join(d, "sweep.json")) as f:
        meta = json.load(f)
    name = "sweep"
    with open(os.path.join(d, "sweep.yaml")) as f:
        m = re.search(r"^name:\s*(\S+)", f.read(), re.M)
    if m:
        name = m.group(1)
    plots_dir = os.path.join(d, "plots")
    scatter, fronts = plot_sweep_scatter(rows, plots_dir, f"sweep {name}: energy vs latency per token")
    energy = plot_sweep_energy(rows, meta["energy_classes"], fronts, plots_dir, f"sweep {name}: baseline and Pareto-front energy per token")
    html_report.write_sweep(d, name, rows, columns, meta.get("metrics", []), fronts, [scatter, energy])
    return [scatter, energy]


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = argv[1]
    if os.path.exists(os.path.join(d, "results.jsonl")):
        names = report_sweep(d)
    elif os.path.exists(os.path.join(d, "report.json")):
        names = report_run(d)
    else:
        print(f"plot.py: {d}: neither report.json (run) nor results.jsonl (sweep)", file=sys.stderr)
        return 2
    print(f"wrote {d}/plots/{{{','.join(names)}}}.{{png,svg}} and {d}/report.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
