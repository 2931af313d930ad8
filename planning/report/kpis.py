"""Reading a plan directory and the tables and headline figures computed from it.

Everything here is plain pandas, free of layout, so that the report, the workbook, the
notebooks and a comparison of scenarios share one set of numbers:

- ``read_plan_dir(dir)`` → ``PlanFiles`` (plan.csv, classes.csv, shortfall.csv,
  coverage.csv, summary.json, policy.yaml; absent files give empty tables);
- ``coverage(files, ds, year, policy)`` → one row per cadre: requirement, planned, met;
- ``headline(...)`` → the summary figures: summary.json where it has them, otherwise
  recomputed from the files, so a plan written by an older planner still reports fully;
- ``class_table``, ``rotation_table``, ``cadre_table``, ``unit_table``, ``unit_absence``,
  ``weekly_peak``, ``met_by_level``, ``met_by_group``, ``kpi_rows`` (one comparable row per
  figure: the form for comparing scenarios), ``shortfall_reasons`` (how often each kind of
  reason occurs), ``mismatches`` (was the plan made from this data set?).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planning.data.schema import LEVELS
from planning.errors import PlanningError
from planning.messages import Note
from planning.io import read_plan_csv
from planning.model.core import requirement_met
from planning.model.problem import unit_caps as problem_unit_caps
from planning.policy import Policy

PLAN_COLUMNS = ["cadre_id", "activity_id", "kind", "start_date", "end_date", "days", "hours"]
CLASS_COLUMNS = ["class_id", "start_date", "end_date", "status", "enrolled", "capacity"]
SHORTFALL_COLUMNS = ["cadre_id", "unit_id", "measure", "required", "planned", "reasons"]
COVERAGE_COLUMNS = ["cadre_id", "unit_id", "level", "weight", "overdue", "reserve", "young", "newly_promoted",
                    "key_post", "measure", "required", "planned_days", "planned_hours", "met"]
GROUPS = ("overdue", "reserve", "young", "newly_promoted", "key_post")
_TRUE = {"true", "1", "yes", "y", "1.0", "t"}


@dataclass
class PlanFiles:
    """The files of one plan directory, typed (dates as ``datetime.date``, numbers as float)."""

    directory: Path
    plan: pd.DataFrame
    classes: pd.DataFrame
    shortfall: pd.DataFrame
    coverage: pd.DataFrame | None
    summary: dict
    policy_path: Path | None
    missing: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading
def _to_date(v) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(v).strip()
    if not s or s.lower() in ("nan", "nat", "none"):
        return None
    return dt.date.fromisoformat(s[:10])


def _to_float(v) -> float:
    if v is None:
        return math.nan
    s = str(v).strip()
    if not s:
        return math.nan
    try:
        return float(s)
    except ValueError:
        return math.nan


def _to_bool(v) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return str(v).strip().lower() in _TRUE


def _read_csv(path: Path, columns: list[str], dates=(), numbers=(), bools=()) -> pd.DataFrame:
    if path.exists() and path.stat().st_size > 0:
        df = read_plan_csv(path)
        df.columns = [str(c).strip() for c in df.columns]
    else:
        df = pd.DataFrame(columns=columns, dtype=str)
    for c in columns:
        if c not in df.columns:
            df[c] = ""
    for c in df.columns:
        if c in dates:
            df[c] = pd.Series([_to_date(v) for v in df[c]], index=df.index, dtype=object)
        elif c in numbers:
            df[c] = pd.Series([_to_float(v) for v in df[c]], index=df.index, dtype=float)
        elif c in bools:
            df[c] = pd.Series([_to_bool(v) for v in df[c]], index=df.index, dtype=bool)
        else:
            df[c] = df[c].astype(object).map(lambda v: "" if v is None else str(v).strip())
    return df.reset_index(drop=True)


class PlanNotFound(PlanningError, FileNotFoundError):
    """The folder given as a plan is not one (the CLI exits with 1 and this message)."""

    exit_code = 1


def read_plan_dir(plan_dir: str | Path) -> PlanFiles:
    """Read what the planner wrote; raises PlanNotFound (a FileNotFoundError) when the
    directory is not a plan."""
    d = Path(plan_dir)
    if not d.is_dir():
        raise PlanNotFound(f"{d} is not a plan directory (it does not exist or is not a folder)")
    if not (d / "summary.json").exists() and not (d / "plan.csv").exists():
        raise PlanNotFound(f"{d} holds neither plan.csv nor summary.json: run `planning plan` first")
    missing = [f for f in ("plan.csv", "classes.csv", "shortfall.csv", "coverage.csv", "summary.json")
               if not (d / f).exists()]
    summary: dict = {}
    if (d / "summary.json").exists():
        summary = json.loads((d / "summary.json").read_text(encoding="utf-8")) or {}
    plan = _read_csv(d / "plan.csv", PLAN_COLUMNS, dates=("start_date", "end_date"), numbers=("days", "hours"))
    plan["kind"] = plan["kind"].str.lower()
    classes = _read_csv(d / "classes.csv", CLASS_COLUMNS, dates=("start_date", "end_date"),
                        numbers=("enrolled", "capacity"))
    classes["status"] = classes["status"].str.lower()
    shortfall = _read_csv(d / "shortfall.csv", SHORTFALL_COLUMNS, numbers=("required", "planned"))
    coverage_df = None
    if (d / "coverage.csv").exists():
        coverage_df = _read_csv(d / "coverage.csv", COVERAGE_COLUMNS,
                                numbers=("weight", "required", "planned_days", "planned_hours"),
                                bools=("overdue", "reserve", "young", "newly_promoted", "key_post", "met"))
    policy_path = d / "policy.yaml" if (d / "policy.yaml").exists() else None
    return PlanFiles(d, plan, classes, shortfall, coverage_df, summary, policy_path, missing)


# --------------------------------------------------------------------------- per cadre
def coverage(files: PlanFiles, ds, year: int, policy: Policy) -> pd.DataFrame:
    """One row per cadre of the data set: flags, requirement, planned days/hours, met.

    From coverage.csv when the planner wrote it; otherwise recomputed with the planner's
    own rule (``planning.facts``): below division level met with ≥ annual_days class days
    or ≥ annual_hours class hours; division level with ≥ the hours still required."""
    cadre_ids = ds.cadres["cadre_id"].tolist()
    cov = files.coverage
    if cov is not None and len(cov) and set(cov["cadre_id"]) >= set(cadre_ids):
        out = cov.copy()
        out = out[out["cadre_id"].isin(cadre_ids)].copy()
        if "required_hours" not in out.columns:
            out["required_hours"] = np.where(out["measure"] == "hours", out["required"],
                                             float(policy["requirement.annual_hours"]))
        return _order(out, cadre_ids)
    from planning.facts import cadre_facts

    facts = cadre_facts(ds.cadres, ds.history, year, policy).reset_index(drop=True)
    cls = files.plan[files.plan["kind"] == "class"].groupby("cadre_id")[["days", "hours"]].sum()
    days = facts["cadre_id"].map(cls["days"]).fillna(0.0).astype(float)
    hours = facts["cadre_id"].map(cls["hours"]).fillna(0.0).astype(float)
    by_hours = facts["measure"] == "hours"
    required = np.where(by_hours, facts["required_hours"], facts["required_days"]).astype(float)
    met = requirement_met(by_hours.to_numpy(), days.to_numpy(), hours.to_numpy(), facts["required_days"].to_numpy(),
                          facts["required_hours"].to_numpy())
    out = pd.DataFrame({
        "cadre_id": facts["cadre_id"], "unit_id": facts["unit_id"], "level": facts["level"],
        "weight": facts["weight"].astype(float),
        **{g: facts[g].astype(bool) for g in GROUPS},
        "measure": facts["measure"], "required": required, "planned_days": days, "planned_hours": hours,
        "met": met.astype(bool), "required_hours": facts["required_hours"].astype(float),
    })
    return _order(out, cadre_ids)


def _order(df: pd.DataFrame, cadre_ids: list[str]) -> pd.DataFrame:
    pos = {c: i for i, c in enumerate(cadre_ids)}
    return df.assign(_o=df["cadre_id"].map(pos)).sort_values("_o").drop(columns="_o").reset_index(drop=True)


def _share(met: int, n: int) -> float:
    return met / n if n else math.nan


def met_by_level(cov: pd.DataFrame, summary: dict | None = None) -> pd.DataFrame:
    """level, cadres, met, share — in the order division, section, deputy_section, staff."""
    given = (summary or {}).get("met_by_level") or {}
    rows = []
    levels = [lv for lv in LEVELS if (cov["level"] == lv).any()]
    levels += sorted(set(cov["level"]) - set(LEVELS))
    for lv in levels:
        sub = cov[cov["level"] == lv]
        n, m = len(sub), int(sub["met"].sum())
        v = given.get(lv)
        rows.append({"level": lv, "cadres": n, "met": m, "share": _share(m, n) if v is None else float(v)})
    return pd.DataFrame(rows, columns=["level", "cadres", "met", "share"])


def met_by_group(cov: pd.DataFrame, summary: dict | None = None) -> pd.DataFrame:
    """group, cadres, met, share — for the priority groups (a cadre may be in several)."""
    given = (summary or {}).get("met_by_group") or {}
    rows = []
    for g in GROUPS:
        if g not in cov.columns:
            continue
        sub = cov[cov[g].astype(bool)]
        n, m = len(sub), int(sub["met"].sum())
        v = given.get(g)
        rows.append({"group": g, "cadres": n, "met": m, "share": _share(m, n) if v is None else float(v)})
    return pd.DataFrame(rows, columns=["group", "cadres", "met", "share"])


# --------------------------------------------------------------------------- activities
def class_table(files: PlanFiles, ds) -> pd.DataFrame:
    """The offer with the plan's outcome: one row per class, in order of start date."""
    offer = ds.classes.copy()
    enrolled_plan = files.plan[files.plan["kind"] == "class"].groupby("activity_id").size()
    dates_plan = files.plan[files.plan["kind"] == "class"].groupby("activity_id")[["start_date", "end_date"]].first()
    res = files.classes.set_index("class_id") if len(files.classes) else None
    rows = []
    for r in offer.to_dict("records"):
        cid = r["class_id"]
        got = res.loc[cid] if res is not None and cid in res.index else None
        if isinstance(got, pd.DataFrame):
            got = got.iloc[0]
        enrolled = int(enrolled_plan.get(cid, 0))
        capacity = int(r["capacity"])
        if got is not None:
            start, end = got["start_date"], got["end_date"]
            status = got["status"] or ("running" if enrolled else "cancelled")
            if not math.isnan(got["enrolled"]):
                enrolled = int(got["enrolled"])
            if not math.isnan(got["capacity"]):
                capacity = int(got["capacity"])
        else:
            start = dates_plan["start_date"].get(cid, r["start_date"]) if len(dates_plan) else r["start_date"]
            end = dates_plan["end_date"].get(cid, r["end_date"]) if len(dates_plan) else r["end_date"]
            status = "running" if enrolled else "cancelled"
        cost_each = r.get("cost_per_trainee")
        cost_each = 0.0 if cost_each is None or (isinstance(cost_each, float) and math.isnan(cost_each)) else float(cost_each)
        rows.append({
            "class_id": cid, "title": r.get("title") or "", "topic": r.get("topic") or "", "mode": r["mode"],
            "institution": r.get("institution") or "", "start_date": start, "end_date": end,
            "window_start": r.get("window_start"), "window_end": r.get("window_end"),
            "status": status, "enrolled": enrolled, "capacity": capacity,
            "min_size": int(r.get("min_size") or 0), "days": float(r["days"]), "hours": float(r["hours"]),
            "levels": tuple(r.get("levels") or ()), "cost_per_trainee": cost_each,
            "cost": cost_each * enrolled,
        })
    out = pd.DataFrame(rows, columns=["class_id", "title", "topic", "mode", "institution", "start_date", "end_date",
                                      "window_start", "window_end", "status", "enrolled", "capacity", "min_size",
                                      "days", "hours", "levels", "cost_per_trainee", "cost"])
    key = [(s or w or dt.date.max) for s, w in zip(out["start_date"], out["window_start"])]
    return out.assign(_k=key).sort_values(["_k", "class_id"], kind="stable").drop(columns="_k").reset_index(drop=True)


