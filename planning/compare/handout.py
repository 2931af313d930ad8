"""Charts, workbook and the 2–4 page PDF handout of a scenario comparison.

Charts reuse the report's matplotlib style (``planning.report.charts``); the PDF goes through
jinja2 (autoescape) + WeasyPrint like the plan report (``planning.report.pdf.write_pdf``)."""
from __future__ import annotations

import base64
import datetime as dt
import math
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from planning.compare.tables import KPI_FORMATS, KPI_LABELS
from planning.io import csv_safe
from planning.report import charts as C
from planning.report import formatting as F

FAMILIES = ["DejaVu Sans"]
LEVEL_WORDS = {"division": "Division", "section": "Section", "deputy_section": "Deputy section", "staff": "Staff"}


def _million(v, _=None) -> str:
    """Money on an axis or a bar in yuan: "3.82 M" from a million, "152k" below (the title says yuan)."""
    return f"{v / 1e6:,.2f} M" if abs(v) >= 1e6 else f"{v / 1e3:,.0f}k" if abs(v) >= 1e3 else f"{v:,.0f}"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=True)) or str(text)
PALETTE = ["#7f8c9a", "#2f5d8a", "#c27c0e", "#4f9a5b", "#9b4f96", "#c0504d", "#6fa8dc", "#8c6d31"]
BAR_KPIS = ("requirement_met_share", "overdue_covered", "rotations_filled", "classes_running", "seats_used",
            "cost", "mean_unit_peak_absence", "classes_cancelled")


# --------------------------------------------------------------------------- formatting
def fmt(key: str, v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    f = KPI_FORMATS.get(key, "float")
    if isinstance(v, str) or f == "text":
        return str(v)
    if f == "pct":
        return F.share(v)  # the report's rounding: below 100 % never prints 100
    if f == "pct2":
        return F.share(v, 2)
    if f == "int":
        return f"{int(v):,}"
    if f == "money":
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def fmt_delta(key: str, d) -> str:
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return ""
    if abs(d) < 1e-12:
        return "±0"
    f = KPI_FORMATS.get(key, "float")
    sign = "+" if d > 0 else "−"
    a = abs(d)
    if f in ("pct", "pct2"):
        return f"{sign}{a * 100:.{2 if f == 'pct2' else 1}f} pt"
    if f == "int":
        return f"{sign}{int(round(a)):,}"
    if f == "money":
        return f"{sign}{a:,.0f}"
    return f"{sign}{a:,.1f}"


def display_table(cmp) -> pd.DataFrame:
    """The KPI table as text, each scenario's value with its delta beside it."""
    t = cmp.table
    rows = []
    for key, r in t.iterrows():
        row = {"figure": r["label"], cmp.names[0]: fmt(key, r[cmp.names[0]])}
        for n in cmp.names[1:]:
            d = fmt_delta(key, r.get(f"Δ {n}"))
            row[n] = fmt(key, r[n]) + (f" ({d})" if d else "")
        rows.append(row)
    return pd.DataFrame(rows).set_index("figure")


# --------------------------------------------------------------------------- charts
def kpi_bars(cmp) -> str:
    """Small multiples: one panel per KPI, one bar per scenario (the baseline in grey)."""
    keys = [k for k in BAR_KPIS if k in cmp.table.index]
    names = cmp.names
    from matplotlib.ticker import MaxNLocator

    with C._style(FAMILIES):
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
                ax.text(x, v + top * 0.02, _million(v) if KPI_FORMATS[key] == "money" else fmt(key, v),
                        ha="center", va="bottom", fontsize=5.5)
            ax.set_ylim(0, top * 1.18)
            ax.set_xticks(xs)
            ax.set_xticklabels([_wrap(n, 12) for n in names], rotation=0, ha="center", fontsize=5.6)  # whole names
            title = KPI_LABELS[key] + (" (yuan)" if KPI_FORMATS[key] == "money" and "yuan" not in KPI_LABELS[key] else "")
            ax.set_title(_wrap(title, 30), fontsize=7.0, loc="left")
            ax.tick_params(axis="y", labelsize=5.8)
            if KPI_FORMATS[key] in ("pct", "pct2"):
                ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
            elif KPI_FORMATS[key] == "money":
                ax.yaxis.set_major_formatter(_million)
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
    keys = [k for k in cmp.table.index if k.startswith(("met_by_level.", "met_by_group."))]
    names = cmp.names
    with C._style(FAMILIES):
        fig = C._figure(C.PORTRAIT_WIDTH, 2.6)
        ax = fig.subplots()
        w = 0.8 / max(1, len(names))
        xs = np.arange(len(keys))
        for i, n in enumerate(names):
            vals = [cmp.table.at[k, n] for k in keys]
            vals = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in vals]
            ax.bar(xs - 0.4 + w * (i + 0.5), vals, width=w, color=PALETTE[i % len(PALETTE)], label=n, zorder=2)
        ax.set_xticks(xs)
        words = [KPI_LABELS[k].replace("Met · ", "") for k in keys]
        ax.set_xticklabels([LEVEL_WORDS.get(w.replace(" ", "_"), w[:1].upper() + w[1:]) for w in words],
                           rotation=25, ha="right")
        ax.set_ylim(0, 1.32)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.set_ylim(0, 1.05)
        ax.set_title("Requirement met by level and priority group", loc="left", pad=16)
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
    with C._style(FAMILIES):
        fig = C._figure(C.PORTRAIT_WIDTH, 3.0)
        ax = fig.subplots()
        sw = cmp.sweep.dropna(subset=["cost", "requirement_met_share"]) if len(cmp.sweep) else cmp.sweep
        if len(sw):
            sw = sw.sort_values("cost")
            ax.plot(sw["cost"], sw["requirement_met_share"], color="#9aa5b1", marker="o", markersize=3,
                    linewidth=1, label="budget sweep", zorder=2)
        for i, n in enumerate(cmp.names):
            c, m = cmp.table.at["cost", n] if "cost" in cmp.table.index else None, \
                cmp.table.at["requirement_met_share", n]
            if c is None or m is None or (isinstance(c, float) and math.isnan(c)):
                continue
            # named in the legend: labels beside close points ran into each other
            ax.scatter([c], [m], color=PALETTE[i % len(PALETTE)], s=28, zorder=3, label=n,
                       marker="os^Dvp*h"[i % 8])
        ax.xaxis.set_major_formatter(_million)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.set_xlabel("class cost (yuan)")
        ax.set_ylabel("cadres meeting the requirement")
        ax.set_title("Cost against coverage", loc="left")
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        return _finish(ax, fig)


