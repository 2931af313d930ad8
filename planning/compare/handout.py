"""Charts, workbook and the 2–4 page PDF handout of a scenario comparison.

Charts reuse the report's matplotlib style (``planning.report.charts``); the PDF goes through
jinja2 (autoescape) + WeasyPrint like the plan report (``planning.report.pdf.write_pdf``)."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import math
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from planning.compare.tables import KPI_FORMATS
from planning.compare.words import Words, words_for
from planning.io import csv_safe
from planning.report import charts as C
from planning.report import fonts
from planning.report import formatting as F

FAMILIES = ["DejaVu Sans"]


def doc_words(cmp) -> tuple[Words, list[str], str]:
    """The handout's words, chart font families and CSS font list: Chinese when the comparison is
    (cmp.lang), with the installed Chinese font; English when no Chinese font is installed."""
    lang = getattr(cmp, "lang", "en") or "en"
    cjk = fonts.find_cjk_font() if lang == "zh" else None
    if lang == "zh" and cjk is None:
        lang = "en"
    return words_for(cmp, lang), fonts.matplotlib_families(cjk), fonts.css_families(cjk)


def _money(w: Words):
    """Money on an axis or a bar in yuan: "3.82 M" / "152k" (English), "382万" / "15.2万" (Chinese)."""
    def f(v, _=None) -> str:
        if w.lang == "zh":
            return f"{v / 1e4:,.0f}万" if abs(v) >= 1e5 else f"{v / 1e4:,.1f}万" if abs(v) >= 1e4 else f"{v:,.0f}"
        return f"{v / 1e6:,.2f} M" if abs(v) >= 1e6 else f"{v / 1e3:,.0f}k" if abs(v) >= 1e3 else f"{v:,.0f}"
    return f


def _wrap(text: str, width: int) -> str:
    import textwrap

    if fonts.has_cjk(str(text)):  # Chinese wraps anywhere, each character about two Latin ones wide
        t = str(text)
        k = max(1, width // 2)
        return "\n".join(t[i:i + k] for i in range(0, len(t), k)) or t
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=True)) or str(text)


PALETTE = ["#7f8c9a", "#2f5d8a", "#c27c0e", "#4f9a5b", "#9b4f96", "#c0504d", "#6fa8dc", "#8c6d31"]
BAR_KPIS = ("requirement_met_share", "overdue_covered", "rotations_filled", "classes_running", "seats_used",
            "cost", "mean_unit_peak_absence", "classes_cancelled")


# --------------------------------------------------------------------------- formatting
def fmt(key: str, v, w: Words | None = None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    f = KPI_FORMATS.get(key, "float")
    if isinstance(v, str) or f == "text":
        return str(v) if w is None or key != "status" else w.labels.code("status", v)
    if f == "pct":
        return F.share(v)  # the report's rounding: below 100 % never prints 100
    if f == "pct2":
        return F.share(v, 2)
    if f == "int":
        return f"{int(v):,}"
    if f == "money":
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def fmt_delta(key: str, d, w: Words | None = None) -> str:
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return ""
    if abs(d) < 1e-12:
        return "±0"
    f = KPI_FORMATS.get(key, "float")
    sign = "+" if d > 0 else "−"
    a = abs(d)
    if f in ("pct", "pct2"):
        return f"{sign}{a * 100:.{2 if f == 'pct2' else 1}f}{(w or Words('en'))('pt')}"
    if f == "int":
        return f"{sign}{int(round(a)):,}"
    if f == "money":
        return f"{sign}{a:,.0f}"
    return f"{sign}{a:,.1f}"


def _status(cmp, n: str, w: Words) -> str:
    """A scenario's plan quality in a planner's words (planning.messages.status_short)."""
    from planning.messages import status_short

    s = cmp.summaries.get(n) or {}
    return status_short(s, w.lang) if s.get("status") else "–"


def _status_of(r: dict, w: Words) -> str:
    """A sweep point's plan quality in a planner's words (its status and gap)."""
    from planning.messages import status_short

    gap = r.get("gap")
    return status_short({"status": r.get("status"), "gap": None if gap is None or gap != gap else gap}, w.lang)


def display_table(cmp) -> pd.DataFrame:
    """The KPI table as text, each scenario's value with its delta beside it (in cmp.lang)."""
    w = words_for(cmp)
    t = cmp.table
    rows = []
    for key, r in t.iterrows():
        row = {"figure": w.kpi(key)}
        for n in cmp.names:
            value = _status(cmp, n, w) if key == "status" else fmt(key, r[n], w)
            d = fmt_delta(key, r.get(f"Δ {n}"), w) if n != cmp.names[0] else ""
            row[w.name(n)] = value + (f" ({d})" if d else "")
        rows.append(row)
    return pd.DataFrame(rows).set_index("figure")


