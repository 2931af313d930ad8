"""The activities report (PDF): pairing, the calendar by unit and month, what could not be placed
and why, online hours against the target, institution scorecards and trainee ratings.

Built from an ``ActivitiesResult`` as HTML (jinja2, autoescape: names print as typed, never as
markup) and turned into PDF by the core's ``planning.report.pdf.write_pdf`` with the core's
stylesheet and fonts (a Chinese font when the names need one).
"""
from __future__ import annotations

import calendar as pycal
from pathlib import Path

import jinja2
import pandas as pd

from planning.report import fonts
from planning.report.html import css_string, stylesheet

MONTHS = tuple(pycal.month_abbr[1:])
ONLINE_BANDS = ((0.0, 0.25, "under 25 %"), (0.25, 0.5, "25–50 %"), (0.5, 0.75, "50–75 %"), (0.75, 1.0, "75–100 %"),
                (1.0, float("inf"), "target met"))

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
{{ css|safe }}
html { font-family: {{ font_family|safe }}; }
@page { @top-left { content: {{ title|css_string }}; } }
table.t { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0 10pt 0; }
table.t th, table.t td { border-bottom: 0.5pt solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
table.t td.n, table.t th.n { text-align: right; }
p.note { font-size: 8.5pt; color: #444; }
</style></head><body>
<section class="chapter">
<h1>{{ title }}</h1>
<p class="note">Data set {{ s.data }}, plan year {{ s.year }}. Talks, seminars and exchanges never fall on a day a
person is blocked (blackouts, own work peaks, classes and rotations of the annual plan); the independent check has
verified this calendar.</p>
<table class="t">{% for k, v in headline %}<tr><th>{{ k }}</th><td class="n">{{ v }}</td></tr>{% endfor %}</table>

<h2>Pairing and talks by unit</h2>
<table class="t"><tr>{% for h in units.columns %}<th{% if not loop.first %} class="n"{% endif %}>{{ h }}</th>{% endfor %}</tr>
{% for r in units.rows %}<tr>{% for v in r %}<td{% if not loop.first %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
{% if unpaired %}<h3>Not paired</h3><table class="t"><tr><th>cadre</th><th>unit</th><th>level</th><th>reason</th></tr>
{% for r in unpaired %}<tr>{% for v in r %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}

<h2>Activities by month</h2>
<table class="t"><tr><th>kind</th>{% for m in months %}<th class="n">{{ m }}</th>{% endfor %}</tr>
{% for kind, counts in by_month %}<tr><td>{{ kind }}</td>{% for v in counts %}<td class="n">{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>

<h2>What could not be placed, and why</h2>
{% if unscheduled %}<table class="t"><tr><th>kind</th><th>period</th><th class="n">count</th><th>example reason</th></tr>
{% for r in unscheduled %}<tr><td>{{ r[0] }}</td><td>{{ r[1] }}</td><td class="n">{{ r[2] }}</td><td>{{ r[3] }}</td></tr>{% endfor %}</table>
{% else %}<p class="note">Everything was placed.</p>{% endif %}

<h2>Online learning hours ({{ s.online_target }} hours a year)</h2>
<table class="t"><tr>{% for h in online.columns %}<th{% if not loop.first %} class="n"{% endif %}>{{ h }}</th>{% endfor %}</tr>
{% for r in online.rows %}<tr>{% for v in r %}<td{% if not loop.first %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>

<h2>Institution scorecards (trainees rate courses, 1–5)</h2>
{% if cards %}<table class="t"><tr><th>institution</th><th class="n">classes</th><th class="n">ratings</th>
<th class="n">response</th><th class="n">mean</th><th class="n">spread</th><th class="n">trend</th><th>low-rated</th></tr>
{% for c in cards %}<tr><td>{{ c.institution }}</td><td class="n">{{ c.classes }}</td><td class="n">{{ c.ratings }}</td>
<td class="n">{{ c.response }}</td><td class="n">{{ c.mean }}</td><td class="n">{{ c.spread }}</td><td class="n">{{ c.trend }}</td>
<td>{{ c.low }}</td></tr>{% if c.comments %}<tr><td colspan="8"><i>{{ c.comments }}</i></td></tr>{% endif %}{% endfor %}</table>
<p class="note">Low-rated: mean below {{ low_rating }} with at least {{ min_ratings }} ratings
(activities.low_rating, activities.min_ratings). A scenario's drop_low_rated / shrink_low_rated edits act on these
institutions when next year's offer is compared.</p>
{% else %}<p class="note">No course ratings in the data set.</p>{% endif %}

<h2>Classes rate their trainees (0–100)</h2>
{% if trainees %}<table class="t"><tr><th>level</th><th class="n">cadres rated</th><th class="n">mean</th><th class="n">lowest</th><th class="n">highest</th></tr>
{% for r in trainees %}<tr>{% for v in r %}<td{% if not loop.first %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
{% else %}<p class="note">No trainee ratings in the data set.</p>{% endif %}
</section></body></html>
"""


def _table(df: pd.DataFrame) -> dict:
    return {"columns": list(df.columns), "rows": df.astype(object).where(df.notna(), "").values.tolist()}


def _fmt(x, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and x != x) or x == "" else f"{float(x):.{digits}f}"


def view(res) -> dict:
    """Everything the template prints."""
    s, ev, pairs, un = res.summary, res.events, res.pairs, res.unscheduled
    units = res.data.units
    names = dict(zip(units["unit_id"], units["name"]))
    headline = [
        ("young and reserve cadres paired with a leader", f"{s['paired']} of {s['mentees']}"),
        ("leaders mentoring", s["mentors"]),
        ("heart-to-heart talks scheduled", f"{s['talks']} of {s['talks_wanted']}"),
        ("collective learning seminars", f"{s['seminars']} of {s['seminars_wanted']}"),
        ("end-of-month learning exchanges", s["exchanges"]),
        ("people excused from a collective activity (blocked that day)", s["excused"]),
        (f"cadres at the {s['online_target']}-hour online target", f"{s['online_met']} of {s['online_cadres']}"),
        ("institutions rated / low-rated", f"{s['institutions_rated']} / {', '.join(s['low_rated_institutions']) or 'none'}"),
    ]
    rows = []
    for u in units["unit_id"]:
        p = pairs[pairs["mentee_unit"] == u]
        e = ev[ev["unit_id"] == u].drop_duplicates("event_id")
        rows.append({"unit": f"{names.get(u, u)} ({u})", "mentees": len(p), "paired": int((p["mentor_id"] != "").sum()),
                     "talks": int((e["kind"] == "talk").sum()), "seminars": int((e["kind"] == "seminar").sum()),
                     "exchanges": int((e["kind"] == "exchange").sum()),
                     "unscheduled": int((un["unit_id"] == u).sum())})
    unpaired = [[m, u, lv, r] for m, u, lv, r, l in
                zip(pairs["mentee_id"], pairs["mentee_unit"], pairs["mentee_level"], pairs["reason"], pairs["mentor_id"])
                if not l]
    first = ev.drop_duplicates("event_id")
    month = first["date"].str[5:7].astype(int) if len(first) else pd.Series(dtype=int)
    by_month = [(k, [int(((first["kind"] == k) & (month == m)).sum()) for m in range(1, 13)])
                for k in ("talk", "seminar", "exchange")]
    unsched = []
    for (kind, period), g in un.groupby(["kind", "period"], sort=True):
        unsched.append((kind, period, len(g), g["reason"].iloc[0]))
    o = res.online.copy()
    o["band"] = pd.cut(o["share"].astype(float), [b[0] for b in ONLINE_BANDS] + [float("inf")],
                       labels=[b[2] for b in ONLINE_BANDS], right=False)
    online = (o.groupby("band", observed=False).agg(cadres=("cadre_id", "size"), mean_hours=("hours", "mean"))
              .reset_index().rename(columns={"band": "share of the target done"}))
    online["mean_hours"] = online["mean_hours"].map(lambda x: _fmt(x, 1))
    cards = [{"institution": r["institution"], "classes": r["classes"], "ratings": r["ratings"],
              "response": "–" if r["response_rate"] is None or r["response_rate"] != r["response_rate"]
              else f"{float(r['response_rate']):.0%}",
              "mean": _fmt(r["mean"]), "spread": _fmt(r["spread"]),
              "trend": "–" if r["trend"] is None or r["trend"] != r["trend"] else f"{float(r['trend']):+.2f}",
              "low": "yes" if r["low_rated"] else "", "comments": r["sample_comments"]}
             for r in res.scorecards.to_dict("records")]
    trainees = []
    if len(res.trainees):
        t = res.trainees.merge(res.data.cadres[["cadre_id", "level"]], on="cadre_id", how="left")
        for lv, g in t.groupby("level", sort=False):
            trainees.append([lv, len(g), _fmt(g["mean_score"].mean(), 1), _fmt(g["min_score"].min(), 0),
                             _fmt(g["max_score"].max(), 0)])
    texts = [str(x) for x in res.data.cadres["name"]] + [str(x) for x in units["name"]]
    cjk = fonts.find_cjk_font() if any(fonts.has_cjk(x) for x in texts) else None
    return {"title": f"Activities and training evaluation {s['year']}", "css": stylesheet(),
            "font_family": fonts.css_families(cjk), "s": s, "headline": headline,
            "units": _table(pd.DataFrame(rows)), "unpaired": unpaired, "months": MONTHS, "by_month": by_month,
            "unscheduled": unsched, "online": _table(online), "cards": cards, "trainees": trainees,
            "low_rating": res.policy["activities.low_rating"], "min_ratings": res.policy["activities.min_ratings"]}


def render_html(res) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = css_string
    return env.from_string(TEMPLATE).render(**view(res))


def write_report(res, out: str | Path) -> Path:
    """The activities report as a PDF at `out` (atomically)."""
    from planning.report.pdf import write_pdf

    return write_pdf(render_html(res), out)
