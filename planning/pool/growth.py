"""Growth files (seeds 000, 001, 003): one PDF page per cadre — training and rotations by year from
`history` and the plan, topics covered, the seven-dimension assessment as a radar chart against
the level's mean with the composite by year, pool status, priority groups, online hours against the
target (planning.activities.online_hours) and what is still required this year and over five years.

    files = growth_files(ds, 2027, policy, cadres=["CD00001"], plan=plan_df)   # pure, in memory
    write_growth(files, folder, lang)                                            # growth.pdf + growth.csv

Every rule is imported: the requirement and the five-year cycle from planning.facts, the composite
from planning.pool.assess, online hours from planning.activities. Deterministic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planning.data.dataset import Dataset
from planning.data.schema import DIMENSIONS
from planning.errors import PlanningError
from planning.facts import DIVISION, cadre_facts, class_history
from planning.model.core import requirement_met
from planning.policy import Policy, default_policy
from planning.pool.assess import assess, weights
from planning.pool.growth_words import Words

GROUPS = ("overdue", "reserve", "young", "newly_promoted", "key_post")
GROWTH_COLUMNS = ["cadre_id", "name", "unit_id", "unit_name", "level", "age", "gender", "field", "in_pool", "pool_joined",
                  "groups", "composite", "normalised", "trend", "flags", "classes_5y", "class_days_5y",
                  "class_hours_5y", "rotations_5y", "online_hours", "online_target", "online_met", "trainee_ratings", "trainee_mean_score", "measure",
                  "required_days", "required_hours", "planned_days", "planned_hours", "met_this_year",
                  "five_year_hours", "last_class_year", "cycle_due"]
PLAN_NEEDS = ("cadre_id", "activity_id", "kind", "days", "hours")


class UnknownCadre(PlanningError):
    """A --cadre that is not in the data set (exit 2)."""

    exit_code = 2


@dataclass
class GrowthFile:
    """One cadre's page: `row` (GROWTH_COLUMNS), the year table, topics, the assessment and the words."""

    row: dict
    years: pd.DataFrame  # year, classes, class_days, class_hours, rotations, online_hours, source
    topics: list[str]
    dims: dict[str, float]  # latest assessed year's score per dimension present
    level_mean: dict[str, float]  # the level's mean per dimension in that year
    assessed_year: int | None
    composites: list[tuple[int, float]]  # (year, composite) over every assessed year
    lines: dict[str, list[str]] = field(default_factory=dict)  # words: header, assessment, online, required
    trainee: pd.Series | None = None  # the classes' ratings of this cadre (activities.trainee_rating_summary)


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _num(v) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(x) else x


def plan_frame(plan) -> pd.DataFrame | None:
    """A plan as a frame (plan.csv columns): a DataFrame, a plan folder, a plan.csv, a PlanResult or None."""
    if plan is None:
        return None
    if isinstance(plan, pd.DataFrame):
        df = plan
    elif hasattr(plan, "plan") and isinstance(getattr(plan, "plan"), pd.DataFrame):
        df = plan.plan
    else:
        p = Path(plan)
        from planning.report.kpis import read_plan_dir

        df = read_plan_dir(p.parent if p.suffix == ".csv" else p).plan
    missing = [c for c in PLAN_NEEDS if c not in df.columns]
    if missing:
        raise PlanningError(f"the plan lacks the column(s) {', '.join(missing)}")
    out = df[list(PLAN_NEEDS)].copy()
    out["kind"] = out["kind"].astype(str).str.lower()
    return out


def chosen_cadres(data: Dataset, cadres=None) -> list[str]:
    """The cadres asked for (in the order given, duplicates dropped), or the whole pool (is_reserve)."""
    known = set(data.cadres["cadre_id"])
    if cadres:
        wanted = list(dict.fromkeys(str(c) for c in cadres))
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise UnknownCadre(f"cadres: no cadre {', '.join(unknown)} in the data set (column cadre_id)")
        return wanted
    pool = data.cadres[data.cadres["is_reserve"].fillna(False).astype(bool)]
    return sorted(pool["cadre_id"])