# --------------------------------------------------------------------------- charts
def kpi_bars(cmp) -> str:
    """Small multiples: one panel per KPI, one bar per scenario (the baseline in grey)."""
    w, families, _ = doc_words(cmp)
    money = _money(w)
    keys = [k for k in BAR_KPIS if k in cmp.table.index]
    names = cmp.names
    from matplotlib.ticker import MaxNLocator

    with C._style(families):
        cols = 3  # four panels a row ran their titles into each other
        nrows = math.ceil(len(keys) / cols)
        fig = C._figure(C.PORTRAIT_WIDTH, 2.3 * nrows + 0.5)
        axes = np.atleast_1d(fig.subplots(nrows, cols)).ravel()
        for ax, key in zip(axes, keys):
            vals = [cmp.table.at[key, n] for n in names]
            vals = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in vals]
            xs = np.arange(len(names))
            ax.bar(xs, vals, color=[PALETTE[i % len(PALETTE)] for i in range(len(names))], width=0.7, zorder=2)
            top = max(vals) if vals and max(vals) > 0 else 1
            for x, v in zip(xs, vals):
                ax.text(x, v + top * 0.02, money(v) if KPI_FORMATS[key] == "money" else fmt(key, v, w),
                        ha="center", va="bottom", fontsize=5.5)
            ax.set_ylim(0, top * 1.18)
            ax.set_xticks(xs)
            ax.set_xticklabels([_wrap(w.name(n), 12) for n in names], rotation=0, ha="center", fontsize=5.6)
            label = w.kpi(key)
            title = label + (w("yuan_suffix") if KPI_FORMATS[key] == "money" and "yuan" not in label
                             and "元" not in label else "")
            ax.set_title(_wrap(title, 30), fontsize=7.0, loc="left")
            ax.tick_params(axis="y", labelsize=5.8)
            if KPI_FORMATS[key] in ("pct", "pct2"):
                ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
            elif KPI_FORMATS[key] == "money":
                ax.yaxis.set_major_formatter(money)
            elif KPI_FORMATS[key] == "int":  # a count: whole ticks, never a 0–1 axis
                ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
                if top <= 1:
                    ax.set_ylim(0, 2)
            ax.grid(axis="y", color=C.GRID, linewidth=0.5)
            ax.set_axisbelow(True)
            for s in ("top", "right"):
                ax.spines[s].set_visible(False)
        for ax in axes[len(keys):]:
            ax.set_visible(False)
        fig.tight_layout(h_pad=1.6, w_pad=1.6)
        return C._svg(fig)


