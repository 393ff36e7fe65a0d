"""Self-contained HTML report (one file, inline SVG plots, no scripts, no server).

Every number cell carries data-path, the JSON pointer of its value in report.json (runs) or
results.jsonl (sweeps, "rows/<i>/<column>"), so tests can check the page against the JSON.
"""
import html
import os

STYLE = """
body{font-family:system-ui,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 7px}th{background:#f2f2f2;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.front td{background:#fdecea}tr.baseline td{background:#eef3fb}
figure{margin:12px 0}figure svg{max-width:100%;height:auto}
.note{color:#555;font-size:12px}
"""


def fmt(v):
    """Numbers at 6 significant digits (integers in full), as the cell text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.6g}"
    return "" if v is None else str(v)


def cell(value, path):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="num" data-path="{html.escape(path)}">{fmt(value)}</td>'
    return f"<td>{html.escape(fmt(value))}</td>"


def inline_svg(plots_dir, name):
    with open(os.path.join(plots_dir, name + ".svg")) as f:
        svg = f.read()
    start = svg.find("<svg")
    return f'<figure id="plot-{name}">{svg[start:]}<figcaption class="note">{name}.svg / {name}.png in plots/</figcaption></figure>'


def page(title, body):
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n")


TOTALS = ["total_cycles", "prefill_latency_s", "time_per_output_token_s", "decode_tokens_per_s",
          "end_to_end_tokens_per_s", "total_time_s", "energy_per_generated_token_pj", "decode_energy_per_token_pj",
          "dram_read_bytes", "dram_write_bytes"]
OP_COLS = ["phase", "op", "unit", "instances", "cycles", "time_s", "busy_cycles", "macs", "utilization",
           "dram_read_bytes", "dram_write_bytes", "sram_read_bytes", "sram_write_bytes"]
UNIT_COLS = ["name", "kind", "busy_cycles", "macs", "utilization", "busy_fraction", "dynamic_energy_pj",
             "leakage_uw", "leakage_energy_pj"]


def write_run(d, rep, plot_names):
    designs = rep["designs"]
    w = rep["workload"]
    out = [f"<h1>lpusim report: {html.escape(w['name'])}</h1>",
           f'<p class="note">lpusim {html.escape(rep["lpusim_version"])}, report.json schema_version '
           f'{rep["schema_version"]}; batch {w["batch"]}, {w["prompt_tokens"]} prompt tokens, '
           f'{w["generated_tokens"]} generated tokens.</p>', "<h2>Summary</h2>", '<table id="summary">',
           "<tr><th>metric</th>" + "".join(f"<th>{html.escape(x['name'])}</th>" for x in designs) +
           ("<th>ratio (" + html.escape(rep["ratios"]["definition"]) + ")</th>" if "ratios" in rep else "") + "</tr>"]
    ratio_of = {"prefill_latency_s": "prefill_latency", "time_per_output_token_s": "time_per_output_token",
                "total_time_s": "total_time", "energy_per_generated_token_pj": "energy_per_generated_token",
                "weights_bytes": "weights_bytes", "peak_bytes": "peak_bytes"}

    def ratio_cell(k):
        key = ratio_of.get(k)
        if "ratios" in rep and key in rep["ratios"]:
            return cell(rep["ratios"][key], f"ratios/{key}")
        return "<td></td>"
    for k in TOTALS:
        out.append(f"<tr><th>{k}</th>" + "".join(cell(x["totals"][k], f"designs/{i}/totals/{k}") for i, x in enumerate(designs)) + ratio_cell(k) + "</tr>")
    for c in ["compute", "sram", "dram", "leakage", "total"]:
        r = ""
        if "ratios" in rep:
            key = "energy_total" if c == "total" else f"energy_{c}"
            r = cell(rep["ratios"][key], f"ratios/{key}") if key in rep["ratios"] else "<td></td>"
        out.append(f"<tr><th>energy {c} (pJ)</th>" +
                   "".join(cell(x["totals"]["energy_pj"][c], f"designs/{i}/totals/energy_pj/{c}") for i, x in enumerate(designs)) + r + "</tr>")
    for k in ["weights_bytes", "kv_cache_bytes", "peak_activation_bytes", "peak_bytes"]:
        out.append(f"<tr><th>{k}</th>" + "".join(cell(x["footprint"][k], f"designs/{i}/footprint/{k}") for i, x in enumerate(designs)) + ratio_cell(k) + "</tr>")
    out.append("</table>")
    out.append("<h2>Plots</h2>")
    out += [inline_svg(os.path.join(d, "plots"), n) for n in plot_names]
    for i, x in enumerate(designs):
        out.append(f"<h2>{html.escape(x['name'])}: units</h2><table class=\"units\"><tr>" + "".join(f"<th>{c}</th>" for c in UNIT_COLS) + "</tr>")
        for j, u in enumerate(x["units"]):
            out.append("<tr>" + "".join(cell(u[c], f"designs/{i}/units/{j}/{c}") for c in UNIT_COLS) + "</tr>")
        out.append("</table>")
        out.append(f"<h2>{html.escape(x['name'])}: ops</h2><table class=\"ops\"><tr>" + "".join(f"<th>{c}</th>" for c in OP_COLS) + "<th>energy_pj total</th></tr>")
        for j, o in enumerate(x["ops"]):
            out.append("<tr>" + "".join(cell(o.get(c), f"designs/{i}/ops/{j}/{c}") for c in OP_COLS) +
                       cell(o["energy_pj"]["total"], f"designs/{i}/ops/{j}/energy_pj/total") + "</tr>")
        out.append("</table>")
        if x["notes"]:
            out.append("<ul class=\"note\">" + "".join(f"<li>{html.escape(n)}</li>" for n in x["notes"]) + "</ul>")
    with open(os.path.join(d, "report.html"), "w") as f:
        f.write(page(f"lpusim: {w['name']}", "\n".join(out)))


def write_sweep(d, name, rows, columns, fronts, plot_names):
    on_front = {p for pts in fronts.values() for p in pts}
    ok = sum(1 for r in rows if r["status"] == "ok")
    out = [f"<h1>lpusim sweep: {html.escape(name)}</h1>",
           f'<p class="note">{len(rows)} points, {ok} ok, {len(rows) - ok} failed. Red rows: Pareto front '
           "(energy per generated token vs time per output token, per workload); blue: FP16 baseline.</p>",
           "<h2>Plots</h2>"]
    out += [inline_svg(os.path.join(d, "plots"), n) for n in plot_names]
    shown = [c for c in columns if c not in ("design_file", "results_dir", "index")]
    out.append('<h2>Points</h2><table id="points"><tr>' + "".join(f"<th>{html.escape(c)}</th>" for c in shown) + "</tr>")
    for i, r in enumerate(rows):
        cls = "front" if r["point"] in on_front else "baseline" if r["kind"] == "baseline" else ""
        out.append(f'<tr class="{cls}">' + "".join(cell(r.get(c), f"rows/{i}/{c}") for c in shown) + "</tr>")
    out.append("</table>")
    with open(os.path.join(d, "report.html"), "w") as f:
        f.write(page(f"lpusim sweep: {name}", "\n".join(out)))
