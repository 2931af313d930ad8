"""The report as HTML: the gathered content turned into display rows, rendered with a
jinja2 template (autoescape on: every name and title prints as typed, never as markup).

``render_html(content)`` returns a complete, self-contained HTML document (CSS inline,
charts as SVG data URIs) that WeasyPrint turns into the PDF and a browser can show too.
"""
from __future__ import annotations

import base64
import datetime as dt
import math
from importlib import resources

import jinja2
import markupsafe
import pandas as pd

from planning import messages as M
from planning.policy import is_solver_setting
from planning.report import charts, fonts, kpis
from planning.report import formatting as F
from planning.inyear.words import label_in
from planning.report.content import ReportContent, policy_table

SECTIONS = ("summary", "policy", "calendar", "absence", "coverage", "rosters", "rotations", "shortfall", "units")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("planning.report", "templates"),
        autoescape=True,  # every template, whatever its name: user text is never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["svg_uri"] = lambda svg: "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return env


def css_string(text) -> markupsafe.Markup:
    """`text` as a quoted CSS string for the template's <style> block (quotes, backslashes,
    line breaks and "<" escaped, so a title cannot end the block or inject rules)."""
    return markupsafe.Markup(fonts.css_quote(text))


def stylesheet() -> str:
    return resources.files("planning.report").joinpath("report.css").read_text(encoding="utf-8")


# The head every room's own PDF (activities, simulation, growth files) shares: the report's
# stylesheet, the document's fonts, the title in the page header, plain tables, notes and charts.
# A room's template starts with `{{ room_head|safe }}` then adds its own rules and `</style>`.
ROOM_HEAD = """<!DOCTYPE html>
<html lang="{{ html_lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
{{ css|safe }}
html { font-family: {{ font_family|safe }}; }
@page { @top-left { content: {{ title|css_string }}; } }
table.t { border-collapse: collapse; width: 100%; font-size: 8pt; margin: 4pt 0 10pt 0; }
table.t th, table.t td { border-bottom: 0.5pt solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
table.t td.n, table.t th.n { text-align: right; }
p.note { font-size: 8.5pt; color: #444; }
div.chart svg { width: 100%; height: auto; }
"""