def _year_table(cid: str, hist: pd.DataFrame, plan: pd.DataFrame | None, online: dict[int, float],
                year: int, w: Words) -> pd.DataFrame:
    rows: dict[int, dict] = {}

    def at(y: int) -> dict:
        return rows.setdefault(y, {"year": y, "classes": 0, "class_days": 0.0, "class_hours": 0.0, "rotations": 0,
                                   "online_hours": 0.0, "_src": set()})

    for k, y, d, h in zip(hist["kind"], hist["year"], hist["days"], hist["hours"]):
        kind = str(k or "").strip().casefold()
        r = at(int(y))
        if kind == "class":
            r["classes"] += 1
            r["class_days"] += _num(d)
            r["class_hours"] += _num(h)
            r["_src"].add("history")
        elif kind == "rotation":
            r["rotations"] += 1
            r["_src"].add("history")
        elif kind == "online":
            r["online_hours"] += _num(h)
    if plan is not None:
        mine = plan[plan["cadre_id"] == cid]
        for k, d, h in zip(mine["kind"], mine["days"], mine["hours"]):
            r = at(year)
            if k == "class":
                r["classes"] += 1
                r["class_days"] += _num(d)
                r["class_hours"] += _num(h)
            else:
                r["rotations"] += 1
            r["_src"].add("plan")
    for y, h in online.items():
        at(y)["online_hours"] = h  # the online table holds the year's hours (as online_hours reads them)
    out = []
    for y in sorted(rows):
        r = rows[y]
        src = r.pop("_src")
        r["source"] = w("src_both") if src == {"history", "plan"} else w("src_plan") if src == {"plan"} else (
            w("src_history") if src else "")
        out.append(r)
    return pd.DataFrame(out, columns=["year", "classes", "class_days", "class_hours", "rotations", "online_hours",
                                      "source"])