def rotation_table(files: PlanFiles, ds) -> pd.DataFrame:
    """One row per rotation post with the cadres placed (``cadre_ids``, a tuple)."""
    rot = ds.rotations
    placed = files.plan[files.plan["kind"] == "rotation"].groupby("activity_id")["cadre_id"].apply(tuple)
    rows = []
    for r in rot.to_dict("records"):
        ids = placed.get(r["post_id"], ())
        rows.append({"post_id": r["post_id"], "title": r.get("title") or "", "direction": r["direction"],
                     "category": r.get("category") or "", "start_date": r["start_date"], "end_date": r["end_date"],
                     "slots": int(r["slots"]), "filled": len(ids), "levels": tuple(r.get("levels") or ()),
                     "cadre_ids": ids})
    out = pd.DataFrame(rows, columns=["post_id", "title", "direction", "category", "start_date", "end_date",
                                      "slots", "filled", "levels", "cadre_ids"])
    return out.sort_values(["direction", "category", "start_date", "post_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- units
def unit_caps(ds, policy: Policy) -> pd.Series:
    """Most cadres a unit may have away on one day: max(min_absent, ⌊share × headcount⌋),
    share = the unit's own max_absent_share or the policy default (model.problem.unit_caps)."""
    caps, _ = problem_unit_caps(ds, policy)
    return pd.Series(caps, dtype=int)


def unit_absence(files: PlanFiles, ds, year: int) -> pd.DataFrame:
    """Cadres of each unit away on each day of the plan year (units × dates, counts).

    Full-time classes and rotations occupy every day from start to end; weekend classes
    only Saturdays and Sundays (the contract's "days an activity occupies")."""
    first = dt.date(year, 1, 1)
    n_days = (dt.date(year, 12, 31) - first).days + 1
    units = ds.units["unit_id"].tolist()
    pos = {u: i for i, u in enumerate(units)}
    grid = np.zeros((len(units), n_days), dtype=np.int32)
    unit_of = dict(zip(ds.cadres["cadre_id"], ds.cadres["unit_id"]))
    mode_of = dict(zip(ds.classes["class_id"], ds.classes["mode"]))
    weekday0 = first.weekday()
    weekend = ((np.arange(n_days) + weekday0) % 7) >= 5
    for r in files.plan.to_dict("records"):
        u = unit_of.get(r["cadre_id"])
        s, e = r["start_date"], r["end_date"]
        if u not in pos or s is None or e is None:
            continue
        lo, hi = max(0, (s - first).days), min(n_days - 1, (e - first).days)
        if hi < lo:
            continue
        row = grid[pos[u]]
        if r["kind"] == "class" and mode_of.get(r["activity_id"]) == "weekend":
            row[lo:hi + 1] += weekend[lo:hi + 1]
        else:
            row[lo:hi + 1] += 1
    dates = [first + dt.timedelta(days=i) for i in range(n_days)]
    return pd.DataFrame(grid, index=pd.Index(units, name="unit_id"), columns=dates)


def weekly_peak(daily: pd.DataFrame) -> pd.DataFrame:
    """Most cadres away on one day in each week (weeks start on Monday; columns = the Monday)."""
    if daily.shape[1] == 0:
        return daily
    first = daily.columns[0]
    monday0 = first - dt.timedelta(days=first.weekday())
    week = [(d - monday0).days // 7 for d in daily.columns]
    out = daily.T.groupby(week).max().T
    out.columns = [monday0 + dt.timedelta(weeks=int(w)) for w in out.columns]
    return out


def unit_table(ds, cov: pd.DataFrame, files: PlanFiles, daily: pd.DataFrame, caps: pd.Series) -> pd.DataFrame:
    """One row per unit: headcount, met, share, class places, rotations, shortfall, peak absence vs cap."""
    plan = files.plan
    unit_of = dict(zip(ds.cadres["cadre_id"], ds.cadres["unit_id"]))
    plan_unit = plan["cadre_id"].map(unit_of)
    short_ids = set(files.shortfall["cadre_id"]) if len(files.shortfall) else set(cov.loc[~cov["met"], "cadre_id"])
    rows = []
    for r in ds.units.to_dict("records"):
        u = r["unit_id"]
        sub = cov[cov["unit_id"] == u]
        n, m = len(sub), int(sub["met"].sum())
        in_unit = plan[plan_unit == u]
        peak_row = daily.loc[u] if u in daily.index else pd.Series(dtype=int)
        peak = int(peak_row.max()) if len(peak_row) else 0
        peak_day = peak_row.idxmax() if peak > 0 else None
        rows.append({
            "unit_id": u, "name": r.get("name") or "", "district": r.get("district") or "", "headcount": n,
            "met": m, "share": _share(m, n),
            "in_class": int(in_unit.loc[in_unit["kind"] == "class", "cadre_id"].nunique()),
            "class_places": int((in_unit["kind"] == "class").sum()),
            "rotations": int((in_unit["kind"] == "rotation").sum()),
            "shortfall": int(sub["cadre_id"].isin(short_ids).sum()),
            "peak_absent": peak, "peak_date": peak_day, "cap": int(caps.get(u, 0)),
        })
    return pd.DataFrame(rows, columns=["unit_id", "name", "district", "headcount", "met", "share", "in_class",
                                       "class_places", "rotations", "shortfall", "peak_absent", "peak_date", "cap"])


def cadre_table(ds, cov: pd.DataFrame, files: PlanFiles) -> pd.DataFrame:
    """One row per cadre: who, where, groups, requirement, planned, met, activities (tuple of ids)."""
    c = ds.cadres.set_index("cadre_id")
    acts = files.plan.sort_values(["start_date", "activity_id"], kind="stable", na_position="last") \
        .groupby("cadre_id")["activity_id"].apply(tuple)
    out = cov.copy()
    out["name"] = out["cadre_id"].map(c["name"]).fillna("")
    out["unit_id"] = out["cadre_id"].map(c["unit_id"]).fillna(out["unit_id"])
    out["groups"] = [tuple(g for g in GROUPS if g in out.columns and bool(r[g])) for _, r in out.iterrows()]
    out["activities"] = out["cadre_id"].map(acts).apply(lambda v: v if isinstance(v, tuple) else ())
    return out


# --------------------------------------------------------------------------- headline
def headline(files: PlanFiles, ds, cov: pd.DataFrame, classes: pd.DataFrame, rotations: pd.DataFrame,
             policy: Policy, year: int) -> dict:
    """The summary figures: summary.json's values where present, else computed from the files.

    Keys: status, solver, objective, best_bound, gap, solve_seconds, cadres, met,
    requirement_met_share, met_by_level, met_by_group, overdue_total, overdue_covered,
    rotations_filled, rotation_slots, classes_running, classes_cancelled, seats_used,
    seats_offered, cost, budget, greedy_met_share, warnings, year, district, scenario, data."""
    s = dict(files.summary)
    plan = files.plan
    n = len(cov)
    met = int(cov["met"].sum())
    in_class = set(plan.loc[plan["kind"] == "class", "cadre_id"])
    overdue = cov[cov["overdue"].astype(bool)] if "overdue" in cov.columns else cov.iloc[0:0]
    running = classes[classes["status"] == "running"]
    districts = sorted({d for d in ds.units["district"] if d})
    budget = policy.get("budget.total") if hasattr(policy, "get") else None
    computed = {
        "status": "unknown", "solver": None, "objective": None, "best_bound": None, "gap": None,
        "solve_seconds": None, "cadres": n, "requirement_met_share": _share(met, n),
        "met_by_level": dict(zip(*met_by_level(cov).pipe(lambda t: (t["level"], t["share"])))),
        "met_by_group": dict(zip(*met_by_group(cov).pipe(lambda t: (t["group"], t["share"])))),
        "overdue_total": len(overdue), "overdue_covered": int(overdue["cadre_id"].isin(in_class).sum()),
        "rotations_filled": int((plan["kind"] == "rotation").sum()),
        "rotation_slots": int(rotations["slots"].sum()) if len(rotations) else 0,
        "classes_running": len(running), "classes_cancelled": int((classes["status"] == "cancelled").sum()),
        "seats_used": int(running["enrolled"].sum()), "seats_offered": int(classes["capacity"].sum()),
        "cost": float(classes["cost"].sum()), "budget": budget, "greedy_met_share": None, "warnings": [],
        "year": year, "district": ", ".join(districts), "scenario": None, "data": ds.source,
    }
    out = {k: (s[k] if s.get(k) is not None else v) for k, v in computed.items()}
    for k, v in s.items():
        out.setdefault(k, v)
    if "budget" in s and s["budget"] is None:
        out["budget"] = None
    if s.get("requirement_met") is not None:
        out["met"] = int(s["requirement_met"])
    elif s.get("requirement_met_share") is not None:
        out["met"] = int(round(out["requirement_met_share"] * out["cadres"]))
    else:
        out["met"] = met
    out["warnings"] = [str(w) for w in (out.get("warnings") or [])]
    return out


KPI_KEYS = ("requirement_met_share", "overdue_covered", "rotations_filled", "classes_running", "classes_cancelled",
            "seats_used", "cost", "budget", "status", "gap", "solver", "solve_seconds", "objective", "best_bound",
            "cadres", "greedy_met_share")


def kpi_rows(h: dict) -> pd.DataFrame:
    """The headline as a long table (key, value, detail) — one comparable row per figure, for the
    workbook's KPIs sheet and for comparing scenarios side by side."""
    rows = [
        ("cadres", h["cadres"], None),
        ("requirement_met_share", h["requirement_met_share"], f"{h['met']} / {h['cadres']}"),
        *([("weighted_coverage", h["weighted_coverage"], None)] if h.get("weighted_coverage") is not None else []),
        *[(f"met_by_level.{k}", v, None) for k, v in (h.get("met_by_level") or {}).items()],
        *[(f"met_by_group.{k}", v, None) for k, v in (h.get("met_by_group") or {}).items()],
        ("overdue_covered", h["overdue_covered"], f"{h['overdue_covered']} / {h['overdue_total']}"),
        ("overdue_total", h["overdue_total"], None),
        ("rotations_filled", h["rotations_filled"], f"{h['rotations_filled']} / {h['rotation_slots']}"),
        ("rotation_slots", h["rotation_slots"], None),
        ("classes_running", h["classes_running"], None),
        ("classes_cancelled", h["classes_cancelled"], None),
        ("seats_used", h["seats_used"], f"{h['seats_used']} / {h['seats_offered']}"),
        ("seats_offered", h["seats_offered"], None),
        ("cost", h["cost"], None),
        ("budget", h["budget"], None),
        ("status", h["status"], None),
        ("gap", h["gap"], None),
        ("solver", h["solver"], None),
        ("solve_seconds", h["solve_seconds"], None),
        ("objective", h["objective"], None),
        ("best_bound", h["best_bound"], None),
        ("greedy_met_share", h.get("greedy_met_share"), None),
    ]
    return pd.DataFrame(rows, columns=["key", "value", "detail"])


# --------------------------------------------------------------------------- shortfall reasons
_PAREN = re.compile(r"\([^()]*\)")
_TOKEN = re.compile(r"\b[\w.-]*\d[\w.-]*\b")
_LIST = re.compile(r"#(?:\s*,\s*#)+")
_SPAN = re.compile(r":?\s*#\s+to\s+#")


def reason_kind(clause: str) -> str | None:
    """A reason clause without its particulars ("26 eligible classes are full (C1, C2…)" →
    "eligible classes are full"), so that reasons can be counted across cadres."""
    s = _PAREN.sub("", clause)
    s = _TOKEN.sub("#", s)
    s = _LIST.sub("#", s)
    s = _SPAN.sub("", s)
    s = re.sub(r"\beligible class\b", "eligible classes", s)
    s = re.sub(r"\bclasses are\b|\bclass are\b", "classes are", s)
    s = re.sub(r"^\s*#\s+", "", s)
    s = re.sub(r"\s+", " ", s).strip(" ;,.:")
    words = [w for w in re.findall(r"[^\W\d_]+", s) if w.lower() not in ("to",)]
    if len(words) < 2:
        return None
    return s.replace("#", "…")


def split_reasons(text: str) -> list[str]:
    """The clauses of a shortfall reason ("a; b; c"), with date-range continuations
    ("busy 2027-03-01 to 2027-03-31; 2027-09-01 to 2027-09-30") kept in their clause."""
    out: list[str] = []
    for part in str(text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        if out and reason_kind(part) is None:
            out[-1] = f"{out[-1]}; {part}"
        else:
            out.append(part)
    return out


def shortfall_reasons(shortfall: pd.DataFrame) -> pd.DataFrame:
    """reason, cadres — how many cadres short of their requirement carry each kind of reason."""
    counts: dict[str, set] = {}
    for cid, text in zip(shortfall["cadre_id"], shortfall["reasons"]):
        for clause in split_reasons(text):
            k = reason_kind(clause)
            if k:
                counts.setdefault(k, set()).add(cid)
    rows = sorted(((k, len(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame(rows, columns=["reason", "cadres"])


def shortfall_reason_codes(shortfall: pd.DataFrame) -> pd.DataFrame:
    """code, cadres — how many cadres short of their requirement carry each reason code
    (shortfall.csv's `reason_codes`, planning.messages.REASON_CODES); a cadre can carry several."""
    counts: dict[str, set] = {}
    for cid, codes in zip(shortfall["cadre_id"], shortfall["reason_codes"]):
        for code in str(codes or "").split(";"):
            code = code.strip()
            if code and code != "nan":
                counts.setdefault(code, set()).add(cid)
    rows = sorted(((k, len(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame(rows, columns=["code", "cadres"])


def compact_reason(text: str, keep: int = 3) -> str:
    """Long id lists shortened for print: "(C1, C2, C3, C4, C5)" → "(C1, C2, C3 … +2)"."""
    def clip(m: re.Match) -> str:
        items = [x.strip() for x in m.group(1).split(",")]
        if len(items) <= keep + 1:
            return m.group(0)
        return f"({', '.join(items[:keep])} … +{len(items) - keep})"
    return re.sub(r"\(([^()]*,[^()]*)\)", clip, str(text or ""))


# --------------------------------------------------------------------------- plan vs data
def mismatches(files: PlanFiles, ds, limit: int = 6) -> tuple[list[str], list[Note]]:
    """(errors, warnings) comparing the plan with the data set (warnings by code: str() is English).

    Errors: the plan was not made from this data set (unknown cadres or activities, cadres
    in another unit or at another level than coverage.csv says, another head count) — a
    report would print wrong names. Warnings: class capacities or dates differ, as after a
    scenario that changed the offer; the report then shows the plan's own figures."""
    errors: list[str] = []
    warnings: list[Note] = []
    cadres = set(ds.cadres["cadre_id"])
    acts = set(ds.classes["class_id"]) | set(ds.rotations["post_id"])
    plan = files.plan
    unknown_c = sorted(set(plan["cadre_id"]) - cadres)
    if unknown_c:
        errors.append(f"plan.csv names {len(unknown_c)} cadre(s) missing from the data set, e.g. {', '.join(unknown_c[:3])}")
    unknown_a = sorted(set(plan["activity_id"]) - acts)
    if unknown_a:
        errors.append(f"plan.csv names {len(unknown_a)} activities missing from the data set, e.g. {', '.join(unknown_a[:3])}")
    n = files.summary.get("cadres")
    if isinstance(n, int) and n != len(cadres) and files.summary.get("status") not in ("infeasible", "error"):
        errors.append(f"summary.json counts {n} cadres, the data set holds {len(cadres)}")
    cov = files.coverage
    if cov is not None and len(cov):
        info = ds.cadres.set_index("cadre_id")
        moved = [r for r in cov.to_dict("records") if r["cadre_id"] in info.index and (
            (r["unit_id"] and r["unit_id"] != info.at[r["cadre_id"], "unit_id"])
            or (r["level"] and r["level"] != info.at[r["cadre_id"], "level"]))]
        if moved:
            errors.append(f"{len(moved)} cadre(s) have another unit or level in the data set than in coverage.csv, "
                          f"e.g. {', '.join(r['cadre_id'] for r in moved[:3])}")
    if len(files.classes):
        cap = dict(zip(ds.classes["class_id"], ds.classes["capacity"]))
        fixed = {r["class_id"]: (r["start_date"], r["end_date"]) for r in ds.classes.to_dict("records")
                 if r["start_date"] is not None}
        title = dict(zip(ds.classes["class_id"], ds.classes["title"]))
        for r in files.classes.to_dict("records"):
            cid = r["class_id"]
            if cid not in cap:
                errors.append(f"classes.csv has class {cid}, which the data set does not offer")
            elif r.get("title") and title.get(cid) and r["title"].strip() != str(title[cid]).strip():
                errors.append(f"class {cid} is '{r['title']}' in the plan but '{title[cid]}' in the data set")
            elif not math.isnan(r["capacity"]) and int(r["capacity"]) != int(cap[cid]):
                warnings.append(Note("pw_capacity_differs", {"cls": cid, "plan": int(r["capacity"]),
                                                             "data": int(cap[cid])}))
            elif cid in fixed and r["start_date"] is not None and (r["start_date"], r["end_date"]) != fixed[cid]:
                warnings.append(Note("pw_dates_differ", {"cls": cid, "start": str(r["start_date"]),
                                                         "end": str(r["end_date"]), "data_start": str(fixed[cid][0]),
                                                         "data_end": str(fixed[cid][1])}))
    if len(warnings) > limit:
        warnings = warnings[:limit] + [Note("pw_more_differences", {"n": len(warnings) - limit})]
    return errors[:limit], warnings