def sweep_chart(cmp) -> str | None:
    """Coverage as a function of the budget (the trade-off curve)."""
    sw = cmp.sweep.dropna(subset=["requirement_met_share"]) if len(cmp.sweep) else cmp.sweep
    if not len(sw):
        return None
    with C._style(FAMILIES):
        fig = C._figure(C.PORTRAIT_WIDTH, 2.6)
        ax = fig.subplots()
        lim = sw[sw["budget"].notna()].sort_values("budget")
        ax.plot(lim["budget"], lim["requirement_met_share"], marker="o", color=PALETTE[1], label="requirement met")
        ax.plot(lim["budget"], lim["weighted_coverage"], marker="s", color=PALETTE[2], label="priority-weighted")
        free = sw[sw["budget"].isna()]
        for r in free.to_dict("records"):
            ax.axhline(r["requirement_met_share"], color=PALETTE[0], linestyle=(0, (3, 2)), linewidth=0.8)
            ax.text(lim["budget"].min() if len(lim) else 0, r["requirement_met_share"], " no budget limit",
                    va="bottom", fontsize=6, color=PALETTE[0])
        ax.xaxis.set_major_formatter(_million)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.set_xlabel("budget (yuan)")
        ax.set_title("Budget sweep: coverage against budget", loc="left")
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
    from planning.scenarios import describe_policy

    rows = []
    runs = {r["name"]: r for r in cmp.runs.to_dict("records")} if len(cmp.runs) else {}
    for n in cmp.names:
        sc = cmp.scenarios[n]
        rows.append({"scenario": n,
                     "description": "the data and policy as they are" if sc is None else sc.description,
                     "policy changes": "" if sc is None else "; ".join(
                         ([f"budget = {sc.budget_share:.0%} of the baseline's cost"] if sc.budget_share else [])
                         + describe_policy(sc.policy)),
                     "data edits": "" if sc is None else "; ".join(sc.describe_edits()),
                     # no absolute paths in a handout: the file as given relative to here, the folder beside the workbook
                     "file": "" if sc is None else _shown_path(sc.source), "folder": n,
                     "run": runs.get(n, {}).get("run", ""), "error": runs.get(n, {}).get("error", ""),
                     "seconds": runs.get(n, {}).get("seconds")})
    return pd.DataFrame(rows)