def growth_files(data: Dataset, year: int, policy: Policy | None = None, *, cadres=None, plan=None,
                 lang: str = "en") -> list[GrowthFile]:
    """One GrowthFile per cadre asked for (default: every member of the reserve pool). `plan`: the
    plan of `year` (a frame with plan.csv columns, a plan folder or a PlanResult), or None. Pure."""
    from planning.activities.evaluation import online_hours, trainee_rating_summary

    policy = policy or default_policy()
    w = Words(lang)
    ids = chosen_cadres(data, cadres)
    plan_df = plan_frame(plan)
    cad = data.cadres.set_index("cadre_id", drop=False)
    unit_names = {u: _text(n) for u, n in zip(data.units["unit_id"], data.units["name"])}
    facts = cadre_facts(data.cadres, data.history, year, policy)
    scores = assess(data, year, policy).set_index("cadre_id", drop=False)
    hist_all = data.history
    classes = data.classes.set_index("class_id") if len(data.classes) else None
    n_years = int(policy["requirement.division_years"])
    cycle = int(policy["requirement.general_cycle_years"])
    first = year - (n_years - 1)
    on_now = online_hours(data, year, policy).set_index("cadre_id")
    rated = trainee_rating_summary(data).set_index("cadre_id")  # classes' ratings of their trainees
    on_prev = online_hours(data, year - 1, policy).set_index("cadre_id")
    target = float(policy["requirement.online_hours"])
    online_tab: dict[str, dict[int, float]] = {}
    for c, y, h in zip(data.online["cadre_id"], data.online["year"], data.online["hours"]):
        online_tab.setdefault(c, {}).setdefault(int(y), 0.0)
        online_tab[c][int(y)] += _num(h)
    a = data.tables.get("assessments")
    a = a[a["year"] <= year] if a is not None and len(a) else None
    a_by = {} if a is None else {k: g for k, g in a.groupby("cadre_id", sort=False)}
    level_of = dict(zip(data.cadres["cadre_id"], data.cadres["level"]))
    means: dict[tuple[int, str], dict[str, float]] = {}
    if a is not None:
        lv = a["cadre_id"].map(level_of)
        for (y, l_, d), v in a["score"].astype(float).groupby([a["year"], lv, a["dimension"]]).mean().items():
            means.setdefault((int(y), l_), {})[d] = float(v)
    hist_by = {k: g for k, g in hist_all.groupby("cadre_id", sort=False)}
    empty_hist = hist_all.iloc[0:0]
    from planning.pool.assess import composites as composite_table

    comp_all = composite_table(data, policy)
    comp_all = comp_all[comp_all["year"] <= year]
    comp_by = {k: g for k, g in comp_all.groupby("cadre_id", sort=False)}
    low = float(policy["pool.low_score"])
    _ = weights(policy)  # the same weights as the composite (validated here: a missing weight fails early)
    out: list[GrowthFile] = []
    for cid in ids:
        c = cad.loc[cid]
        f = facts.loc[cid]
        hist = hist_by.get(cid, empty_hist)
        years = _year_table(cid, hist, plan_df, online_tab.get(cid, {}), year, w)
        # topics: history classes, then planned classes
        topics = [str(t) for t in class_history(hist)["topic"] if _text(t)]
        mine = plan_df[(plan_df["cadre_id"] == cid) & (plan_df["kind"] == "class")] if plan_df is not None else None
        if mine is not None and classes is not None:
            topics += [str(classes.at[a_id, "topic"]) for a_id in mine["activity_id"] if a_id in classes.index]
        topics = list(dict.fromkeys(topics))
        # assessment
        dims, level_mean, ay = {}, {}, None
        ca = a_by.get(cid)
        if ca is not None and len(ca):
            ay = int(ca["year"].max())
            latest = ca[ca["year"] == ay]
            dims = {d: float(s) for d, s in zip(latest["dimension"], latest["score"])}
            level_mean = dict(means.get((ay, c["level"]), {}))
        comps = comp_by.get(cid, comp_all.iloc[0:0]).sort_values("year")
        composites = [(int(y), float(v)) for y, v in zip(comps["year"], comps["composite"])]
        sc = scores.loc[cid] if cid in scores.index else None
        # this year
        p_days = float(years.loc[years["year"] == year, "class_days"].sum()) if plan_df is not None else 0.0
        p_hours = float(years.loc[years["year"] == year, "class_hours"].sum()) if plan_df is not None else 0.0
        hist_now = class_history(hist)
        hist_now = hist_now[hist_now["year"] == year]
        if plan_df is not None:  # history of the plan year itself is not double counted with the plan
            p_days -= float(pd.to_numeric(hist_now["days"], errors="coerce").fillna(0).sum())
            p_hours -= float(pd.to_numeric(hist_now["hours"], errors="coerce").fillna(0).sum())
        met = bool(requirement_met(f["measure"] == "hours", p_days, p_hours, float(f["required_days"]),
                                   float(f["required_hours"])))
        window = years[(years["year"] >= first) & (years["year"] <= year)]
        five_hours = float(window["class_hours"].sum())
        last = f["last_class_year"]
        last = None if last is None or (isinstance(last, float) and math.isnan(last)) else int(last)
        planned_class = plan_df is not None and bool(((plan_df["cadre_id"] == cid) & (plan_df["kind"] == "class")).any())
        due = None if last is None else last + cycle
        groups = [g for g in GROUPS if bool(f[g])]
        on = on_now.loc[cid] if cid in on_now.index else None
        row = {
            "cadre_id": cid, "name": _text(c.get("name")), "unit_id": c["unit_id"], "level": c["level"],
            "age": int(f["age"]), "gender": _text(c.get("gender")), "field": _text(c.get("field")),
            "in_pool": bool(f["reserve"]), "pool_joined": _text(c.get("pool_joined")).split(".")[0],
            "groups": ";".join(groups),
            "composite": float(sc["composite"]) if sc is not None else None,
            "normalised": float(sc["normalised"]) if sc is not None else None,
            "trend": float(sc["trend"]) if sc is not None else None,
            "flags": _text(sc["flags"]) if sc is not None else "",
            "classes_5y": int(window["classes"].sum()), "class_days_5y": float(window["class_days"].sum()),
            "class_hours_5y": five_hours, "rotations_5y": int(window["rotations"].sum()),
            "online_hours": float(on["hours"]) if on is not None else 0.0, "online_target": target,
            "online_met": bool(on["met"]) if on is not None else False,
            "trainee_ratings": int(rated.at[cid, "ratings"]) if cid in rated.index else 0,
            "trainee_mean_score": float(rated.at[cid, "mean_score"]) if cid in rated.index else None,
            "measure": f["measure"],
            "required_days": float(f["required_days"]), "required_hours": float(f["required_hours"]),
            "planned_days": p_days if plan_df is not None else None,
            "planned_hours": p_hours if plan_df is not None else None,
            "met_this_year": bool(met) if plan_df is not None else None,
            "five_year_hours": five_hours, "last_class_year": last, "cycle_due": due,
        }
        row["unit_name"] = unit_names.get(c["unit_id"], "")
        gf = GrowthFile(row, years, topics, dims, level_mean, ay, composites)
        gf.trainee = rated.loc[cid] if cid in rated.index else None
        gf.lines = _lines(gf, f, year, first, n_years, low, planned_class, plan_df is not None,
                          on_prev.loc[cid] if cid in on_prev.index else None, on, w, policy)
        out.append(gf)
    return out


