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


def get(doc, path):
    """The value at a "/"-separated path, or None where a step is missing."""
    for part in path.split("/"):
        if isinstance(doc, list):
            doc = doc[int(part)] if part.isdigit() and int(part) < len(doc) else None
        elif isinstance(doc, dict):
            doc = doc.get(part)
        else:
            return None
    return doc


def scalar_columns(columns, rows):
    """The columns of a table (report.json `columns`) that are in the JSON rows and hold scalars."""
    return [c for c in columns if c["json"] and not any(isinstance(get(r, c["json"]), (dict, list)) for r in rows)]


def header(c):
    unit = f" ({c['unit']})" if c["unit"] and c["unit"] not in ("count", "index") else ""
    return f'<th title="{html.escape(c["description"])}">{html.escape(c["name"])}{html.escape(unit)}</th>'


def table(cls, columns, rows, base):
    out = [f'<table class="{cls}"><tr>' + "".join(header(c) for c in columns) + "</tr>"]
    for j, r in enumerate(rows):
        out.append("<tr>" + "".join(cell(get(r, c["json"]), f"{base}/{j}/{c['json']}") for c in columns) + "</tr>")
    out.append("</table>")
    return out


def write_run(d, rep, plot_names):
    designs = rep["designs"]
    w = rep["workload"]
    out = [f"<h1>lpusim report: {html.escape(w['name'])}</h1>",
           f'<p class="note">lpusim {html.escape(rep["lpusim_version"])}, report.json schema_version '
           f'{rep["schema_version"]}; batch {w["batch"]}, {w["prompt_tokens"]} prompt tokens, '
           f'{w["generated_tokens"]} generated tokens.</p>', "<h2>Summary</h2>", '<table id="summary">',
           "<tr><th>metric</th>" + "".join(f"<th>{html.escape(x['name'])}</th>" for x in designs) +
           ("<th>ratio (" + html.escape(rep["ratios"]["definition"]) + ")</th>" if "ratios" in rep else "") + "</tr>"]
    cols = rep["columns"]
    ratios = rep.get("ratios", {})
    # Summary: every design metric stored at one place in report.json, in declaration order.
    for m in cols["metrics"]:
        if len(m["json"]) != 1 or all(get(x, m["json"][0]) is None for x in designs):
            continue
        path = m["json"][0]
        unit = f" ({m['unit']})" if m["unit"] else ""
        row = f'<tr><th title="{html.escape(m["description"])}">{html.escape(m["label"].strip() or m["name"])}{html.escape(unit)}</th>'
        row += "".join(cell(get(x, path), f"designs/{i}/{path}") for i, x in enumerate(designs))
        if "ratios" in rep:
            row += cell(ratios[m["ratio"]], f"ratios/{m['ratio']}") if m["ratio"] in ratios else "<td></td>"
        out.append(row + "</tr>")
    out.append("</table>")
    out.append("<h2>Plots</h2>")
    out += [inline_svg(os.path.join(d, "plots"), n) for n in plot_names]
    for i, x in enumerate(designs):
        out.append(f"<h2>{html.escape(x['name'])}: units</h2>")
        out += table("units", scalar_columns(cols["units"], x["units"]), x["units"], f"designs/{i}/units")
        out.append(f"<h2>{html.escape(x['name'])}: ops</h2>")
        out += table("ops", scalar_columns(cols["ops"], x["ops"]), x["ops"], f"designs/{i}/ops")
        if x["notes"]:
            out.append("<ul class=\"note\">" + "".join(f"<li>{html.escape(n)}</li>" for n in x["notes"]) + "</ul>")
    with open(os.path.join(d, "report.html"), "w") as f:
        f.write(page(f"lpusim: {w['name']}", "\n".join(out)))


def write_sweep(d, name, rows, columns, metrics, fronts, plot_names):
    on_front = {p for pts in fronts.values() for p in pts}
    ok = sum(1 for r in rows if r["status"] == "ok")
    out = [f"<h1>lpusim sweep: {html.escape(name)}</h1>",
           f'<p class="note">{len(rows)} points, {ok} ok, {len(rows) - ok} failed. Red rows: Pareto front '
           "(energy per generated token vs time per output token, per workload); blue: FP16 baseline.</p>",
           "<h2>Plots</h2>"]
    out += [inline_svg(os.path.join(d, "plots"), n) for n in plot_names]
    shown = [c for c in columns if c not in ("design_file", "results_dir", "index")]
    meta = {m["name"]: m for m in metrics}
    heads = [header(meta[c]) if c in meta else f"<th>{html.escape(c)}</th>" for c in shown]
    out.append('<h2>Points</h2><table id="points"><tr>' + "".join(heads) + "</tr>")
    for i, r in enumerate(rows):
        cls = "front" if r["point"] in on_front else "baseline" if r["kind"] == "baseline" else ""
        out.append(f'<tr class="{cls}">' + "".join(cell(r.get(c), f"rows/{i}/{c}") for c in shown) + "</tr>")
    out.append("</table>")
    with open(os.path.join(d, "report.html"), "w") as f:
        f.write(page(f"lpusim sweep: {name}", "\n".join(out)))