def room_template(body: str):
    """A room's PDF template: ROOM_HEAD, then `body` (its own style rules, `</style></head><body>` and
    the document), with the `css_string` filter the head uses."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = css_string
    return env.from_string(ROOM_HEAD + body)


def render_html(c: ReportContent) -> str:
    """The whole report as one HTML document."""
    return _environment().get_template("report.html").render(**view(c))


# --------------------------------------------------------------------------- view model
def view(c: ReportContent) -> dict:
    """Everything the template prints, as plain strings, lists and dicts."""
    L = c.labels
    h = c.headline
    families = fonts.matplotlib_families(c.cjk)
    return {
        "lang": "zh-CN" if c.lang == "zh" else "en",
        "L": L,
        "title": c.title,
        "css": stylesheet(),
        "font_family": fonts.css_families(c.cjk),
        "page_label": L["page_css"],
        "footnote": L["anonymized_note"] if c.anonymized else L["confidential"],
        "cover": _cover(c),
        "notices": [n for n in (c.font_notice,) if n],
        "summary": _summary(c),
        "policy": _policy(c),
        "calendar": _calendar(c, families),
        "absence": _absence(c, families),
        "coverage_svg": charts.coverage_chart(
            [(L.code("level", r.level), r.cadres, r.met, r.share) for r in c.by_level.itertuples()],
            [(L.code("group", r.group), r.cadres, r.met, r.share) for r in c.by_group.itertuples()],
            _float(h["requirement_met_share"]), L, families),
        "coverage_tables": _coverage_tables(c),
        "rosters": _rosters(c),
        "cancelled": _cancelled(c),
        "rotations": _rotations(c),
        "shortfall": _shortfall(c),
        "units": _units(c),
        "districts": _districts(c),
        "unit_lists": _unit_lists(c),
        "unit_requirement": unit_requirement(c),
        "changes": _changes(c),
        "appendix": _appendix(c),
        **{f"M_{k}": M.say(k, c.lang) for k in ("decide_lead", "appendix_solver", "appendix_solver_lead",
                                                 "policy_solver", "policy_names", "policy_rule")},
        "M_policy_names_lead": M.say("policy_names_lead", c.lang, file="policy.yaml"),
    }


def _changes(c: ReportContent) -> dict | None:
    """A re-plan's change notice: one page per unit affected, its cadres' changes with the reason."""
    if c.changes is None or not len(c.changes):
        return None
    L = c.labels
    units = dict(zip(c.ds.cadres["cadre_id"], c.ds.cadres["unit_id"]))
    col = f"reason_{c.lang}" if f"reason_{c.lang}" in c.changes.columns else "reason"  # by code, in the report's language

    def activity(text: str) -> str:
        """'C2027-003 (2027-05-03…05-14)' with the class's title, its dates in the report's language."""
        if not text:
            return L["change_none"]
        aid, _, dates = text.partition(" (")
        title = c.activity_titles.get(aid)
        named = f"{aid} {title}" + (f" ({dates}" if dates else "") if title and title != aid else text
        return label_in(named, c.lang)

    groups: dict[str, list[dict]] = {}
    for r in c.changes.to_dict("records"):
        groups.setdefault(units.get(r["cadre_id"], ""), []).append({
            "cadre_id": r["cadre_id"], "name": c.name(r["cadre_id"]), "before": activity(r["before"]),
            "after": activity(r["after"]), "reason": c.text(r[col])})
    as_of = c.files.summary.get("replan_as_of") or F.DASH
    if c.lang == "zh" and len(str(as_of)) == 10:  # the Chinese report's dates: 2027年4月1日
        as_of = F.long_date(dt.date.fromisoformat(str(as_of)), "zh")
    lead = L.fmt("changes_lead", as_of=as_of, n=len(c.changes), cadres=c.changes["cadre_id"].nunique(),
                 units=len(groups))
    return {"lead": lead, "units": [{"unit_id": u, "name": c.unit_name(u), "rows": rows}
                                    for u, rows in sorted(groups.items())]}


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _cover(c: ReportContent) -> dict:
    L, h = c.labels, c.headline
    rows = [
        # several districts as summary.json lists them ("A, B"), joined as the language writes lists
        (L["district"], (h.get("district") or F.DASH).replace(", ", "、" if c.lang == "zh" else ", ")),
        (L["plan_year"], str(c.year)),
        (L["scenario"], h.get("scenario") or L["scenario_default"]),
        (L["generated"], F.long_date(c.generated, c.lang)),
        (L["solver_status"], M.status_short(h, c.lang)),
    ]
    return {"rows": rows, "anonymized": c.anonymized}


def _status_note(c: ReportContent) -> tuple[str, bool]:
    """How good the plan is and why the planner stopped (planning.messages.status_line)."""
    status = str(c.headline.get("status") or "unknown")
    if status == "unknown":
        return "", False
    return M.status_line(c.headline, c.lang), status in ("infeasible", "error")


def _summary(c: ReportContent) -> dict:
    L, h = c.labels, c.headline
    money = lambda v: F.money(v, L["money_fmt"])  # noqa: E731
    budget = h.get("budget")
    cost_detail = (f"{L['kpi_budget']} {money(budget)} · {F.share(h['cost'] / budget)} {L['kpi_of_budget']}"
                   if budget not in (None, 0) and not F.is_missing(budget) else L["kpi_no_budget"])
    over_budget = budget not in (None, 0) and not F.is_missing(budget) and h["cost"] > budget + 1e-6
    tiles = [
        {"label": L["kpi_met_overall"], "value": F.share(h["requirement_met_share"]),
         "detail": f"{F.integer(h['met'])} / {F.integer(h['cadres'])} {L['cadres'].lower() if c.lang == 'en' else ''}".strip(),
         "warn": False},
        {"label": L["kpi_overdue"], "value": F.ratio(h["overdue_covered"], h["overdue_total"]),
         "detail": F.share(h["overdue_covered"] / h["overdue_total"]) if h["overdue_total"] else "", "warn": False},
        {"label": L["kpi_rotations"], "value": F.ratio(h["rotations_filled"], h["rotation_slots"]),
         "detail": F.share(h["rotations_filled"] / h["rotation_slots"]) if h["rotation_slots"] else "", "warn": False},
        {"label": L["kpi_classes_running"], "value": F.integer(h["classes_running"]),
         "detail": f"{L['kpi_classes_cancelled']}{'：' if c.lang == 'zh' else ': '}{F.integer(h['classes_cancelled'])}",
         "warn": False},
        {"label": L["kpi_seats"], "value": F.ratio(h["seats_used"], h["seats_offered"]),
         "detail": F.share(h["seats_used"] / h["seats_offered"]) if h["seats_offered"] else "", "warn": False},
        {"label": L["kpi_cost"], "value": money(h["cost"]), "detail": cost_detail, "warn": over_budget},
    ]
    table = [
        (L["kpi_cadres"], F.integer(h["cadres"]), ""),
        (L["kpi_met_overall"], F.share(h["requirement_met_share"]), F.ratio(h["met"], h["cadres"])),
        *([(L["kpi_weighted"], F.share(h["weighted_coverage"]), "")] if h.get("weighted_coverage") is not None else []),
        *[(f"{L['kpi_met']} · {L.code('level', r.level)}", F.share(r.share), F.ratio(r.met, r.cadres))
          for r in c.by_level.itertuples()],
        *[(f"{L['kpi_met']} · {L.code('group', r.group)}", F.share(r.share), F.ratio(r.met, r.cadres))
          for r in c.by_group.itertuples()],
        (L["kpi_overdue"], F.ratio(h["overdue_covered"], h["overdue_total"]), ""),
        (L["kpi_rotations"], F.ratio(h["rotations_filled"], h["rotation_slots"]), ""),
        (L["kpi_classes_running"], F.integer(h["classes_running"]), ""),
        (L["kpi_classes_cancelled"], F.integer(h["classes_cancelled"]), ""),
        (L["kpi_seats"], F.ratio(h["seats_used"], h["seats_offered"]), ""),
        (L["kpi_cost_vs_budget"], money(h["cost"]), cost_detail),
    ]
    if h.get("greedy_met_share") is not None:
        table.append((L["kpi_greedy"], F.share(h["greedy_met_share"]), ""))
    if c.online is not None:
        met, n = int(c.online["met"].sum()), len(c.online)
        table.append((L.fmt("kpi_online", target=F.number(float(c.policy["requirement.online_hours"]))),
                      F.ratio(met, n), L.fmt("kpi_online_detail", mean=F.number(float(c.online["hours"].mean()), 1))))
    lead = L.fmt("summary_lead", met=F.integer(h["met"]), cadres=F.integer(h["cadres"]),
                 share=F.share(h["requirement_met_share"]), overdue_covered=F.integer(h["overdue_covered"]),
                 overdue_total=F.integer(h["overdue_total"]), rot_filled=F.integer(h["rotations_filled"]),
                 rot_slots=F.integer(h["rotation_slots"]), running=F.integer(h["classes_running"]),
                 cancelled=F.integer(h["classes_cancelled"]))
    note, bad = _status_note(c)
    diagnosis = h.get("diagnosis") or []
    if isinstance(diagnosis, str):
        diagnosis = [diagnosis]
    worst, cancelled, decisions = _meeting(c)
    return {"tiles": tiles, "table": table, "lead": lead, "status_note": note, "status_bad": bad,
            "worst": worst, "cancelled": cancelled, "decisions": decisions,
            "warnings": [c.text(w) for w in h.get("warnings") or []],
            "diagnosis": [c.text(d) for d in diagnosis]}


def _weakest(c: ReportContent):
    """The level or priority group with the lowest share meeting the requirement (at least 3 cadres)."""
    L = c.labels
    lang = c.lang
    cands = [(float(r.share), M.say("who_level", lang, level=L.code("level", r.level) if lang == "zh" else
                                    L.code("level", r.level).lower()), int(r.met), int(r.cadres))
             for r in c.by_level.itertuples() if r.cadres >= 3 and r.share is not None and not F.is_missing(r.share)]
    cands += [(float(r.share), M.say(f"who_{r.group}", lang) if f"who_{r.group}" in M.MESSAGES
               else L.code("group", r.group), int(r.met), int(r.cadres))
              for r in c.by_group.itertuples() if r.cadres >= 3 and r.share is not None and not F.is_missing(r.share)]
    return min(cands, default=None)


def _meeting(c: ReportContent) -> tuple[str, str, list[str]]:
    """The worst result, the cancelled classes, and the three things a meeting must decide."""
    lang, h = c.lang, c.headline
    worst = _weakest(c)
    worst_text = ""
    if worst and worst[0] < 1.0:
        what = worst[1]  # "division-level cadres" / "处级干部"
        worst_text = M.say("worst_result", lang, what=what, share=F.share(worst[0], 0), met=worst[2], n=worst[3])
    gone = c.classes[c.classes["status"] == "cancelled"] if len(c.classes) else c.classes
    sep = "、" if lang == "zh" else "; "
    titles = sep.join(f"{r['title'] or r['class_id']} ({r['class_id']})" if lang == "en"
                      else f"{r['title'] or r['class_id']}（{r['class_id']}）" for r in gone.to_dict("records"))
    cancelled = M.say("cancelled_list", lang, n=len(gone), titles=titles) if len(gone) else M.say("cancelled_none", lang)
    decisions: list[str] = []
    if worst and worst[0] < 1.0:
        decisions.append(M.say("decide_worst", lang, what=worst[1], short=worst[3] - worst[2]))
    if len(gone):
        decisions.append(M.say("decide_cancelled", lang, n=len(gone)))
    kinds = _reason_counts(c.files.shortfall)
    if len(kinds):
        top = kinds.iloc[0]
        decisions.append(M.say("decide_reason", lang, reason=M.reason_name(top["code"], lang), n=int(top["cadres"]),
                               remedy=M.remedy(top["code"], lang)))
    vacant = int(h.get("rotation_slots") or 0) - int(h.get("rotations_filled") or 0)
    if len(decisions) < 3 and vacant > 0:
        decisions.append(M.say("decide_rotations", lang, n=vacant))
    if len(decisions) < 3 and h.get("overdue_total") and h["overdue_covered"] < h["overdue_total"]:
        decisions.append(M.say("decide_overdue", lang, n=h["overdue_total"] - h["overdue_covered"]))
    budget = h.get("budget")
    if len(decisions) < 3 and budget not in (None, 0) and not F.is_missing(budget):
        money = lambda v: F.money(v, c.labels["money_fmt"])  # noqa: E731
        decisions.append(M.say("decide_budget", lang, cost=money(h["cost"]), budget=money(budget)))
    return worst_text, cancelled, decisions[:3]


def _reason_counts(sf: pd.DataFrame) -> pd.DataFrame:
    """code, cadres — by reason code when shortfall.csv carries them, else by the wording."""
    if sf is None or not len(sf):
        return pd.DataFrame(columns=["code", "cadres"])
    if "reason_codes" in sf.columns:
        return kpis.shortfall_reason_codes(sf)
    kinds = kpis.shortfall_reasons(sf)
    return pd.DataFrame({"code": kinds["reason"], "cadres": kinds["cadres"]})


def _appendix(c: ReportContent) -> dict:
    """How the plan was computed: status, gap, solver, times, objective and bound, solver settings."""
    L, h = c.labels, c.headline
    rows = [
        (L["kpi_status"], M.status_short(h, c.lang), M.status_line(h, c.lang)),
        (L["kpi_gap"], F.gap(h.get("gap")), ""),
        (L["kpi_solver"], M.solver_name(h.get("solver") or "", c.lang) or F.DASH,
         f"{L['kpi_solve_time']} {F.seconds(h.get('solve_seconds'), L['seconds'])}"),
        (L["kpi_objective"], F.number(h.get("objective"), 2), f"{L['kpi_best_bound']} {F.number(h.get('best_bound'), 2)}"),
    ]
    table = policy_table(c.policy, L, rules_only=False)
    table = table[[is_solver_setting(k) for k in table["key"]]] if len(table) else table
    settings = [{"group": r.group_label, "key": r.key, "value": r.value_text, "default": r.default_text,
                 "changed": bool(r.changed), "meaning": r.meaning} for r in table.itertuples()]
    rules = policy_table(c.policy, L)  # the policy pages' rules by their names in the policy file
    names = [{"key": r.key, "value": r.value_text, "meaning": r.meaning_plain, "changed": bool(r.changed)}
             for r in rules.itertuples()]
    return {"rows": rows, "settings": settings, "names": names}


def _policy(c: ReportContent) -> dict:
    L = c.labels
    table = policy_table(c.policy, L)
    groups = []
    for g, sub in table.groupby("group", sort=False):
        # the body: the planner's meaning and the value with its unit; the setting names are in the appendix
        groups.append({"label": sub["group_label"].iloc[0],
                       "rows": [{"key": r.key, "value": r.value_unit, "default": r.default_unit,
                                 "changed": bool(r.changed), "meaning": r.meaning_plain} for r in sub.itertuples()]})
    caps = []
    default = float(c.policy["absence.max_absent_share"])
    for r in c.ds.units.to_dict("records"):
        s = r.get("max_absent_share")
        if s is not None and not (isinstance(s, float) and math.isnan(s)) and abs(float(s) - default) > 1e-12:
            caps.append({"unit": c.unit_name(r["unit_id"]), "unit_id": r["unit_id"], "share": F.share(s, 0),
                         "cap": F.integer(c.caps.get(r["unit_id"], 0))})
    return {"groups": groups, "unit_caps": caps}


def _calendar(c: ReportContent, families) -> dict:
    L = c.labels
    rows: list[charts.CalendarRow] = []
    # titles cut in the middle and kept apart: "R2027-07  National civilized city…Organization Department"
    class_titles = dict(zip(c.classes["class_id"], charts.distinct_labels(list(c.classes["title"]), 58)))
    post_titles = dict(zip(c.rotations["post_id"], charts.distinct_labels(list(c.rotations["title"]), 58)))
    for r in c.classes.to_dict("records"):
        label = f"{r['class_id']}  {class_titles[r['class_id']]}"
        window = (r["window_start"], r["window_end"]) if r["window_start"] and r["window_end"] else None
        if r["status"] == "cancelled":
            segs = [(r["start_date"], r["end_date"])] if r["start_date"] and r["end_date"] else []
            rows.append(charts.CalendarRow(label, "cancelled", segs, window,
                                           f"0/{r['capacity']} {L.code('status', 'cancelled')}"))
            continue
        if not (r["start_date"] and r["end_date"]):
            continue
        if r["mode"] == "weekend":
            rows.append(charts.CalendarRow(label, "weekend", charts.weekend_segments(r["start_date"], r["end_date"]),
                                           window, f"{r['enrolled']}/{r['capacity']}"))
        else:
            rows.append(charts.CalendarRow(label, "class", [(r["start_date"], r["end_date"])], window,
                                           f"{r['enrolled']}/{r['capacity']}"))
    for r in c.rotations.to_dict("records"):
        label = f"{r['post_id']}  {post_titles[r['post_id']]}"
        rows.append(charts.CalendarRow(label, "rotation", [(r["start_date"], r["end_date"])], None,
                                       f"{r['filled']}/{r['slots']}"))
    region = [(r["start_date"], r["end_date"]) for r in c.ds.blackouts.to_dict("records") if r["scope"] == "region"]
    svgs = charts.calendar_charts(rows, c.year, c.holidays, region, L, families)
    holidays = _holiday_runs(c.holidays, c.year)
    blackouts = [{"dates": F.date_range(r["start_date"], r["end_date"], c.lang),
                  "scope": L["region"] if r["scope"] == "region" else c.unit_name(r["scope"]),
                  "reason": r.get("reason") or ""}
                 for r in sorted(c.ds.blackouts.to_dict("records"), key=lambda r: (r["start_date"], r["scope"]))]
    return {"svgs": svgs, "holidays": holidays, "blackouts": blackouts}


def _holiday_runs(holidays: dict, year: int) -> list[dict]:
    """Consecutive holiday dates with the same name, as one line each ("2027-10-01 – 2027-10-07 National Day")."""
    days = sorted(d for d in holidays if d.year == year)
    runs: list[dict] = []
    for d in days:
        name = holidays[d]
        if runs and (d - runs[-1]["end"]).days == 1 and runs[-1]["name"] == name:
            runs[-1]["end"] = d
        else:
            runs.append({"start": d, "end": d, "name": name})
    return [{"dates": F.date_range(r["start"], r["end"]), "name": r["name"]} for r in runs]


def _absence(c: ReportContent, families) -> dict:
    L = c.labels
    weekly = kpis.weekly_peak(c.daily_absence)
    district = dict(zip(c.ds.units["unit_id"], c.ds.units["district"].fillna("").astype(str)))
    order = sorted(weekly.index, key=lambda u: (district.get(u, ""), c.unit_name(u), u))
    weekly = weekly.loc[order]
    unit_labels = {u: L.fmt("heat_unit", name=charts.clip(c.unit_name(u), 30), cap=int(c.caps.get(u, 0)))
                   for u in weekly.index}
    return {"svgs": charts.absence_heatmaps(weekly, c.caps, unit_labels, c.year, L, families, district)}


def _coverage_tables(c: ReportContent) -> dict:
    L = c.labels
    return {
        "level": [(L.code("level", r.level), F.integer(r.cadres), F.integer(r.met), F.share(r.share))
                  for r in c.by_level.itertuples()],
        "group": [(L.code("group", r.group), F.integer(r.cadres), F.integer(r.met), F.share(r.share))
                  for r in c.by_group.itertuples()],
    }


def _cadre_lookup(c: ReportContent) -> dict[str, dict]:
    L = c.labels
    out = {}
    for r in c.cadres.to_dict("records"):
        out[r["cadre_id"]] = {"unit": c.unit_name(r["unit_id"]), "unit_id": r["unit_id"],
                              "level": L.code("level", r["level"])}
    return out


def _rosters(c: ReportContent) -> list[dict]:
    L = c.labels
    who = _cadre_lookup(c)
    plan = c.files.plan
    by_class = {k: list(g["cadre_id"]) for k, g in plan[plan["kind"] == "class"].groupby("activity_id", sort=False)}
    unit_order = {u: i for i, u in enumerate(c.ds.units["unit_id"])}
    out = []
    for r in c.classes.to_dict("records"):
        if r["status"] == "cancelled":
            continue
        ids = sorted(by_class.get(r["class_id"], []),
                     key=lambda x: (unit_order.get(who.get(x, {}).get("unit_id"), 1 << 30), x))
        trainees = [{"no": i, "cadre_id": x, "name": c.name(x), **who.get(x, {"unit": "", "level": ""})}
                    for i, x in enumerate(ids, start=1)]
        out.append({
            "id": r["class_id"], "anchor": f"class-{_anchor(r['class_id'])}", "title": r["title"] or r["class_id"],
            "dates": F.date_range(r["start_date"], r["end_date"], c.lang),
            "institution": r["institution"] or F.DASH, "mode": L.code("mode", r["mode"]),
            "topic": r["topic"], "days": F.number(r["days"]), "hours": F.number(r["hours"]),
            "places": L.fmt("enrolled_of", enrolled=r["enrolled"], capacity=r["capacity"]),
            "trainees": trainees, "long": len(trainees) > 28,
        })
    return out


def _anchor(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(text))


def _cancelled(c: ReportContent) -> list[dict]:
    L = c.labels
    out = []
    for r in c.classes.to_dict("records"):
        if r["status"] != "cancelled":
            continue
        window = F.date_range(r["window_start"], r["window_end"], c.lang) if r["window_start"] else \
            F.date_range(r["start_date"], r["end_date"], c.lang)
        reason = L.fmt("roster_cancelled", min_size=r["min_size"]) if r["min_size"] else L["roster_cancelled_plain"]
        out.append({"id": r["class_id"], "title": r["title"], "dates": window, "institution": r["institution"] or F.DASH,
                    "capacity": F.integer(r["capacity"]), "min_size": F.integer(r["min_size"]), "reason": reason})
    return out


def _rotations(c: ReportContent) -> list[dict]:
    L = c.labels
    who = _cadre_lookup(c)
    groups = []
    if not len(c.rotations):
        return groups
    for direction, dsub in c.rotations.groupby("direction", sort=True):
        cats = []
        for category, csub in dsub.groupby("category", sort=True):
            posts = []
            for r in csub.to_dict("records"):
                people = [{"cadre_id": x, "name": c.name(x), **who.get(x, {"unit": "", "level": ""})}
                          for x in r["cadre_ids"]]
                posts.append({"id": r["post_id"], "title": r["title"],
                              "dates": F.date_range(r["start_date"], r["end_date"], c.lang),
                              "filled": F.ratio(r["filled"], r["slots"]), "people": people,
                              "vacant": max(0, r["slots"] - r["filled"])})
            cats.append({"label": L.code("category", category), "posts": posts})
        groups.append({"label": L.code("direction", direction), "categories": cats,
                       "filled": F.ratio(dsub["filled"].sum(), dsub["slots"].sum())})
    return groups


def _reasons_in(row: dict, lang: str) -> str:
    """The row's reasons in the report's language (shortfall.csv's reasons_zh when there)."""
    if lang == "zh" and str(row.get("reasons_zh") or "").strip():
        return str(row["reasons_zh"])
    return str(row.get("reasons") or "")


def _shortfall(c: ReportContent) -> dict:
    """The cadres short of their requirement, grouped by unit (units in data order, the
    highest priority weight first), with the planner's reasons; plus how often each kind
    of reason occurs."""
    L = c.labels
    who = _cadre_lookup(c)
    sf = c.files.shortfall
    if not len(sf):  # a planner that wrote no shortfall.csv: derive it from coverage (no reasons then)
        cov = c.coverage[~c.coverage["met"]]
        sf = pd.DataFrame({"cadre_id": cov["cadre_id"], "unit_id": cov["unit_id"], "measure": cov["measure"],
                           "required": cov["required"],
                           "planned": [r.planned_hours if r.measure == "hours" else r.planned_days
                                       for r in cov.itertuples()], "reasons": ""})
    unit_order = {u: i for i, u in enumerate(c.ds.units["unit_id"])}
    weight = dict(zip(c.coverage["cadre_id"], c.coverage["weight"]))
    rows = []
    for r in sf.to_dict("records"):
        cid = r["cadre_id"]
        info = who.get(cid, {"unit": c.unit_name(r["unit_id"]), "unit_id": r["unit_id"], "level": ""})
        unit = info.get("unit_id") or r["unit_id"]
        unit_word = L["unit_hours" if r["measure"] == "hours" else "unit_days"]
        rows.append({"cadre_id": cid, "name": c.name(cid), "unit_id": unit, "unit": c.unit_name(unit),
                     "level": info["level"],
                     "required": f"{F.number(r['required'])} {unit_word}",
                     "planned": f"{F.number(r['planned'])} {unit_word}", "reasons": c.text(kpis.compact_reason(_reasons_in(r, c.lang))),
                     "_k": (unit_order.get(unit, 1 << 30), -float(weight.get(cid, 0) or 0), cid)})
    rows.sort(key=lambda r: r["_k"])
    groups: list[dict] = []
    for r in rows:
        if not groups or groups[-1]["unit_id"] != r["unit_id"]:
            groups.append({"unit_id": r["unit_id"], "unit": r["unit"], "rows": []})
        groups[-1]["rows"].append(r)
    kinds = _reason_counts(sf)
    n = len(rows)
    reasons = [{"reason": c.text(M.reason_name(k.code, c.lang)), "cadres": F.integer(k.cadres),
                "share": F.share(k.cadres / n) if n else ""} for k in kinds.itertuples()]
    note = M.say("reasons_note", c.lang, n=n) if int(kinds["cadres"].sum() if len(kinds) else 0) > n else ""
    return {"n": n, "groups": groups, "reasons": reasons, "note": note}


def _units(c: ReportContent) -> list[dict]:
    return [{"unit_id": r["unit_id"], "name": r["name"] or r["unit_id"], "headcount": F.integer(r["headcount"]),
             "met": F.integer(r["met"]), "share": F.share(r["share"]), "in_class": F.integer(r["in_class"]),
             "rotations": F.integer(r["rotations"]), "shortfall": F.integer(r["shortfall"]),
             "peak": f"{r['peak_absent']} / {r['cap']}", "over": r["peak_absent"] > r["cap"],
             "anchor": f"unit-{_anchor(r['unit_id'])}"}
            for r in c.units.to_dict("records")]


def _districts(c: ReportContent) -> list[dict]:
    """The unit table summed by district, with a total row."""
    u = c.units.copy()
    district = dict(zip(c.ds.units["unit_id"], c.ds.units["district"].fillna("").astype(str)))
    u["district"] = u["unit_id"].map(district).fillna("")
    cols = ["headcount", "met", "in_class", "rotations", "shortfall"]

    def row(name, g, total=False):
        n = int(g["headcount"].sum())
        return {"name": name, "units": F.integer(len(g)), "total": total,
                "share": F.share(g["met"].sum() / n) if n else F.DASH,
                **{k: F.integer(g[k].sum()) for k in cols}}
    out = [row(d, g) for d, g in u.groupby("district", sort=True)]
    out.append(row(c.labels["total_row"], u, True))
    return out


LONG_UNIT_LIST = 18  # cadres: a unit list longer than this may break across pages (a shorter one keeps together)


def _unit_lists(c: ReportContent) -> list[dict]:
    """Each unit's cadres with what the plan gives them: the list a unit head receives."""
    L = c.labels
    plan = c.files.plan
    acts = {cid: g.sort_values("start_date", na_position="last").to_dict("records")
            for cid, g in plan.groupby("cadre_id")}
    out = []
    by_unit = {u: g for u, g in c.cadres.groupby("unit_id", sort=False)}
    for u in c.units.to_dict("records"):
        sub = by_unit.get(u["unit_id"])
        rows = []
        for r in ([] if sub is None else sub.to_dict("records")):
            items = []
            for a in acts.get(r["cadre_id"], []):
                title = c.activity_titles.get(a["activity_id"], a["activity_id"])
                if a["kind"] == "rotation":
                    title = f"{L.code('kind', 'rotation')}{'：' if c.lang == 'zh' else ': '}{title}"
                items.append(f"{a['activity_id']} {title} · {F.short_range(a['start_date'], a['end_date'])}")
            rows.append({"cadre_id": r["cadre_id"], "name": c.name(r["cadre_id"]),
                         "level": L.code("level", r["level"]),
                         "groups": ("、" if c.lang == "zh" else ", ").join(L.code("group", g) for g in r["groups"]),
                         "activities": items,
                         "planned": L.fmt("planned_fmt", days=float(r["planned_days"]), hours=float(r["planned_hours"])),
                         "status": _status_text(r, L), "met": bool(r["met"]),
                         "online": _online_text(c, r["cadre_id"])})
        out.append({"unit_id": u["unit_id"], "name": u["name"] or u["unit_id"], "anchor": f"unit-{_anchor(u['unit_id'])}",
                    "lead": L.fmt("unit_list_lead", met=u["met"], headcount=u["headcount"], peak=u["peak_absent"],
                                  cap=u["cap"]),
                    "rows": rows, "long": len(rows) > LONG_UNIT_LIST})
    return out


def _online_text(c: ReportContent, cadre_id: str) -> str:
    """ "online 54 / 70 h" for the unit lists ('' without online data)."""
    if c.online is None or cadre_id not in c.online.index:
        return ""
    r = c.online.loc[cadre_id]
    return c.labels.fmt("online_fmt", hours=F.number(float(r["hours"]), 1), target=F.number(float(r["target"])))


def _status_text(r: dict, L) -> str:
    """"met", or what is missing: "short: 12 d" / "short: 430 h"."""
    if r["met"]:
        return L["met_yes"]
    if r["measure"] == "hours":
        return L.fmt("short_hours", n=F.number(max(0.0, float(r["required"]) - float(r["planned_hours"]))))
    return L.fmt("short_days", n=F.number(max(0.0, float(r["required"]) - float(r["planned_days"]))))


def unit_requirement(c: ReportContent) -> str:
    p = c.policy
    return c.labels.fmt("requirement_rule", days=F.number(p["requirement.annual_days"]),
                        hours=F.number(p["requirement.annual_hours"]),
                        div_hours=F.number(p["requirement.division_hours"]),
                        div_years=F.number(p["requirement.division_years"]))