def _lines(gf: GrowthFile, f, year: int, first: int, n_years: int, low: float, planned_class: bool,
           have_plan: bool, on_prev, on_now, w: Words, policy: Policy) -> dict[str, list[str]]:
    r = gf.row
    pool = (w("pool_member", joined=r["pool_joined"]) if r["pool_joined"] else w("pool_member_unknown")) \
        if r["in_pool"] else w("pool_not")
    groups = "、".join(w.code("group", g) for g in r["groups"].split(";") if g) if w.lang == "zh" else \
        ", ".join(w.code("group", g) for g in r["groups"].split(";") if g)
    gender = w.code("gender", r["gender"]) if r["gender"] in ("F", "M") else "–"
    unit = f"{r['unit_name']} ({r['unit_id']})" if r.get("unit_name") else r["unit_id"]
    header = [(w("f_unit"), unit), (w("f_level"), w.code("level", r["level"])),
              (w("f_age", year=year), str(r["age"])), (w("f_gender"), gender), (w("f_field"), w.field(r["field"]) if r["field"] else "–"),
              (w("f_pool"), pool), (w("f_groups"), groups or w("groups_none"))]
    if r["composite"] is not None:
        assess_txt = [w("assess_line", composite=r["composite"], year=gf.assessed_year, pct=r["normalised"],
                        trend=r["trend"], years=min(len(gf.composites), int(policy["pool.trend_years"])))]
        if "low" in r["flags"]:
            assess_txt.append(w("flag_low", low=low, n=int(policy["pool.low_years"])))
        missing = [d for d in DIMENSIONS if d not in gf.dims]
        if missing and gf.dims:
            assess_txt.append(w("flag_missing", dims=("、" if w.lang == "zh" else ", ").join(w.dim(d) for d in missing)))
    else:
        assess_txt = [w("assess_none")]
    header.append((w("f_assessment"), "; ".join(assess_txt) if w.lang == "en" else "；".join(assess_txt)))
    t = gf.trainee
    if t is None:
        header.append((w("f_trainee"), w("trainee_none")))
    else:
        latest = w("trainee_latest", year=int(t["latest_year"]), score=float(t["latest_score"])) \
            if t["latest_year"] is not None and not pd.isna(t["latest_year"]) else ""
        header.append((w("f_trainee"), w("trainee_line", n=int(t["ratings"]), mean=float(t["mean_score"]),
                                         low=float(t["min_score"]), high=float(t["max_score"]), latest=latest)))
    online = []
    for y, on in ((year - 1, on_prev), (year, on_now)):
        if on is None or (y < year and on["source"] == "none"):
            continue
        hours, target = float(on["hours"]), float(on["target"])
        met = w("online_met") if on["met"] else w("online_short", short=round(max(0.0, target - hours), 1))
        online.append(w("online_line", year=y, hours=round(hours, 1), target=target,
                        share=hours / target if target else 1.0, met=met))
    req = []
    if f["measure"] == "hours":
        if float(f["required_hours"]) <= 0:
            req.append(w("req_year_none", year=year))
        else:
            verdict = _verdict(have_plan, r["met_this_year"], w,
                               w("hours_unit", v=round(max(0.0, float(f["required_hours"]) - (r["planned_hours"] or 0)), 1)))
            req.append(w("req_year_hours", year=year, hours=float(f["required_hours"]),
                         total=float(policy["requirement.division_hours"]), phours=round(r["planned_hours"] or 0, 1),
                         verdict=verdict))
        total = float(policy["requirement.division_hours"])
        req.append(w("five_hours", first=first, year=year, got=round(r["five_year_hours"], 1), total=total,
                     share=min(1.0, r["five_year_hours"] / total) if total else 1.0))
    else:
        short_d = max(0.0, float(f["required_days"]) - (r["planned_days"] or 0))
        verdict = _verdict(have_plan, r["met_this_year"], w, w("days_unit", v=round(short_d, 1)))
        req.append(w("req_year_days", year=year, days=float(f["required_days"]), hours=float(f["required_hours"]),
                     pdays=round(r["planned_days"] or 0, 1), phours=round(r["planned_hours"] or 0, 1), verdict=verdict))
        yrs = gf.years[(gf.years["year"] >= first) & (gf.years["year"] <= year)]
        n_met = int(requirement_met(False, yrs["class_days"].to_numpy(), yrs["class_hours"].to_numpy(),
                                    float(f["required_days"]), float(f["required_hours"])).sum())
        req.append(w("five_days", first=first, year=year, met=n_met, n=n_years))
    last = r["last_class_year"]
    if planned_class:
        req.append(w("cycle_planned", year=year))
    elif last is None:
        req.append(w("cycle_never", year=year))
    elif r["cycle_due"] <= year:
        req.append(w("cycle_due", last=last, year=year))
    else:
        req.append(w("cycle_ok", last=last, due=r["cycle_due"]))
    return {"header": [f"{k}\t{v}" for k, v in header], "online": online, "required": req}


