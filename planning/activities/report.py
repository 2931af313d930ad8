"""The activities report (PDF): pairing, the calendar by unit and month, what could not be placed
and why, online hours against the target, institution scorecards and trainee ratings.

Built from an ``ActivitiesResult`` as HTML (jinja2, autoescape: names print as typed, never as
markup) and turned into PDF by the core's ``planning.report.pdf.write_pdf`` with the core's
stylesheet and fonts (a Chinese font when the names need one).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from planning.activities.words import Words
from planning.data.schema import LEVELS
from planning.report import fonts
from planning.report.labels import Labels
from planning.report.html import room_template, stylesheet

ONLINE_BANDS = ((0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0), (1.0, float("inf")))  # share of the target

TEMPLATE = """table.t { font-size: 8.5pt; }
</style></head><body>
<section class="chapter">
<h1>{{ title }}</h1>
{% if notice %}<p class="note"><b>{{ notice }}</b></p>{% endif %}
<p class="note">{{ lead }}</p>
<table class="t">{% for k, v in headline %}<tr><th>{{ k }}</th><td class="n">{{ v }}</td></tr>{% endfor %}</table>

<h2>{{ w("sec_pairing") }}</h2>
<table class="t"><tr>{% for h in units.columns %}<th{% if not loop.first %} class="n"{% endif %}>{{ h }}</th>{% endfor %}</tr>
{% for r in units.rows %}<tr>{% for v in r %}<td{% if not loop.first %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
{% if unpaired %}<h3>{{ w("sec_unpaired") }}</h3><table class="t"><tr><th>{{ w("c_cadre") }}</th><th>{{ w("c_unit") }}</th>
<th>{{ w("c_level") }}</th><th>{{ w("c_reason") }}</th></tr>
{% for r in unpaired %}<tr>{% for v in r %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}

<h2>{{ w("sec_months") }}</h2>
<table class="t"><tr><th>{{ w("c_kind") }}</th>{% for m in months %}<th class="n">{{ m }}</th>{% endfor %}</tr>
{% for kind, counts in by_month %}<tr><td>{{ kind }}</td>{% for v in counts %}<td class="n">{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>

<h2>{{ w("sec_unscheduled") }}</h2>
{% if unscheduled %}<table class="t"><tr><th>{{ w("c_kind") }}</th><th>{{ w("c_period") }}</th>
<th class="n">{{ w("c_count") }}</th><th>{{ w("c_example") }}</th></tr>
{% for r in unscheduled %}<tr><td>{{ r[0] }}</td><td>{{ r[1] }}</td><td class="n">{{ r[2] }}</td><td>{{ r[3] }}</td></tr>{% endfor %}</table>
{% else %}<p class="note">{{ w("all_placed") }}</p>{% endif %}

<h2>{{ w("sec_online", target=s.online_target) }}</h2>
<table class="t"><tr>{% for h in online.columns %}<th{% if not loop.first %} class="n"{% endif %}>{{ h }}</th>{% endfor %}</tr>
{% for r in online.rows %}<tr>{% for v in r %}<td{% if not loop.first %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>

<h2>{{ w("sec_cards") }}</h2>
{% if cards %}<table class="t"><tr><th>{{ w("c_institution") }}</th><th class="n">{{ w("c_classes") }}</th>
<th class="n">{{ w("c_ratings") }}</th><th class="n">{{ w("c_response") }}</th><th class="n">{{ w("c_mean") }}</th>
<th class="n">{{ w("c_spread") }}</th><th class="n">{{ w("c_trend") }}</th><th>{{ w("c_low") }}</th></tr>
{% for c in cards %}<tr><td>{{ c.institution }}</td><td class="n">{{ c.classes }}</td><td class="n">{{ c.ratings }}</td>
<td class="n">{{ c.response }}</td><td class="n">{{ c.mean }}</td><td class="n">{{ c.spread }}</td><td class="n">{{ c.trend }}</td>
<td>{{ c.low }}</td></tr>{% if c.comments %}<tr><td colspan="8"><i>{{ c.comments }}</i></td></tr>{% endif %}{% endfor %}</table>
<p class="note">{{ w("cards_note", low=low_rating, n=min_ratings) }}</p>
{% else %}<p class="note">{{ w("no_ratings") }}</p>{% endif %}

<h2>{{ w("sec_trainees") }}</h2>
{% if trainees %}<table class="t"><tr><th>{{ w("c_level") }}</th><th class="n">{{ w("c_rated") }}</th>
<th class="n">{{ w("c_mean") }}</th><th class="n">{{ w("c_lowest") }}</th><th class="n">{{ w("c_highest") }}</th></tr>
{% for r in trainees %}<tr>{% for v in r %}<td{% if not loop.first %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
{% else %}<p class="note">{{ w("no_trainee_ratings") }}</p>{% endif %}
</section></body></html>
"""


def _table(df: pd.DataFrame) -> dict:
    return {"columns": list(df.columns), "rows": df.astype(object).where(df.notna(), "").values.tolist()}


def _fmt(x, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and x != x) or x == "" else f"{float(x):.{digits}f}"


def view(res, lang: str | None = None) -> dict:
    """Everything the template prints, in `lang` (default: the run's language; Chinese needs a
    Chinese font, else the report is English with a notice saying so)."""
    lang = lang or res.lang
    texts = [str(x) for x in res.data.cadres["name"]] + [str(x) for x in res.data.units["name"]]
    cjk = fonts.find_cjk_font() if lang == "zh" or any(fonts.has_cjk(x) for x in texts) else None
    notice = ""
    if lang == "zh" and cjk is None:
        lang, notice = "en", Words("en")("cjk_missing")
    w = Words(lang)
    s, ev, pairs, un = res.summary, res.events, res.pairs, res.unscheduled
    units = res.data.units
    names = dict(zip(units["unit_id"], units["name"]))
    of = lambda a, b: w("of", a=a, b=b)  # noqa: E731
    headline = [
        (w("h_paired"), of(s["paired"], s["mentees"])),
        (w("h_mentors"), s["mentors"]),
        (w("h_talks"), of(s["talks"], s["talks_wanted"])),
        (w("h_seminars"), of(s["seminars"], s["seminars_wanted"])),
        (w("h_exchanges"), s["exchanges"]),
        (w("h_excused"), s["excused"]),
        (w("h_online", target=s["online_target"]), of(s["online_met"], s["online_cadres"])),
        (w("h_low"), f"{s['institutions_rated']} / {', '.join(s['low_rated_institutions']) or w('none')}"),
    ]
    rows = []
    for u in units["unit_id"]:
        p = pairs[pairs["mentee_unit"] == u]
        e = ev[ev["unit_id"] == u].drop_duplicates("event_id")
        rows.append({w("c_unit"): f"{names.get(u, u)} ({u})", w("c_mentees"): len(p),
                     w("c_paired"): int((p["mentor_id"] != "").sum()),
                     w("c_talks"): int((e["kind"] == "talk").sum()), w("c_seminars"): int((e["kind"] == "seminar").sum()),
                     w("c_exchanges"): int((e["kind"] == "exchange").sum()),
                     w("c_unscheduled"): int((un["unit_id"] == u).sum())})
    levels = Labels(lang)
    unpaired = [[m, u, levels.code("level", lv), r] for m, u, lv, r, l in
                zip(pairs["mentee_id"], pairs["mentee_unit"], pairs["mentee_level"], pairs["reason"], pairs["mentor_id"])
                if not l]
    first = ev.drop_duplicates("event_id")
    month = first["date"].str[5:7].astype(int) if len(first) else pd.Series(dtype=int)
    by_month = [(w(f"k_{k}"), [int(((first["kind"] == k) & (month == m)).sum()) for m in range(1, 13)])
                for k in ("talk", "seminar", "exchange")]
    unsched = [(w(f"k_{kind}"), period, len(g), g["reason"].iloc[0])
               for (kind, period), g in un.groupby(["kind", "period"], sort=True)]
    o = res.online.copy()
    o["band"] = pd.cut(o["share"].astype(float), [b[0] for b in ONLINE_BANDS] + [float("inf")],
                       labels=[w(f"band_{k}") for k in range(len(ONLINE_BANDS))], right=False)
    online = (o.groupby("band", observed=False).agg(cadres=("cadre_id", "size"), mean_hours=("hours", "mean"))
              .reset_index())
    online["mean_hours"] = online["mean_hours"].map(lambda x: _fmt(x, 1))
    online.columns = [w("c_band"), w("c_cadres"), w("c_mean_hours")]
    cards = [{"institution": r["institution"], "classes": r["classes"], "ratings": r["ratings"],
              "response": "–" if r["response_rate"] is None or r["response_rate"] != r["response_rate"]
              else f"{float(r['response_rate']):.0%}",
              "mean": _fmt(r["mean"]), "spread": _fmt(r["spread"]),
              "trend": "–" if r["trend"] is None or r["trend"] != r["trend"] else f"{float(r['trend']):+.2f}",
              "low": w("yes") if r["low_rated"] else "", "comments": r["sample_comments"]}
             for r in res.scorecards.to_dict("records")]
    trainees = []
    if len(res.trainees):
        t = res.trainees.merge(res.data.cadres[["cadre_id", "level"]], on="cadre_id", how="left")
        rank = {lv: k for k, lv in enumerate(LEVELS)}  # division first, as the annual report lists levels
        for lv, g in sorted(t.groupby("level", sort=False), key=lambda x: rank.get(x[0], len(rank))):
            trainees.append([levels.code("level", lv), len(g), _fmt(g["mean_score"].mean(), 1), _fmt(g["min_score"].min(), 0),
                             _fmt(g["max_score"].max(), 0)])
    return {"w": w, "html_lang": "zh-CN" if lang == "zh" else "en", "title": w("report_title", year=s["year"]),
            "lead": w("report_lead", data=s["data"], year=s["year"]), "notice": notice, "css": stylesheet(),
            "font_family": fonts.css_families(cjk), "s": s, "headline": headline,
            "units": _table(pd.DataFrame(rows)), "unpaired": unpaired,
            "months": [w.month_abbr(m) for m in range(1, 13)], "by_month": by_month,
            "unscheduled": unsched, "online": _table(online), "cards": cards, "trainees": trainees,
            "low_rating": res.policy["activities.low_rating"], "min_ratings": res.policy["activities.min_ratings"]}


def render_html(res) -> str:
    return room_template(TEMPLATE).render(**view(res))


def write_report(res, out: str | Path) -> Path:
    """The activities report as a PDF at `out` (atomically)."""
    from planning.report.pdf import write_pdf

    return write_pdf(render_html(res), out)
