"""simulation.pdf and simulation.xlsx: fan charts (median and 10–90 % band per year), the offer
curve (five-year coverage in the final year against the offer scale), every KPI by year, the
cadre corps' movements and the simulation settings — in English or Chinese, in the style of the
plan report (its stylesheet, fonts, chart style and workbook sheets are reused, not copied).
Deterministic: the same kpis.csv and summary.json give the same files."""
from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator
from openpyxl import Workbook

from planning.io import atomic_path
from planning.policy import Policy
from planning.report import fonts
from planning.report.content import policy_table
from planning.report.charts import COLORS, GRID, INK, PORTRAIT_WIDTH, _figure, _style, _svg, clip
from planning.report.excel import SHARE_FORMAT, write_sheet
from planning.report.html import room_template, stylesheet
from planning.report.labels import Labels, singular_en
from planning.simulate.words import ZH, Words

FAN_KPIS = ("five_year_coverage", "requirement_met", "overdue", "division_550", "reserve_young_rotated", "pool_size")
HEADLINE_KPIS = ("five_year_coverage", "overdue", "requirement_met", "division_550", "reserve_young_rotated",
                 "pool_size", "cadres", "seat_use", "cost")
WORLD_KPIS = ("cadres", "retired", "departed", "promoted", "vacancies_unfilled", "hired", "pool_size", "pool_joined",
              "pool_reviewed_out")
SHARES = ("requirement_met", "five_year_coverage", "five_year_coverage_planned", "division_550", "reserve_young_rotated",
          "seat_use")


def is_share(kpi: str) -> bool:
    return kpi.split(".")[0] in SHARES or kpi.startswith("requirement_met")