def _verdict(have_plan: bool, met, w: Words, short: str) -> str:
    if not have_plan:
        return w("verdict_no_plan")
    return w("verdict_met") if met else w("verdict_short", short=short)


def growth_table(files: list[GrowthFile]) -> pd.DataFrame:
    """growth.csv: one row per cadre (GROWTH_COLUMNS)."""
    df = pd.DataFrame([g.row for g in files], columns=GROWTH_COLUMNS)
    for c in ("last_class_year", "cycle_due"):
        df[c] = df[c].astype("Int64")
    return df


# --------------------------------------------------------------------------- chart
def assessment_chart(gf: GrowthFile, w: Words, families) -> str | None:
    """Radar chart of the seven dimensions (this cadre vs the level's mean) beside the composite by year."""
    if not gf.dims and not gf.composites:
        return None
    from planning.report.charts import COLORS, GRID, INK, PORTRAIT_WIDTH, _figure, _style, _svg

    with _style(families):
        fig = _figure(PORTRAIT_WIDTH, 2.7)
        ax = fig.add_subplot(1, 2, 1, projection="polar")
        angles = np.linspace(0, 2 * np.pi, len(DIMENSIONS), endpoint=False)
        closed = np.concatenate([angles, angles[:1]])
        for values, color, label, fill in (
                ([gf.level_mean.get(d, np.nan) for d in DIMENSIONS], "#9aa5b1", w("legend_level"), False),
                ([gf.dims.get(d, np.nan) for d in DIMENSIONS], COLORS["class"], w("legend_cadre"), True)):
            v = np.array(values + values[:1], dtype=float)
            ax.plot(closed, np.nan_to_num(v, nan=0.0), color=color, linewidth=1.3, label=label)
            if fill:
                ax.fill(closed, np.nan_to_num(v, nan=0.0), color=color, alpha=0.18)
        ax.set_xticks(angles)
        ax.set_xticklabels([w.dim(d) for d in DIMENSIONS], fontsize=6.3)
        ax.set_ylim(0, 100)
        ax.set_yticks([20, 40, 60, 80])
        ax.set_yticklabels(["20", "40", "60", "80"], fontsize=5.5, color=INK)
        ax.grid(color=GRID, linewidth=0.5)
        ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.15), fontsize=6.3)
        bx = fig.add_subplot(1, 2, 2)
        if gf.composites:
            ys = [y for y, _ in gf.composites]
            bx.plot(ys, [v for _, v in gf.composites], color=COLORS["class"], marker="o", markersize=3.5, linewidth=1.4)
            bx.set_xticks(ys)
            bx.set_xticklabels([str(y) for y in ys], fontsize=6.5)
            lo = min(v for _, v in gf.composites)
            bx.set_ylim(max(0.0, min(lo - 5, 60.0)), 100)
        bx.set_ylabel(w("axis_composite"))
        bx.grid(color=GRID, linewidth=0.5)
        bx.set_axisbelow(True)
        for spine in ("top", "right"):
            bx.spines[spine].set_visible(False)
        fig.tight_layout(w_pad=3.0)
        return _svg(fig)