def write_workbook(cmp, out: str | Path) -> Path:
    from planning.io import atomic_path

    out = Path(out)
    sheets = {
        "comparison": cmp.table.reset_index(),
        "scenarios": scenario_frame(cmp),
        "assignment diff": cmp.diff,
        "cadre changes": cmp.changes,
        "budget sweep": cmp.sweep,
    }
    with atomic_path(out) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, frame in sheets.items():
                frame = frame if len(frame.columns) else pd.DataFrame({"note": ["nothing to show"]})
                frame = frame.map(_cell) if hasattr(frame, "map") else frame.applymap(_cell)
                frame.to_excel(xw, sheet_name=name, index=False)
                ws = xw.sheets[name]
                ws.freeze_panes = "B2" if name == "comparison" else "A2"
                _number_formats(ws, name, frame)
                for i, col in enumerate(frame.columns, start=1):
                    width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
                    ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, max(8, width + 2))
    return out


_PCT_COLUMNS = ("requirement_met_share", "weighted_coverage", "fraction of baseline cost", "gap")
_MONEY_COLUMNS = ("budget", "cost")


def _number_formats(ws, name: str, frame: pd.DataFrame) -> None:
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
    for j, col in enumerate(frame.columns, start=1):
        f = "0.0%" if col in _PCT_COLUMNS or str(col).endswith("share") else "#,##0" if col in _MONEY_COLUMNS else None
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
<html lang="en"><head><meta charset="utf-8"><title>Scenario comparison {{ year }}</title>
<style>
@page { size: A4; margin: 14mm 13mm 14mm 13mm;
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 7pt; color: #6b7785; }
  @bottom-left { content: "Scenario comparison {{ year }} · {{ generated }}"; font-size: 7pt; color: #6b7785; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; line-height: 1.35; color: #1f2d3d; }
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
<h1>What if? Scenario comparison, {{ year }}</h1>
<p class="lead">Data set {{ data }}{% if district %}, district {{ district }}{% endif %}.
Each scenario is the baseline with the changes below, planned by the same optimizer
({{ time_limit }} s per plan); the small coloured figures are the change against the baseline.</p>
<table class="small"><tr><th>scenario</th><th>what changes</th></tr>
{% for s in scenarios %}<tr><td><b>{{ s.scenario }}</b></td><td>{{ s.description }}
{% if s.policy %}<br><span class="muted">policy: {{ s.policy }}</span>{% endif %}
{% if s.edits %}<br><span class="muted">data: {{ s.edits }}</span>{% endif %}
{% if s.error %}<br><span class="down">{{ s.error }}</span>{% endif %}</td></tr>{% endfor %}
</table>
<h2>Key figures side by side</h2>
<table class="kpi"><tr><th>figure</th>{% for n in names %}<th class="num">{{ n }}</th>{% endfor %}</tr>
{% for r in kpis %}<tr><td>{{ r.label }}</td>{% for c in r.cells %}<td class="num">{{ c.value }}
{% if c.delta %} <span class="{{ c.cls }} delta">{{ c.delta }}</span>{% endif %}</td>{% endfor %}</tr>{% endfor %}
</table>
<div class="page"></div>
<h2>At a glance</h2>
<img src="{{ kpi_bars }}" alt="key figures per scenario">
<img src="{{ coverage_bars }}" alt="requirement met by level and group">
<div class="page"></div>
<h2>Cost against coverage</h2>
<img src="{{ cost_chart }}" alt="cost against coverage">
{% if sweep_chart %}<h2>Budget sweep</h2>
<p>The baseline planned again with the class budget capped at a share of the baseline's cost.</p>
<img src="{{ sweep_chart }}" alt="budget sweep">
<table class="small"><tr><th>point</th><th class="num">budget</th><th class="num">cost</th><th class="num">requirement met</th>
<th class="num">priority-weighted</th><th>status</th></tr>
{% for r in sweep %}<tr><td>{{ r.point }}</td><td class="num">{{ r.budget }}</td><td class="num">{{ r.cost }}</td>
<td class="num">{{ r.met }}</td><td class="num">{{ r.weighted }}</td><td>{{ r.status }}</td></tr>{% endfor %}</table>{% endif %}
<div class="page"></div>
<h2>Who is affected: the assignment diff against the baseline</h2>
<table class="small"><tr><th>scenario</th><th class="num">cadres changing classes</th><th class="num">changing rotation</th>
<th class="num">gain the requirement</th><th class="num">lose it</th><th class="num">net</th></tr>
{% for r in diff %}<tr><td>{{ r.scenario }}</td><td class="num">{{ r.cadres_changing_classes }}</td>
<td class="num">{{ r.cadres_changing_rotation }}</td><td class="num up">{{ r.gain_requirement }}</td>
<td class="num down">{{ r.lose_requirement }}</td><td class="num">{{ r.net_requirement }}</td></tr>{% endfor %}</table>
{% for g in gains %}<h2>{{ g.scenario }}: who gains or loses the requirement</h2>
<table class="small"><tr><th>cadre</th><th>name</th><th>unit</th><th>level</th><th>change</th><th>classes added</th><th>classes dropped</th></tr>
{% for r in g.rows %}<tr><td>{{ r.cadre_id }}</td><td>{{ r.name }}</td><td>{{ r.unit }}</td><td>{{ r.level }}</td><td>{{ r.change }}</td>
<td>{{ r.added }}</td><td>{{ r.dropped }}</td></tr>{% endfor %}</table>
{% if g.more %}<p class="muted">… and {{ g.more }} more (all in the workbook, sheet "cadre changes").</p>{% endif %}{% endfor %}
</body></html>
"""


def _uri(svg: str | None) -> str | None:
    return None if svg is None else "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def handout_html(cmp, *, rows_per_scenario: int = 6) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    kpis = []
    for key, r in cmp.table.iterrows():
        if key in ("solve_seconds", "overdue_total", "rotation_slots"):
            continue
        cells = []
        for n in cmp.names:
            d = r.get(f"Δ {n}") if n != cmp.names[0] else None
            txt = fmt_delta(key, d)
            good = d is not None and not (isinstance(d, float) and math.isnan(d)) and d != 0
            higher_better = key not in ("classes_cancelled", "cost", "peak_unit_absence", "mean_unit_peak_absence",
                                         "units_at_cap", "gap", "solve_seconds")
            cls = ("up" if (d > 0) == higher_better else "down") if good else "muted"
            cells.append({"value": fmt(key, r[n]), "delta": txt if n != cmp.names[0] else "", "cls": cls})
        kpis.append({"label": r["label"], "cells": cells})
    sweep = [{"point": r["point"], "budget": fmt("budget", r["budget"]) if r["budget"] is not None else "none",
              "cost": fmt("cost", r["cost"]), "met": fmt("requirement_met_share", r["requirement_met_share"]),
              "weighted": fmt("requirement_met_share", r["weighted_coverage"]), "status": r["status"]}
             for r in cmp.sweep.to_dict("records")]
    gains = []
    if len(cmp.changes):
        for n in cmp.names[1:]:
            ch = cmp.changes[(cmp.changes["scenario"] == n)
                             & cmp.changes["change"].isin(["gains the requirement", "loses the requirement"])]
            if not len(ch):
                continue
            gains.append({"scenario": n, "more": max(0, len(ch) - rows_per_scenario),
                          "rows": [{"cadre_id": r["cadre_id"], "name": r.get("name", ""),
                                    "unit": r.get("unit") or r["unit_id"], "level": LEVEL_WORDS.get(r["level"], r["level"]),
                                    "change": r["change"], "added": r["classes added"],
                                    "dropped": r["classes dropped"]} for r in ch.head(rows_per_scenario).to_dict("records")]})
    base = cmp.summaries.get(cmp.names[0], {})
    scen = [{"scenario": r["scenario"], "description": r["description"], "policy": r["policy changes"],
             "edits": r["data edits"], "error": r["error"]} for r in scenario_frame(cmp).to_dict("records")]
    try:  # the solver's time limit, from the baseline's policy.yaml (for the sentence on page 1)
        import yaml

        pol_tl = yaml.safe_load((cmp.out / cmp.names[0] / "policy.yaml").read_text(encoding="utf-8"))["solver"]["time_limit"]
    except (OSError, KeyError, TypeError, ValueError):
        pol_tl = "–"
    return env.from_string(_TEMPLATE).render(
        year=cmp.year, data=base.get("data", ""), district=base.get("district"), time_limit=pol_tl,
        generated=dt.date.today().isoformat(), scenarios=scen, names=cmp.names, kpis=kpis,
        kpi_bars=_uri(kpi_bars(cmp)), coverage_bars=_uri(coverage_bars(cmp)), cost_chart=_uri(cost_coverage_chart(cmp)),
        sweep_chart=_uri(sweep_chart(cmp)), sweep=sweep, diff=cmp.diff.to_dict("records"), gains=gains)


def write_handout(cmp, out: str | Path) -> Path:
    from planning.report.pdf import write_pdf

    return write_pdf(handout_html(cmp), out)