def fmt(kpi: str, v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if is_share(kpi):
        return f"{100 * float(v):.1f}%"
    return f"{float(v):,.0f}" if abs(float(v)) >= 100 or float(v).is_integer() else f"{float(v):.1f}"


def fmt_q(kpi: str, q: dict | None) -> str:
    if not q or q.get("median") is None:
        return "–"
    if q["p10"] == q["p90"]:
        return fmt(kpi, q["median"])
    return f"{fmt(kpi, q['median'])} ({fmt(kpi, q['p10'])} – {fmt(kpi, q['p90'])})"


# --------------------------------------------------------------------------- charts
def _axes_style(ax) -> None:
    ax.grid(color=GRID, linewidth=0.5)
    ax.set_axisbelow(True)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


def fan_chart(quantiles: dict, kpis: tuple[str, ...], w: Words, families) -> str:
    """One panel per KPI: the median per year as a line, the 10–90 % band shaded."""
    present = [k for k in kpis if k in quantiles]
    with _style(families):
        rows = max(1, math.ceil(len(present) / 3))
        fig = _figure(PORTRAIT_WIDTH, 2.0 * rows + 0.2)
        axes = np.atleast_1d(fig.subplots(rows, 3)).ravel()
        for ax, kpi in zip(axes, present):
            years = sorted(int(y) for y in quantiles[kpi])
            q = [quantiles[kpi][str(y)] for y in years]
            med = np.array([np.nan if x["median"] is None else x["median"] for x in q], dtype=float)
            lo = np.array([np.nan if x["p10"] is None else x["p10"] for x in q], dtype=float)
            hi = np.array([np.nan if x["p90"] is None else x["p90"] for x in q], dtype=float)
            scale = 100.0 if is_share(kpi) else 1.0
            ax.fill_between(years, lo * scale, hi * scale, color=COLORS["weekend"], alpha=0.45, linewidth=0)
            ax.plot(years, med * scale, color=COLORS["class"], marker="o", markersize=3, linewidth=1.4)
            ax.set_xticks(years)
            ax.set_xticklabels([str(y) for y in years], fontsize=6.5)
            if is_share(kpi):
                ax.set_ylim(0, 102)
                ax.set_ylabel("%")
            else:  # a count: whole-number ticks, and 0 … 1 when it stays at 0 (not 0.00 … 0.05)
                top = np.nanmax(np.concatenate([med, hi])) if np.isfinite(np.concatenate([med, hi])).any() else 0
                ax.set_ylim(0, None if top > 0 else 1)
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(clip(w.kpi(kpi), 38), loc="left", fontsize=7)
            _axes_style(ax)
        for ax in axes[len(present):]:
            ax.set_visible(False)
        fig.tight_layout(w_pad=1.5, h_pad=1.5)
        return _svg(fig)


def offer_chart(curve: list[dict], target: float, w: Words, families) -> str:
    """Five-year coverage in the final year (median, 10–90 % band) against the offer scale."""
    with _style(families):
        fig = _figure(PORTRAIT_WIDTH * 0.75, 2.6)
        ax = fig.subplots()
        xs = [p["offer_scale"] for p in curve]
        get = lambda k: np.array([np.nan if p[k] is None else 100 * p[k] for p in curve], dtype=float)  # noqa: E731
        ax.fill_between(xs, get("p10"), get("p90"), color=COLORS["weekend"], alpha=0.45, linewidth=0)
        ax.plot(xs, get("median"), color=COLORS["class"], marker="o", markersize=4, linewidth=1.6)
        ax.axhline(100 * target, color=COLORS["bar_low"], linestyle=(0, (3, 2)), linewidth=0.9)
        ax.set_xticks(xs)
        ax.set_xticklabels([f"×{x:g}" for x in xs])
        ax.set_xlabel(w("scale_axis"))
        ax.set_ylabel(w.kpi("five_year_coverage") + " (%)")
        ax.set_ylim(min(100 * target, float(np.nanmin(get("p10"))) if len(xs) else 0) - 5, 102)
        ax.tick_params(colors=INK)
        _axes_style(ax)
        fig.tight_layout()
        return _svg(fig)


# --------------------------------------------------------------------------- content
def report_lang(lang: str | None, data_source_names: list[str]) -> str:
    """As given, else the data's language (planning.messages.data_lang: most names Chinese -> "zh")."""
    from planning.messages import data_lang

    return lang or data_lang(data_source_names)


def smallest_scale(curve: list[dict], target: float, key: str = "median") -> float | None:
    ok = [p["offer_scale"] for p in curve if p.get(key) is not None and p[key] >= target - 1e-9]
    return min(ok) if ok else None


def offer_verdict(curve: list[dict], target: float, last: int, w: Words, *, leave_share: float) -> str:
    """The offer curve's sentence: the smallest scale whose median five-year coverage (credited)
    reaches `target`; else, when the plans themselves reach it from some scale on (coverage as
    planned, at that scale and every larger one tried), that the cadres still missing withdrew —
    took more leave than `leave_share` (requirement.leave_max_share) of their class hours:
    attendance, not seats; else that a larger offer is needed."""
    tgt = f"{100 * target:.0f}%"
    s = smallest_scale(curve, target)
    if s is not None:
        return w("offer_first", last=last, target=tgt, scale=f"×{s:g}")
    planned = [p for p in curve if p.get("planned") is not None]
    s = smallest_scale(planned, target, "planned")
    if s is not None and all(p["planned"] >= target - 1e-9 for p in planned if p["offer_scale"] >= s):
        return w("offer_withdrawn", last=last, target=tgt, scale=f"×{s:g}", leave=f"{leave_share:.1%}")
    return w("offer_none", last=last, target=tgt)


def view(kpis: pd.DataFrame, summary: dict, policy: Policy, lang: str) -> dict:
    """Everything the template prints (Chinese needs a Chinese font, else English with a notice)."""
    cjk = fonts.find_cjk_font() if lang == "zh" or fonts.has_cjk(str(summary.get("data", ""))) else None
    notice = ""
    if lang == "zh" and cjk is None:
        lang, notice = "en", Words("en")("cjk_missing")
    w = Words(lang)
    families = fonts.matplotlib_families(cjk)
    q = summary["kpis"]
    first, last = summary["start_year"], summary["start_year"] + summary["years"] - 1
    years = [str(y) for y in range(first, last + 1)]
    target = float(policy["simulation.coverage_target"])
    headline = [(w.kpi(k), fmt_q(k, q.get(k, {}).get(str(last)))) for k in HEADLINE_KPIS if k in q]
    table = [[w.kpi(k)] + [fmt_q(k, q[k].get(y)) for y in years] for k in q]
    world = [[w.kpi(k)] + [fmt(k, (q[k].get(y) or {}).get("median")) for y in years] for k in WORLD_KPIS if k in q]
    curve = summary.get("offer_curve", [])
    offer = None
    if len(curve) > 1:
        offer = {"chart": offer_chart(curve, target, w, families),
                 "rows": [[f"×{p['offer_scale']:g}", fmt_q("five_year_coverage", p),
                           fmt("five_year_coverage", p.get("planned"))] for p in curve],
                 "verdict": offer_verdict(curve, target, last, w,
                                          leave_share=float(policy["requirement.leave_max_share"]))}
    t = settings_table(policy, lang)
    settings = t[["meaning_plain", "value_unit"]].values.tolist()  # the body: meanings and values with units
    names = t[["key", "value_text"]].values.tolist()  # the appendix: the policy file's names
    return {
        "w": w, "html_lang": "zh-CN" if lang == "zh" else "en", "notice": notice, "css": stylesheet(),
        "font_family": fonts.css_families(cjk), "title": w("title", first=first, last=last),
        "lead": singular_en(w("lead", data=summary.get("data", ""), first=first, last=last,
                              mode=w(f"mode_{summary['mode']}"), runs=summary["runs"], seed=summary["seed"]))
        if lang == "en" else w("lead", data=summary.get("data", ""), first=first, last=last,
                               mode=w(f"mode_{summary['mode']}"), runs=summary["runs"], seed=summary["seed"]),
        "last": last, "years": years, "headline": headline, "fans": fan_chart(q, FAN_KPIS, w, families),
        "offer": offer, "table": table, "world": world, "settings": settings, "names": names,
    }


def settings_table(policy: Policy, lang: str) -> pd.DataFrame:
    """The simulation.*, simulation_fast.* and simulation_full.* settings in force (the plan report's policy table)."""
    t = policy_table(policy, Labels(lang), rules_only=False)
    return t[t["group"].isin(("simulation", "simulation_fast", "simulation_full"))].reset_index(drop=True)


TEMPLATE = """div.keep { page-break-inside: avoid; }
</style></head><body>
<section class="chapter">
<h1>{{ title }}</h1>
{% if notice %}<p class="note"><b>{{ notice }}</b></p>{% endif %}
<p class="note">{{ lead }}</p>
<h2>{{ w("sec_headline", last=last) }}</h2>
<table class="t">{% for k, v in headline %}<tr><th>{{ k }}</th><td class="n">{{ v }}</td></tr>{% endfor %}</table>
<h2>{{ w("sec_fans") }}</h2>
<div class="chart">{{ fans|safe }}</div>
{% if offer %}<div class="keep"><h2>{{ w("sec_offer") }}</h2>
<p class="note">{{ w("offer_lead", last=last) }}</p>
<div class="chart">{{ offer.chart|safe }}</div></div>
<p><b>{{ offer.verdict }}</b></p>
<table class="t"><tr><th>{{ w("c_scale") }}</th><th class="n">{{ w.kpi("five_year_coverage") }}</th><th class="n">{{ w("c_planned_median") }}</th></tr>
{% for r in offer.rows %}<tr><td>{{ r[0] }}</td><td class="n">{{ r[1] }}</td><td class="n">{{ r[2] }}</td></tr>{% endfor %}</table>{% endif %}
<h2>{{ w("sec_table") }}</h2>
<table class="t"><tr><th>{{ w("c_indicator") }}</th>{% for y in years %}<th class="n">{{ y }}</th>{% endfor %}</tr>
{% for r in table %}<tr><td>{{ r[0] }}</td>{% for v in r[1:] %}<td class="n">{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
<h2>{{ w("sec_world") }}</h2>
<table class="t"><tr><th>{{ w("c_indicator") }}</th>{% for y in years %}<th class="n">{{ y }}</th>{% endfor %}</tr>
{% for r in world %}<tr><td>{{ r[0] }}</td>{% for v in r[1:] %}<td class="n">{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
<h2>{{ w("sec_policy") }}</h2>
<table class="t"><tr><th>{{ w("c_meaning") }}</th><th class="n">{{ w("c_value") }}</th></tr>
{% for r in settings %}<tr><td>{{ r[0] }}</td><td class="n">{{ r[1] }}</td></tr>{% endfor %}</table>
<h2>{{ w("sec_names") }}</h2>
<table class="t"><tr><th>{{ w("c_setting") }}</th><th class="n">{{ w("c_value") }}</th></tr>
{% for r in names %}<tr><td>{{ r[0] }}</td><td class="n">{{ r[1] }}</td></tr>{% endfor %}</table>
</section></body></html>
"""


def render_html(kpis: pd.DataFrame, summary: dict, policy: Policy, lang: str = "en") -> str:
    return room_template(TEMPLATE).render(**view(kpis, summary, policy, lang))


# --------------------------------------------------------------------------- workbook
def summary_frame(summary: dict, w: Words) -> pd.DataFrame:
    rows = []
    by_scale = summary.get("by_offer_scale") or {f"{summary['base_offer_scale']:g}": summary["kpis"]}
    for scale, q in by_scale.items():
        for kpi, per_year in q.items():
            for year, v in per_year.items():
                rows.append({"offer_scale": float(scale), "kpi": kpi, "indicator": w.kpi(kpi), "year": int(year),
                             "median": v["median"], "p10": v["p10"], "p90": v["p90"]})
    return pd.DataFrame(rows, columns=["offer_scale", "kpi", "indicator", "year", "median", "p10", "p90"])


HEADERS_ZH = {"offer_scale": "供给倍数", "kpi": "指标代码", "indicator": "指标", "year": "年度", "median": "中位数",
              "p10": "10%分位", "p90": "90%分位", "planned": ZH["c_planned_median"], "run": "模拟序号", "value": "数值", "setting": "参数", "meaning": "含义"}


def write_workbook(kpis: pd.DataFrame, summary: dict, policy: Policy, out: Path, lang: str = "en") -> Path:
    """Sheets: summary (quantiles per KPI, year and offer scale), kpis (every run), offer curve, policy."""
    w = Words(lang)
    wb = Workbook()
    wb.remove(wb.active)
    heads = lambda cols: [HEADERS_ZH.get(c, c) for c in cols] if lang == "zh" else list(cols)  # noqa: E731
    s = summary_frame(summary, w)
    write_sheet(wb, w("sheet_summary"), s, heads(s.columns))
    k = kpis.copy()
    k.insert(3, "indicator", [w.kpi(x) for x in k["kpi"]])
    write_sheet(wb, w("sheet_kpis"), k, heads(k.columns))
    curve = pd.DataFrame(summary.get("offer_curve", []), columns=["offer_scale", "p10", "median", "p90", "planned"])
    write_sheet(wb, w("sheet_offer"), curve, heads(curve.columns),
                {"p10": SHARE_FORMAT, "median": SHARE_FORMAT, "p90": SHARE_FORMAT, "planned": SHARE_FORMAT})
    t = settings_table(policy, lang)
    pol = pd.DataFrame({"setting": t["key"], "value": t["value_text"], "meaning": t["meaning"]})
    write_sheet(wb, w("sheet_policy"), pol, heads(pol.columns), wrap=("meaning",))
    # fixed document dates: the same simulation gives the same bytes
    stamp = dt.datetime(int(summary["start_year"]), 1, 1)
    wb.properties.creator = "Cadre Training Planner"
    wb.properties.title = w("title", first=summary["start_year"], last=summary["start_year"] + summary["years"] - 1)
    wb.properties.created = wb.properties.modified = stamp
    with atomic_path(out) as tmp:
        wb.save(tmp)
        fixed_zip_times(tmp, (int(summary["start_year"]), 1, 1, 0, 0, 0))
    return out


def fixed_zip_times(path: Path, when: tuple[int, ...]) -> None:
    """Rewrite the workbook's zip with one fixed time on every entry (openpyxl stamps the clock)."""
    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps `modified` with the clock on save
                stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % when
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            z.writestr(fixed, data)


def write_reports(root: Path, kpis: pd.DataFrame, summary: dict, policy: Policy, *, lang: str | None = None,
                  names: list[str] | None = None) -> tuple[Path, Path]:
    """simulation.pdf and simulation.xlsx in `root` (atomically)."""
    from planning.report.pdf import write_pdf

    lang = report_lang(lang, names or [str(summary.get("data", ""))])
    html = render_html(kpis, summary, policy, lang)
    pdf = write_pdf(html, root / "simulation.pdf")
    xlsx = write_workbook(kpis, summary, policy, root / "simulation.xlsx", lang)
    return pdf, xlsx