# --------------------------------------------------------------------------- PDF
TEMPLATE = """table.t { margin: 3pt 0 8pt 0; }
table.t th, table.t td { padding: 1.5pt 4pt; }
section.cadre { page-break-before: always; }
section.cadre h2 { margin-top: 0; }
ul.l { font-size: 8.5pt; margin: 2pt 0 6pt 0; }
ul.toc { columns: 2; list-style: none; padding-left: 0; }  /* the file's cadres, on its first page */
</style></head><body>
<section class="chapter"><h1>{{ title }}</h1><p class="note">{{ lead }}</p>
{% if not pages %}<p class="note">{{ w("none_selected") }}</p>{% endif %}
<ul class="l toc">{% for p in pages %}<li>{{ p.title }}</li>{% endfor %}</ul></section>
{% for p in pages %}<section class="cadre">
<h2>{{ p.title }}</h2>
<table class="t">{% for k, v in p.header %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
<h3>{{ w("sec_years") }}</h3>
{% if p.years %}<table class="t"><tr><th>{{ w("c_year") }}</th><th class="n">{{ w("c_classes") }}</th>
<th class="n">{{ w("c_days") }}</th><th class="n">{{ w("c_hours") }}</th><th class="n">{{ w("c_rotations") }}</th>
<th class="n">{{ w("c_online") }}</th><th>{{ w("c_source") }}</th></tr>
{% for r in p.years %}<tr><td>{{ r[0] }}</td>{% for v in r[1:6] %}<td class="n">{{ v }}</td>{% endfor %}<td>{{ r[6] }}</td></tr>{% endfor %}
</table>{% else %}<p class="note">{{ w("no_years") }}</p>{% endif %}
<p class="note"><b>{{ w("sec_topics") }}{{ "：" if w.lang == "zh" else ":" }}</b>{{ "" if w.lang == "zh" else " " }}{{ p.topics }}</p>
{% if p.chart %}<h3>{{ p.assessment_title }}</h3><div class="chart">{{ p.chart|safe }}</div>{% endif %}
<h3>{{ w("sec_online", target=target) }}</h3>
<ul class="l">{% for x in p.online %}<li>{{ x }}</li>{% endfor %}</ul>
<h3>{{ w("sec_required") }}</h3>
<ul class="l">{% for x in p.required %}<li>{{ x }}</li>{% endfor %}</ul>
</section>{% endfor %}
</body></html>
"""


def _g(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def render_html(files: list[GrowthFile], year: int, data_name: str, target: float, lang: str = "en") -> str:
    from planning.report import fonts
    from planning.report.html import room_template, stylesheet

    w = Words(lang)
    names = [g.row["name"] for g in files] + [g.row["unit_id"] for g in files]
    cjk = fonts.find_cjk_font() if (lang == "zh" or any(fonts.has_cjk(n) for n in names)) else None
    families = fonts.matplotlib_families(cjk)
    pages = []
    for g in files:
        pages.append({
            "title": w("page_title", name=g.row["name"] or g.row["cadre_id"], cadre=g.row["cadre_id"]),
            "header": [tuple(x.split("\t", 1)) for x in g.lines["header"]],
            "years": [[int(r[0]), int(r[1]), _g(round(float(r[2]), 1)), _g(round(float(r[3]), 1)), int(r[4]),
                       _g(round(float(r[5]), 1)), r[6]] for r in g.years.itertuples(index=False)],
            "topics": ("、" if w.lang == "zh" else "; ").join(g.topics) or w("no_topics"),
            "chart": assessment_chart(g, w, families),
            "assessment_title": w("sec_assessment", year=g.assessed_year or year),
            "online": g.lines["online"], "required": g.lines["required"],
        })
    return room_template(TEMPLATE).render(
        w=w, html_lang="zh-CN" if w.lang == "zh" else "en", title=w("title", year=year),
        lead=w("lead", data=data_name, year=year), css=stylesheet(), font_family=fonts.css_families(cjk),
        pages=pages, target=target)


def write_growth(files: list[GrowthFile], folder: str | Path, year: int, *, data_name: str = "", target: float = 70.0,
                 lang: str = "en") -> tuple[Path, Path]:
    """growth.pdf (one page per cadre) and growth.csv in `folder` (an already safe, temporary output folder)."""
    from planning.io import write_csv
    from planning.report.pdf import write_pdf

    folder = Path(folder)
    csv = folder / "growth.csv"
    write_csv(growth_table(files), csv)
    pdf = write_pdf(render_html(files, year, data_name, target, lang), folder / "growth.pdf")
    return pdf, csv