def coverage_bars(cmp) -> str:
    """Grouped bars: share meeting the requirement by level and by priority group, per scenario."""
    w, families, _ = doc_words(cmp)
    keys = [k for k in cmp.table.index if k.startswith(("met_by_level.", "met_by_group."))]
    names = cmp.names
    with C._style(families):
        fig = C._figure(C.PORTRAIT_WIDTH, 2.6)
        ax = fig.subplots()
        width = 0.8 / max(1, len(names))
        xs = np.arange(len(keys))
        for i, n in enumerate(names):
            vals = [cmp.table.at[k, n] for k in keys]
            vals = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in vals]
            ax.bar(xs - 0.4 + width * (i + 0.5), vals, width=width, color=PALETTE[i % len(PALETTE)], label=w.name(n),
                   zorder=2)
        ax.set_xticks(xs)
        ax.set_xticklabels([w.labels.code("level" if k.startswith("met_by_level.") else "group", k.split(".", 1)[1])
                            for k in keys], rotation=25, ha="right")
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.set_ylim(0, 1.05)
        ax.set_title(w("chart_coverage"), loc="left", pad=16)
        ax.legend(ncol=min(5, len(names)), fontsize=6, loc="lower left", bbox_to_anchor=(0, 1.0), borderaxespad=0.2)
        ax.grid(axis="y", color=C.GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
        fig.tight_layout()
        return C._svg(fig)


def _finish(ax, fig) -> str:
    """The handout's chart style: light grid behind the data, no top or right frame; as SVG."""
    ax.grid(color=C.GRID, linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return C._svg(fig)


def cost_coverage_chart(cmp) -> str:
    """Cost (x) against the share meeting the requirement (y): each scenario a labelled point,
    the budget sweep as a line."""
    w, families, _ = doc_words(cmp)
    with C._style(families):
        fig = C._figure(C.PORTRAIT_WIDTH, 3.0)
        ax = fig.subplots()
        sw = cmp.sweep.dropna(subset=["cost", "requirement_met_share"]) if len(cmp.sweep) else cmp.sweep
        if len(sw):
            sw = sw.sort_values("cost")
            ax.plot(sw["cost"], sw["requirement_met_share"], color="#9aa5b1", marker="o", markersize=3,
                    linewidth=1, label=w("chart_sweep_line"), zorder=2)
        for i, n in enumerate(cmp.names):
            c, m = cmp.table.at["cost", n] if "cost" in cmp.table.index else None, \
                cmp.table.at["requirement_met_share", n]
            if c is None or m is None or (isinstance(c, float) and math.isnan(c)):
                continue
            # named in the legend: labels beside close points ran into each other
            ax.scatter([c], [m], color=PALETTE[i % len(PALETTE)], s=28, zorder=3, label=w.name(n),
                       marker="os^Dvp*h"[i % 8])
        ax.xaxis.set_major_formatter(_money(w))
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.set_xlabel(w("axis_cost"))
        ax.set_ylabel(w("axis_met"))
        ax.set_title(w("chart_cost"), loc="left")
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        return _finish(ax, fig)


def sweep_chart(cmp) -> str | None:
    """Coverage as a function of the budget (the trade-off curve)."""
    w, families, _ = doc_words(cmp)
    sw = cmp.sweep.dropna(subset=["requirement_met_share"]) if len(cmp.sweep) else cmp.sweep
    if not len(sw):
        return None
    with C._style(families):
        fig = C._figure(C.PORTRAIT_WIDTH, 2.6)
        ax = fig.subplots()
        lim = sw[sw["budget"].notna()].sort_values("budget")
        ax.plot(lim["budget"], lim["requirement_met_share"], marker="o", color=PALETTE[1], label=w("line_met"))
        ax.plot(lim["budget"], lim["weighted_coverage"], marker="s", color=PALETTE[2], label=w("line_weighted"))
        free = sw[sw["budget"].isna()]
        for r in free.to_dict("records"):
            ax.axhline(r["requirement_met_share"], color=PALETTE[0], linestyle=(0, (3, 2)), linewidth=0.8)
            ax.text(lim["budget"].min() if len(lim) else 0, r["requirement_met_share"], w("no_budget_limit"),
                    va="bottom", fontsize=6, color=PALETTE[0])
        ax.xaxis.set_major_formatter(_money(w))
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.set_xlabel(w("axis_budget"))
        ax.set_title(w("chart_sweep"), loc="left")
        ax.legend(fontsize=6, loc="lower right")
        return _finish(ax, fig)


# --------------------------------------------------------------------------- workbook
def _shown_path(p: str) -> str:
    """A path for a handout: relative to the working folder when under it, else the file's name."""
    path = Path(p)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def scenario_frame(cmp) -> pd.DataFrame:
    """One row per scenario: what it changes (in cmp.lang), its file, folder and run."""
    w = words_for(cmp)
    sep = "；" if w.lang == "zh" else "; "
    rows = []
    runs = {r["name"]: r for r in cmp.runs.to_dict("records")} if len(cmp.runs) else {}
    for n in cmp.names:
        sc = cmp.scenarios[n]
        rows.append({"scenario": w.name(n),
                     "description": w("base_description") if sc is None else sc.describe(w.lang),
                     "policy changes": "" if sc is None else sep.join(
                         ([w("budget_share", share=w.share(sc.budget_share))] if sc.budget_share else [])
                         + w.policy(sc.policy)),
                     "data edits": "" if sc is None else sep.join(w.edit(e) for e in sc.edits),
                     # no absolute paths in a handout: the file as given relative to here, the folder beside the workbook
                     "file": "" if sc is None else _shown_path(sc.source), "folder": n,
                     "run": w.run(runs.get(n, {}).get("run", "")), "error": runs.get(n, {}).get("error", ""),
                     "seconds": runs.get(n, {}).get("seconds")})
    return pd.DataFrame(rows)


def _sweep_point(r: dict, w: Words) -> str:
    if w.lang == "en":
        return r["point"]
    f = r.get("fraction of baseline cost")
    return w("sweep_free") if f is None or f != f else w("sweep_point", share=w.share(f))


def workbook_sheets(cmp) -> dict[str, pd.DataFrame]:
    """The workbook's sheets in cmp.lang: sheet names, headers, codes and words (the English workbook
    keeps the CSV files' column names; its comparison sheet's first column is the KPI's key)."""
    w = words_for(cmp)
    sheets = {
        "comparison": cmp.table.reset_index(),
        "scenarios": scenario_frame(cmp),
        "assignment diff": cmp.diff,
        "cadre changes": cmp.changes,
        "budget sweep": cmp.sweep,
    }
    if w.lang == "en":
        return sheets
    t = sheets["comparison"].copy()
    if len(t):
        t["label"] = [w.kpi(k) for k in t["kpi"]]
        for n in cmp.names:
            if n in t.columns:
                t[n] = [_status(cmp, n, w) if k == "status" else v for k, v in zip(t["kpi"], t[n])]
    sheets["comparison"] = t
    d = cmp.diff.copy()
    if len(d):
        d["scenario"] = d["scenario"].map(w.name)
    sheets["assignment diff"] = d
    ch = cmp.changes.copy()
    if len(ch):
        ch["scenario"] = ch["scenario"].map(w.name)
        ch["level"] = ch["level"].map(lambda v: w.labels.code("level", v))
        ch["change"] = ch["change"].map(w.change)
        for c in ("met in baseline", "met in scenario"):
            ch[c] = ch[c].map(w.yes)
        for c in ("baseline classes", "scenario classes", "classes added", "classes dropped", "baseline rotation",
                  "scenario rotation"):
            ch[c] = ch[c].map(lambda v: v.replace("; ", "、") if isinstance(v, str) else v)
    sheets["cadre changes"] = ch
    sw = cmp.sweep.copy()
    if len(sw):
        sw["point"] = [_sweep_point(r, w) for r in sw.to_dict("records")]
        sw["status"] = [_status_of(r, w) for r in cmp.sweep.to_dict("records")]
    sheets["budget sweep"] = sw
    names = {"comparison": "sheet_comparison", "scenarios": "sheet_scenarios", "assignment diff": "sheet_diff",
             "cadre changes": "sheet_changes", "budget sweep": "sheet_sweep"}
    return {w(names[k]): f.rename(columns=w.column) for k, f in sheets.items()}


def write_workbook(cmp, out: str | Path) -> Path:
    from planning.io import atomic_path

    out = Path(out)
    w = words_for(cmp)
    sheets = workbook_sheets(cmp)
    first = next(iter(sheets))
    with atomic_path(out) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, frame in sheets.items():
                frame = frame if len(frame.columns) else pd.DataFrame({w.column("note"): [w("nothing")]})
                frame = frame.map(_cell) if hasattr(frame, "map") else frame.applymap(_cell)
                frame.to_excel(xw, sheet_name=name, index=False)
                ws = xw.sheets[name]
                ws.freeze_panes = "B2" if name == first else "A2"
                _number_formats(ws, "comparison" if name == first else name, frame, w)
                for i, col in enumerate(frame.columns, start=1):
                    width = max([_width(col)] + [_width(v) for v in frame[col].head(200)])
                    ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, max(8, width + 2))
                ws.print_title_rows = "1:1"
                ws.page_setup.orientation = "landscape"
                ws.page_setup.fitToWidth = 1
                ws.page_setup.fitToHeight = 0
                ws.sheet_properties.pageSetUpPr.fitToPage = True
    return out


def _width(v) -> int:
    """A cell's width in characters (a Chinese character is about two)."""
    t = str(v)
    return len(t) + sum(1 for ch in t if fonts.has_cjk(ch))


_PCT_COLUMNS = ("requirement_met_share", "weighted_coverage", "fraction of baseline cost", "gap")
_MONEY_COLUMNS = ("budget", "cost")


def _number_formats(ws, name: str, frame: pd.DataFrame, w: Words | None = None) -> None:
    """Shares as percentages, money and counts with thousands separators (the comparison sheet by
    each row's KPI format; the other sheets by column)."""
    forms = {"pct": "0.0%", "pct2": "0.00%", "int": "#,##0", "money": "#,##0", "float": "#,##0.0"}
    if name == "comparison" and len(frame.columns):
        keys = list(frame.iloc[:, 0])
        for i, key in enumerate(keys, start=2):
            f = forms.get(KPI_FORMATS.get(str(key), ""), None)
            if not f:
                continue
            for cell in ws[i][1:]:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cell.number_format = "+0.0%;-0.0%;0.0%" if str(ws.cell(1, cell.column).value).startswith("Δ") \
                        and f.endswith("%") else f
        return
    w = w or Words("en")
    pct = {w.column(c) for c in _PCT_COLUMNS} | {w.column("requirement_met_share")}
    money = {w.column(c) for c in _MONEY_COLUMNS}
    for j, col in enumerate(frame.columns, start=1):
        f = "0.0%" if col in pct or str(col).endswith("share") else "#,##0" if col in money else None
        if f:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cell.number_format = f


def _cell(v):
    if isinstance(v, (list, tuple, dict)):
        return str(v)
    return csv_safe(v)  # formula-like text stays text


# --------------------------------------------------------------------------- PDF handout
_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ html_lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
@page { size: A4; margin: 14mm 13mm 14mm 13mm;
  @bottom-right { content: {{ page_css|safe }}; font-size: 7pt; color: #6b7785; }
  @bottom-left { content: {{ footer|css_string }}; font-size: 7pt; color: #6b7785; } }
html { font-family: {{ font_family|safe }}; font-size: 8pt; line-height: 1.35; color: #1f2d3d; }
h1 { font-size: 15pt; color: #16324f; margin: 0 0 2mm 0; border-bottom: 1.2pt solid #2f5d8a; padding-bottom: 1.5mm; }
h2 { font-size: 11pt; color: #16324f; margin: 4mm 0 1.5mm 0; break-after: avoid; }
p { margin: 0 0 2mm 0; } .muted { color: #6b7785; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; }
th, td { border-bottom: 0.4pt solid #d5dbe3; padding: 0.7mm 1.4mm; text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: bold; }
td.num, th.num { text-align: right; white-space: nowrap; }
.up { color: #2e7d32; } .down { color: #c0392b; }
img { width: 100%; } .page { break-before: page; }
.small td, .small th { font-size: 7pt; }
.kpi td, .kpi th { font-size: 7pt; padding: 0.45mm 1.2mm; } .delta { font-size: 6pt; }
</style></head><body>
<h1>{{ w("h1", year=year) }}</h1>
<p class="lead">{{ w("lead", data=data, district=district, seconds=time_limit) }}</p>
<table class="small"><tr><th>{{ w("c_scenario") }}</th><th>{{ w("c_what") }}</th></tr>
{% for s in scenarios %}<tr><td><b>{{ s.scenario }}</b></td><td>{{ s.description }}
{% if s.policy %}<br><span class="muted">{{ w("policy_prefix") }}{{ s.policy }}</span>{% endif %}
{% if s.edits %}<br><span class="muted">{{ w("data_prefix") }}{{ s.edits }}</span>{% endif %}
{% if s.error %}<br><span class="down">{{ s.error }}</span>{% endif %}</td></tr>{% endfor %}
</table>
<h2>{{ w("sec_figures") }}</h2>
<table class="kpi"><tr><th>{{ w("c_figure") }}</th>{% for n in shown_names %}<th class="num">{{ n }}</th>{% endfor %}</tr>
{% for r in kpis %}<tr><td>{{ r.label }}</td>{% for c in r.cells %}<td class="num">{{ c.value }}
{% if c.delta %} <span class="{{ c.cls }} delta">{{ c.delta }}</span>{% endif %}</td>{% endfor %}</tr>{% endfor %}
</table>
<div class="page"></div>
<h2>{{ w("sec_glance") }}</h2>
<img src="{{ kpi_bars }}" alt="">
<img src="{{ coverage_bars }}" alt="">
<div class="page"></div>
<h2>{{ w("sec_cost") }}</h2>
<img src="{{ cost_chart }}" alt="">
{% if sweep_chart %}<h2>{{ w("sec_sweep") }}</h2>
<p>{{ w("sweep_lead") }}</p>
<img src="{{ sweep_chart }}" alt="">
<table class="small"><tr><th>{{ w("c_point") }}</th><th class="num">{{ w("c_budget") }}</th><th class="num">{{ w("c_cost") }}</th>
<th class="num">{{ w("c_met") }}</th><th class="num">{{ w("c_weighted") }}</th><th>{{ w("c_status") }}</th></tr>
{% for r in sweep %}<tr><td>{{ r.point }}</td><td class="num">{{ r.budget }}</td><td class="num">{{ r.cost }}</td>
<td class="num">{{ r.met }}</td><td class="num">{{ r.weighted }}</td><td>{{ r.status }}</td></tr>{% endfor %}</table>{% endif %}
<div class="page"></div>
<h2>{{ w("sec_diff") }}</h2>
<table class="small"><tr><th>{{ w("c_scenario") }}</th><th class="num">{{ w("c_changing_classes") }}</th>
<th class="num">{{ w("c_changing_rotation") }}</th><th class="num">{{ w("c_gain") }}</th>
<th class="num">{{ w("c_lose") }}</th><th class="num">{{ w("c_net") }}</th></tr>
{% for r in diff %}<tr><td>{{ r.scenario }}</td><td class="num">{{ r.cadres_changing_classes }}</td>
<td class="num">{{ r.cadres_changing_rotation }}</td><td class="num up">{{ r.gain_requirement }}</td>
<td class="num down">{{ r.lose_requirement }}</td><td class="num">{{ r.net_requirement }}</td></tr>{% endfor %}</table>
{% for g in gains %}<h2>{{ w("sec_gains", scenario=g.scenario) }}</h2>
<table class="small"><tr><th>{{ w("c_cadre") }}</th><th>{{ w("c_name") }}</th><th>{{ w("c_unit") }}</th><th>{{ w("c_level") }}</th>
<th>{{ w("c_change") }}</th><th>{{ w("c_added") }}</th><th>{{ w("c_dropped") }}</th></tr>
{% for r in g.rows %}<tr><td>{{ r.cadre_id }}</td><td>{{ r.name }}</td><td>{{ r.unit }}</td><td>{{ r.level }}</td><td>{{ r.change }}</td>
<td>{{ r.added }}</td><td>{{ r.dropped }}</td></tr>{% endfor %}</table>
{% if g.more %}<p class="muted">{{ w("more_rows", n=g.more, sheet=changes_sheet) }}</p>{% endif %}{% endfor %}
</body></html>
"""


def _uri(svg: str | None) -> str | None:
    return None if svg is None else "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _page_css(w: Words) -> str:
    q = fonts.css_quote
    if w.lang == "zh":
        return f'{q("第 ")} counter(page) {q(" 页，共 ")} counter(pages) {q(" 页")}'
    return f'{q("page ")} counter(page) {q(" of ")} counter(pages)'


def handout_html(cmp, *, rows_per_scenario: int = 6) -> str:
    from planning.report.html import css_string

    w, _, font_family = doc_words(cmp)
    doc = dataclasses.replace(cmp, lang=w.lang) if w.lang != getattr(cmp, "lang", "en") else cmp
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = css_string
    sep = "；" if w.lang == "zh" else "; "
    kpis = []
    for key, r in cmp.table.iterrows():
        if key in ("solve_seconds", "overdue_total", "rotation_slots"):
            continue
        cells = []
        for n in cmp.names:
            d = r.get(f"Δ {n}") if n != cmp.names[0] else None
            txt = fmt_delta(key, d, w)
            good = d is not None and not (isinstance(d, float) and math.isnan(d)) and d != 0
            higher_better = key not in ("classes_cancelled", "cost", "peak_unit_absence", "mean_unit_peak_absence",
                                        "units_at_cap", "gap", "solve_seconds")
            cls = ("up" if (d > 0) == higher_better else "down") if good else "muted"
            value = _status(cmp, n, w) if key == "status" else fmt(key, r[n], w)
            cells.append({"value": value, "delta": txt if n != cmp.names[0] else "", "cls": cls})
        kpis.append({"label": w.kpi(key), "cells": cells})
    sweep = [{"point": _sweep_point(r, w),
              "budget": fmt("budget", r["budget"]) if r["budget"] is not None and r["budget"] == r["budget"]
              else w("no_limit"),
              "cost": fmt("cost", r["cost"]), "met": fmt("requirement_met_share", r["requirement_met_share"]),
              "weighted": fmt("requirement_met_share", r["weighted_coverage"]),
              "status": _status_of(r, w)}
             for r in cmp.sweep.to_dict("records")]
    gains = []
    if len(cmp.changes):
        for n in cmp.names[1:]:
            ch = cmp.changes[(cmp.changes["scenario"] == n)
                             & cmp.changes["change"].isin(["gains the requirement", "loses the requirement"])]
            if not len(ch):
                continue
            gains.append({"scenario": w.name(n), "more": max(0, len(ch) - rows_per_scenario),
                          "rows": [{"cadre_id": r["cadre_id"], "name": r.get("name", ""),
                                    "unit": r.get("unit") or r["unit_id"],
                                    "level": w.labels.code("level", r["level"]),
                                    "change": w.change(r["change"]),
                                    "added": r["classes added"].replace("; ", "、" if w.lang == "zh" else sep),
                                    "dropped": r["classes dropped"].replace("; ", "、" if w.lang == "zh" else sep)}
                                   for r in ch.head(rows_per_scenario).to_dict("records")]})
    base = cmp.summaries.get(cmp.names[0], {})
    scen = [{"scenario": r["scenario"], "description": r["description"], "policy": r["policy changes"],
             "edits": r["data edits"], "error": r["error"]} for r in scenario_frame(doc).to_dict("records")]
    try:  # the solver's time limit, from the baseline's policy.yaml (for the sentence on page 1)
        import yaml

        pol_tl = yaml.safe_load((cmp.out / cmp.names[0] / "policy.yaml").read_text(encoding="utf-8"))["solver"]["time_limit"]
    except (OSError, KeyError, TypeError, ValueError):
        pol_tl = "–"
    diff = [{**r, "scenario": w.name(r["scenario"])} for r in cmp.diff.to_dict("records")]
    district = base.get("district")
    generated = dt.date.today().isoformat()
    return env.from_string(_TEMPLATE).render(
        w=w, html_lang="zh-CN" if w.lang == "zh" else "en", title=w("title", year=cmp.year),
        page_css=_page_css(w), footer=f"{w('title', year=cmp.year)} · {generated}", font_family=font_family,
        year=cmp.year, data=base.get("data", ""), district=w("lead_district", district=district) if district else "",
        time_limit=pol_tl, scenarios=scen, shown_names=[w.name(n) for n in cmp.names], kpis=kpis,
        kpi_bars=_uri(kpi_bars(doc)), coverage_bars=_uri(coverage_bars(doc)), cost_chart=_uri(cost_coverage_chart(doc)),
        sweep_chart=_uri(sweep_chart(doc)), sweep=sweep, diff=diff, gains=gains, changes_sheet=w("sheet_changes"))


def write_handout(cmp, out: str | Path) -> Path:
    from planning.report.pdf import write_pdf

    return write_pdf(handout_html(cmp), out)
