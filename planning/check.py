"""The independent plan checker: re-derives every validity rule of the data contract
from the data set and the plan folder alone.

It deliberately imports nothing from ``planning.model``, ``planning.pipeline`` or
``planning.facts``: every rule is worked out again here, so that a bug in the optimizer
(or in the facts it was built from) cannot hide behind the same code.

``check_plan`` returns one plain-English line per violation (an empty list = a valid
plan). A malformed plan file (missing file, missing column, unparseable value) is itself
reported as a violation, never raised. Bad *data* (the input data set breaking the
contract) is not the plan's fault: ``load_dataset`` raises ``DataError`` as usual.

The rules, in the order their lines are reported (see ``RULES``):

 1. plan rows: every cadre and activity exists, the kind matches, dates, days and hours
    are the activity's; ``classes.csv`` lists every class once with the true dates,
    enrolment and capacity; no duplicate (cadre, activity) row.
 2. no cadre has two activities on the same day.
 3. nobody is in a class on a day blocked for them (region blackout, their unit's
    blackout), nor in any activity during their own busy periods.
 4. nobody is in an activity whose levels exclude them.
 5. class enrolment <= capacity; a running class has >= min_size; a cancelled one nobody.
 6. rotation slots; at most ``rotation.max_per_year`` rotations per cadre; direction.
 7. no repeated topic (history ``class`` rows, or twice in the year).
 8. ``must`` pins honoured, ``must_not`` pins respected.
 9. unit absence: on no day more than max(absence.min_absent,
    floor(max_absent_share x headcount)) of a unit's cadres away.
10. windowed classes: inside the window, start and end on a training day, exactly
    ``days`` training days, no statutory holiday and no region blackout on a day the
    class occupies.
11. budget: total class cost <= ``budget.total`` when set.
12. ``summary.json``: the contract keys, a plan status, ``cadres`` and a recomputed
    ``requirement_met_share``; ``shortfall.csv`` lists exactly the cadres whose
    requirement is not met.

Days are handled as ordinal integers (``date.toordinal()``); occupancy is exploded
into a (cadre, activity, day) frame with numpy so that a 20,000-cadre plan checks in
seconds.

Decisions worth knowing:
- Day-based rules (2, 3, 9) use the *activity's* dates: the data set's dates for a
  fixed-date class or a rotation, the ``classes.csv`` dates for a windowed class. A plan
  row whose own dates differ is reported under rule 1; only when a windowed class has no
  usable ``classes.csv`` dates do its rows' own dates stand in.
- "Overlaps a statutory holiday / region blackout" (rule 10) is judged on the days the
  class *occupies*: for a ``full_time`` class every calendar day from start to end (so
  any holiday inside the span is a violation, even on a weekend), for a ``weekend``
  class only its Saturdays and Sundays.
- The unit limit is floor(share x headcount + 1e-9), so that 0.29 x 100 gives 29 and not
  the 28 that binary floating point would.
- The division requirement counts class hours in ``history`` of the
  ``requirement.division_years - 1`` years before the plan year (default: 4).
"""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planning.calendar import public_holidays
from planning.data.load import Dataset, load_dataset
from planning.io import read_plan_csv
from planning.messages import REASON_CODES
from planning.policy import Policy, load_policy

PLAN_COLUMNS = ("cadre_id", "activity_id", "kind", "start_date", "end_date", "days", "hours")
CLASSES_COLUMNS = ("class_id", "start_date", "end_date", "status", "enrolled", "capacity")
SHORTFALL_COLUMNS = ("cadre_id", "unit_id", "measure", "required", "planned", "reasons")
SUMMARY_KEYS = ("status", "objective", "best_bound", "gap", "solver", "solve_seconds", "cadres",
                "requirement_met_share")
STATUSES = ("optimal", "feasible", "infeasible", "error")
PLAN_STATUSES = ("optimal", "feasible")
DIVISION = "division"
TOL = 1e-6          # tolerance for days, hours, money read back from text
SHARE_TOL = 1e-9    # tolerance for requirement_met_share
MAX_SPAN = 800      # days; a fallback span longer than this is not exploded (already reported)
MAX_NAMES = 10      # cadres named in one unit-absence line


# --------------------------------------------------------------------------- small helpers
def _iso(ordinal: int) -> str:
    return dt.date.fromordinal(int(ordinal)).isoformat()


def _num(x: float) -> str:
    return f"{x:,.6g}" if abs(x) >= 10000 else f"{x:g}"


def _weekday(ordinals: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 for ordinal days (ordinal 1 = Monday 0001-01-01)."""
    return (ordinals - 1) % 7


def _more(n: int, unit: str = "day") -> str:
    return f" (and {n - 1} more {unit}{'s' if n - 1 != 1 else ''})" if n > 1 else ""


def _parse_date(text: str) -> tuple[dt.date | None, bool]:
    """(date, ok): empty text is (None, True); text that is not an ISO date is (None, False)."""
    v = text.strip()
    if v == "":
        return None, True
    if len(v) != 10 or v[4] != "-" or v[7] != "-":
        return None, False
    try:
        return dt.date.fromisoformat(v), True
    except ValueError:
        return None, False


def _parse_number(text: str) -> tuple[float | None, bool]:
    v = text.strip()
    if v == "":
        return None, True
    try:
        f = float(v)
    except ValueError:
        return None, False
    return (f, True) if math.isfinite(f) else (None, False)


def _read_csv(path: Path, name: str, columns: tuple[str, ...], out: list[str]) -> pd.DataFrame | None:
    """A plan CSV as text with a `_line` column (header = 1), or None (reported) if unusable."""
    if not path.exists():
        out.append(f"{name} is missing from the plan folder {path.parent}")
        return None
    try:
        df = read_plan_csv(path)
    except pd.errors.EmptyDataError:
        out.append(f"{name} is empty: it needs at least the header {', '.join(columns)}")
        return None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as e:
        out.append(f"{name} is not a readable CSV file ({e})")
        return None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        out.append(f"{name}: the column(s) {', '.join(missing)} are missing from the header")
    for c in missing:
        df[c] = ""
    df = df.loc[:, ~df.columns.duplicated()].astype(object)
    for c in columns:
        df[c] = [str(v).strip() for v in df[c]]
    df["_line"] = np.arange(2, len(df) + 2)
    df.attrs["missing"] = tuple(missing)  # reported once above, not again on every row
    return df


# --------------------------------------------------------------------------- the context
@dataclass
class Context:
    """Everything the rules need, read and derived once."""

    ds: Dataset
    year: int
    policy: Policy
    plan_dir: Path
    cadres: pd.DataFrame                 # indexed by cadre_id
    activities: pd.DataFrame             # indexed by activity_id; classes and rotations together
    holidays: dict[int, str]             # ordinal -> name
    plan: pd.DataFrame                   # parsed plan rows (all rows read)
    rows: pd.DataFrame                   # usable rows: known cadre and activity, one per pair
    occ: pd.DataFrame                    # cadre_id, activity_id, kind, day (ordinal), one per triple
    classes_out: pd.DataFrame | None     # classes.csv parsed, or None
    summary: dict | None
    shortfall: pd.DataFrame | None
    file_problems: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)


def _ords(dates: pd.Series) -> np.ndarray:
    """Dates as ordinals in an object array, so that a missing date stays None (not NaN)."""
    return np.array([d.toordinal() if d else None for d in dates], dtype=object)


def _activities(ds: Dataset) -> pd.DataFrame:
    """One frame of classes and rotations: kind, occupancy mode, dates (ordinals), days, hours…"""
    c = ds.classes
    classes = pd.DataFrame({
        "activity_id": c["class_id"].astype(object),
        "kind": "class",
        "mode": c["mode"].astype(object),
        "start": _ords(c["start_date"]),
        "end": _ords(c["end_date"]),
        "window_start": _ords(c["window_start"]),
        "window_end": _ords(c["window_end"]),
        "days": [float(x) for x in c["days"]],
        "hours": [float(x) for x in c["hours"]],
        "levels": list(c["levels"]),
        "topic_key": list(c["topic_key"]),
        "topic": list(c["topic"]),
        "capacity": list(c["capacity"]),
        "min_size": [int(x) if x is not None and not pd.isna(x) else 0 for x in c["min_size"]],
        "cost": [float(x) if x is not None and not pd.isna(x) else 0.0 for x in c["cost_per_trainee"]],
        "slots": None,
        "direction": None,
    })
    classes["windowed"] = classes["window_start"].notna() & classes["start"].isna()
    r = ds.rotations
    rot = pd.DataFrame({
        "activity_id": r["post_id"].astype(object),
        "kind": "rotation",
        "mode": "full_time",
        "start": [d.toordinal() for d in r["start_date"]],
        "end": [d.toordinal() for d in r["end_date"]],
        "window_start": None,
        "window_end": None,
        "days": [float((e - s).days + 1) for s, e in zip(r["start_date"], r["end_date"])],
        "hours": 0.0,
        "levels": list(r["levels"]),
        "topic_key": "",
        "topic": "",
        "capacity": None,
        "min_size": 0,
        "cost": 0.0,
        "slots": list(r["slots"]),
        "direction": list(r["direction"]),
        "windowed": False,
    })
    frames = [f for f in (classes, rot) if len(f)]
    acts = pd.concat(frames, ignore_index=True) if frames else classes
    acts = acts.astype({"start": object, "end": object})
    return acts.drop_duplicates("activity_id").set_index("activity_id", drop=False)


def read_plan(plan_dir: Path, ctx_cadres: pd.DataFrame, acts: pd.DataFrame, out: list[str]) -> pd.DataFrame:
    """plan.csv with parsed columns: start/end (ordinals or None), days_v, hours_v, ok flags."""
    df = _read_csv(plan_dir / "plan.csv", "plan.csv", PLAN_COLUMNS, out)
    if df is None:
        df = pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_COLUMNS})
        df["_line"] = pd.Series(dtype=int)
    missing = df.attrs.get("missing", ())
    starts, ends, days, hours, bad = [], [], [], [], []
    for s, e, d, h in zip(df["start_date"], df["end_date"], df["days"], df["hours"]):
        sd, sok = _parse_date(s)
        ed, eok = _parse_date(e)
        dv, dok = _parse_number(d)
        hv, hok = _parse_number(h)
        starts.append(sd.toordinal() if sd else None)
        ends.append(ed.toordinal() if ed else None)
        days.append(dv)
        hours.append(hv)
        bad.append([n for n, ok in (("start_date", sok), ("end_date", eok), ("days", dok), ("hours", hok)) if not ok])
    df["start"] = pd.Series(starts, index=df.index, dtype=object)
    df["end"] = pd.Series(ends, index=df.index, dtype=object)
    df["days_v"] = pd.Series(days, index=df.index, dtype=object)
    df["hours_v"] = pd.Series(hours, index=df.index, dtype=object)
    df["bad"] = pd.Series(bad, index=df.index, dtype=object)
    df["cadre_ok"] = df["cadre_id"].isin(ctx_cadres.index)
    df["activity_ok"] = df["activity_id"].isin(acts.index)
    df.attrs["missing"] = missing
    return df


def read_classes_out(plan_dir: Path, out: list[str]) -> pd.DataFrame | None:
    df = _read_csv(plan_dir / "classes.csv", "classes.csv", CLASSES_COLUMNS, out)
    if df is None:
        return None
    parsed: dict[str, list] = {"start": [], "end": [], "enrolled_v": [], "capacity_v": [], "bad": []}
    for s, e, n, c in zip(df["start_date"], df["end_date"], df["enrolled"], df["capacity"]):
        sd, sok = _parse_date(s)
        ed, eok = _parse_date(e)
        nv, nok = _parse_number(n)
        cv, cok = _parse_number(c)
        nok = nok and nv is not None and float(nv).is_integer()
        cok = cok and cv is not None and float(cv).is_integer()
        parsed["start"].append(sd.toordinal() if sd else None)
        parsed["end"].append(ed.toordinal() if ed else None)
        parsed["enrolled_v"].append(int(nv) if nok else None)
        parsed["capacity_v"].append(int(cv) if cok else None)
        parsed["bad"].append([n for n, ok in (("start_date", sok), ("end_date", eok), ("enrolled", nok),
                                              ("capacity", cok)) if not ok])
    for k, v in parsed.items():
        df[k] = pd.Series(v, index=df.index, dtype=object)
    df["status"] = [s.casefold() for s in df["status"]]
    return df


def read_summary(plan_dir: Path, out: list[str]) -> dict | None:
    path = plan_dir / "summary.json"
    if not path.exists():
        out.append(f"summary.json is missing from the plan folder {plan_dir}")
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        out.append(f"summary.json is not valid JSON ({e})")
        return None
    if not isinstance(data, dict):
        out.append("summary.json must hold an object with named values")
        return None
    return data


def _effective_dates(plan: pd.DataFrame, acts: pd.DataFrame, classes_out: pd.DataFrame | None) -> pd.DataFrame:
    """Usable plan rows (known cadre and activity, first row of each pair) with the dates
    they occupy: the activity's own (data, or classes.csv for a windowed class), else the row's."""
    rows = plan[plan["cadre_ok"] & plan["activity_ok"]].drop_duplicates(["cadre_id", "activity_id"]).copy()
    a = acts.loc[rows["activity_id"]]
    start = a["start"].to_numpy(dtype=object).copy()
    end = a["end"].to_numpy(dtype=object).copy()
    windowed = a["windowed"].to_numpy(dtype=bool)
    if windowed.any():
        listed = _windowed_dates(classes_out)
        for i in np.flatnonzero(windowed):
            s, e = listed.get(rows["activity_id"].iat[i], (None, None))
            if s is None or e is None:
                s, e = rows["start"].iat[i], rows["end"].iat[i]
            start[i], end[i] = s, e
    rows["kind_true"] = a["kind"].to_numpy()
    rows["mode"] = a["mode"].to_numpy()
    rows["eff_start"] = start
    rows["eff_end"] = end
    return rows


def _windowed_dates(classes_out: pd.DataFrame | None) -> dict[str, tuple[int | None, int | None]]:
    """classes.csv dates per class (first listed row)."""
    if classes_out is None:
        return {}
    first = classes_out.drop_duplicates("class_id")
    return {cid: (s, e) for cid, s, e in zip(first["class_id"], first["start"], first["end"])}


def occupancy(rows: pd.DataFrame) -> pd.DataFrame:
    """(cadre_id, activity_id, kind, day) for every day each row occupies: every calendar day
    for full-time classes and rotations, Saturdays and Sundays only for weekend classes."""
    ok = rows["eff_start"].notna() & rows["eff_end"].notna()
    r = rows[ok]
    s = r["eff_start"].to_numpy(dtype=np.int64)
    e = r["eff_end"].to_numpy(dtype=np.int64)
    n = e - s + 1
    keep = (n > 0) & (n <= MAX_SPAN)
    r, s, n = r[keep], s[keep], n[keep]
    idx = np.repeat(np.arange(len(r)), n)
    first = np.repeat(np.cumsum(n) - n, n)
    day = np.repeat(s, n) + (np.arange(int(n.sum())) - first)
    occ = pd.DataFrame({
        "cadre_id": r["cadre_id"].to_numpy(dtype=object)[idx],
        "activity_id": r["activity_id"].to_numpy(dtype=object)[idx],
        "kind": r["kind_true"].to_numpy(dtype=object)[idx],
        "day": day,
    })
    weekend_mode = (r["mode"].to_numpy(dtype=object) == "weekend")[idx]
    return occ[~weekend_mode | (_weekday(day) >= 5)].reset_index(drop=True)


def build_context(data: str | Path | Dataset, plan_dir: str | Path, year: int,
                  policy: Policy | str | Path | None = None) -> Context:
    ds = data if isinstance(data, Dataset) else load_dataset(data, year)
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    plan_dir = Path(plan_dir)
    problems: list[str] = []
    if not plan_dir.is_dir():
        problems.append(f"the plan folder {plan_dir} does not exist")
    cadres = ds.cadres.drop_duplicates("cadre_id").set_index("cadre_id", drop=False)
    acts = _activities(ds)
    plan = read_plan(plan_dir, cadres, acts, problems)
    classes_out = read_classes_out(plan_dir, problems)
    summary = read_summary(plan_dir, problems)
    shortfall = _read_csv(plan_dir / "shortfall.csv", "shortfall.csv", SHORTFALL_COLUMNS, problems)
    rows = _effective_dates(plan, acts, classes_out)
    occ = occupancy(rows)
    hol = {d.toordinal(): name for d, name in public_holidays(year, ds.holidays).items()}
    return Context(ds, year, pol, plan_dir, cadres, acts, hol, plan, rows, occ, classes_out, summary,
                   shortfall, problems)


# --------------------------------------------------------------------------- rule 1: rows and classes.csv
def rule_rows_match_activities(ctx: Context) -> list[str]:
    """Every cadre and activity exists, the row's kind, dates, days and hours are the activity's;
    no (cadre, activity) pair twice."""
    out: list[str] = []
    acts = ctx.activities.to_dict("index")
    listed = _windowed_dates(ctx.classes_out)
    absent = set(ctx.plan.attrs.get("missing", ()))
    for r in ctx.plan.to_dict("records"):
        where = f"plan.csv row {r['_line']}"
        cid, aid = r["cadre_id"], r["activity_id"]
        if "cadre_id" in absent or "activity_id" in absent:
            break  # rows cannot be matched to anything; the missing column is reported
        if not cid:
            out.append(f"{where}: cadre_id is empty")
        elif not r["cadre_ok"]:
            out.append(f"{where}: cadre {cid} does not exist in the data")
        if not aid:
            out.append(f"{where}: activity_id is empty")
            continue
        if not r["activity_ok"]:
            out.append(f"{where}: activity {aid} (cadre {cid}) does not exist in classes or rotations")
            continue
        who = f"{where}: cadre {cid}, {aid}"
        for col in r["bad"]:
            what = "a date (YYYY-MM-DD)" if col.endswith("date") else "a number"
            out.append(f"{who}: {col} '{r[col]}' is not {what}")
        a = acts[aid]
        kind = r["kind"].casefold()
        if kind != a["kind"] and "kind" not in absent:
            out.append(f"{who}: {aid} is a {a['kind']}, but kind is '{r['kind']}'")
        if a["windowed"]:
            exp_s, exp_e = listed.get(aid, (None, None))
            source = "classes.csv dates"
        else:
            exp_s, exp_e = a["start"], a["end"]
            source = f"{a['kind']}'s dates"
        for col, got, exp in (("start_date", r["start"], exp_s), ("end_date", r["end"], exp_e)):
            if col in r["bad"] or col in absent or exp is None:
                continue
            if got is None:
                out.append(f"{who}: {col} is empty; the {source} give {_iso(exp)}")
            elif got != exp:
                out.append(f"{who}: {col} {_iso(got)} differs from the {source} {_iso(exp)}")
        for col, got, exp in (("days", r["days_v"], a["days"]), ("hours", r["hours_v"], a["hours"])):
            if col in r["bad"] or col in absent:
                continue
            if got is None:
                out.append(f"{who}: {col} is empty; the {a['kind']} has {_num(exp)}")
            elif abs(got - exp) > TOL:
                out.append(f"{who}: {col} {_num(got)} differs from the {a['kind']}'s {_num(exp)}")
    known = ctx.plan[ctx.plan["activity_id"] != ""]
    known = known[known.duplicated(["cadre_id", "activity_id"], keep=False)]
    dup = known.groupby(["cadre_id", "activity_id"], sort=True)["_line"].agg(list)
    for (cid, aid), lines in dup[dup.map(len) > 1].items():
        out.append(f"cadre {cid}: {aid} appears {len(lines)} times in plan.csv (rows {', '.join(map(str, lines))})")
    return out


def rule_classes_listing(ctx: Context) -> list[str]:
    """classes.csv lists every class exactly once, with a valid status, the data's capacity,
    enrolled = the plan rows of the class, and (fixed-date classes) the data's dates;
    a cancelled windowed class has empty dates."""
    co = ctx.classes_out
    if co is None:
        return []
    out: list[str] = []
    acts = ctx.activities
    class_ids = acts.index[acts["kind"] == "class"]
    counts = ctx.plan["activity_id"].value_counts()
    absent = set(co.attrs.get("missing", ()))
    if "class_id" in absent:
        return out
    for r in co.to_dict("records"):
        where = f"classes.csv row {r['_line']}"
        cid = r["class_id"]
        if not cid:
            out.append(f"{where}: class_id is empty")
            continue
        if cid not in class_ids:
            out.append(f"{where}: class {cid} does not exist in the data's classes")
            continue
        a = acts.loc[cid]
        for col in r["bad"]:
            if col not in absent:
                what = "a date (YYYY-MM-DD)" if col.endswith("date") else "a whole number"
                out.append(f"{where}: class {cid}: {col} '{r[col]}' is not {what}")
        if r["status"] not in ("running", "cancelled") and "status" not in absent:
            out.append(f"{where}: class {cid}: status '{r['status']}' is neither running nor cancelled")
        n = int(counts.get(cid, 0))
        if r["enrolled_v"] is not None and r["enrolled_v"] != n:
            out.append(f"{where}: class {cid}: enrolled {r['enrolled_v']} but plan.csv has {n} row(s) for it")
        if r["capacity_v"] is not None and r["capacity_v"] != a["capacity"]:
            out.append(f"{where}: class {cid}: capacity {r['capacity_v']} differs from the data's {a['capacity']}")
        if a["windowed"]:
            if r["status"] == "cancelled" and (r["start_date"] or r["end_date"]):
                out.append(f"{where}: class {cid} is a cancelled windowed class but its dates are not empty")
        else:
            empty_ok = r["status"] == "cancelled" and not r["start_date"] and not r["end_date"]
            for col, got, exp in (("start_date", r["start"], a["start"]), ("end_date", r["end"], a["end"])):
                if col in r["bad"] or col in absent or empty_ok:
                    continue
                if got is None:
                    out.append(f"{where}: class {cid}: {col} is empty; the class runs from "
                               f"{_iso(a['start'])} to {_iso(a['end'])}")
                elif got != exp:
                    out.append(f"{where}: class {cid}: {col} {_iso(got)} differs from the data's {_iso(exp)}")
    seen = co["class_id"][co["class_id"] != ""].value_counts()
    for cid, k in seen[seen > 1].sort_index().items():
        out.append(f"classes.csv: class {cid} is listed {k} times")
    for cid in class_ids:
        if cid not in seen.index:
            out.append(f"classes.csv: class {cid} is not listed")
    return out


# --------------------------------------------------------------------------- rule 2: no overlap
def rule_no_overlap(ctx: Context) -> list[str]:
    """No cadre has two activities on the same day (days an activity occupies)."""
    occ = ctx.occ
    clash = occ[occ.duplicated(["cadre_id", "day"], keep=False)]
    if clash.empty:
        return []
    per_day = (clash.sort_values("activity_id").groupby(["cadre_id", "day"], sort=True)["activity_id"]
               .agg(lambda s: ", ".join(s)).reset_index())
    out = []
    for (cid, acts), g in per_day.groupby(["cadre_id", "activity_id"], sort=True):
        out.append(f"cadre {cid}: two activities on {_iso(g['day'].min())} ({acts}){_more(len(g))}")
    return out


# --------------------------------------------------------------------------- rule 3: blocked days
def rule_blocked_days(ctx: Context) -> list[str]:
    """Nobody in a class on a region blackout or a blackout of their unit; nobody in any
    activity during their own busy periods."""
    occ = ctx.occ
    hits: list[pd.DataFrame] = []
    classes = occ[occ["kind"] == "class"]
    bl = ctx.ds.blackouts
    for b in bl[bl["scope"] == "region"].to_dict("records"):
        s, e = b["start_date"].toordinal(), b["end_date"].toordinal()
        h = classes[(classes["day"] >= s) & (classes["day"] <= e)]
        if len(h):
            hits.append(h.assign(what=f"the region blackout {b['start_date']} to {b['end_date']}"
                                      f" ({b['reason'] or 'key work'})"))
    unit_bl = bl[bl["scope"] != "region"]
    if len(unit_bl) and len(classes):
        ub = pd.DataFrame({
            "unit_id": unit_bl["scope"].to_numpy(dtype=object),
            "bs": [d.toordinal() for d in unit_bl["start_date"]],
            "be": [d.toordinal() for d in unit_bl["end_date"]],
            "what": [f"the blackout of unit {u} {s} to {e} ({why or 'unit peak'})"
                     for u, s, e, why in zip(unit_bl["scope"], unit_bl["start_date"], unit_bl["end_date"],
                                             unit_bl["reason"])],
        })
        c = classes.assign(unit_id=ctx.cadres.loc[classes["cadre_id"], "unit_id"].to_numpy(dtype=object))
        m = c.merge(ub, on="unit_id")
        hits.append(m[(m["day"] >= m["bs"]) & (m["day"] <= m["be"])][list(occ.columns) + ["what"]])
    busy = ctx.ds.busy
    if len(busy) and len(occ):
        bb = pd.DataFrame({
            "cadre_id": busy["cadre_id"].to_numpy(dtype=object),
            "bs": [d.toordinal() for d in busy["start_date"]],
            "be": [d.toordinal() for d in busy["end_date"]],
            "what": [f"their own busy period {s} to {e} ({why or 'own work peak'})"
                     for s, e, why in zip(busy["start_date"], busy["end_date"], busy["reason"])],
        })
        m = occ.merge(bb, on="cadre_id")
        hits.append(m[(m["day"] >= m["bs"]) & (m["day"] <= m["be"])][list(occ.columns) + ["what"]])
    hits = [h for h in hits if len(h)]
    if not hits:
        return []
    allh = pd.concat(hits, ignore_index=True)
    out = []
    for (cid, aid, kind, what), g in allh.groupby(["cadre_id", "activity_id", "kind", "what"], sort=True):
        out.append(f"cadre {cid}: in {kind} {aid} on {_iso(g['day'].min())}{_more(g['day'].nunique())}, "
                   f"during {what}")
    return out


# --------------------------------------------------------------------------- rule 4: levels
def rule_levels(ctx: Context) -> list[str]:
    """Nobody in an activity whose levels list excludes their level (empty list = all levels)."""
    out = []
    rows = ctx.rows
    levels = ctx.cadres.loc[rows["cadre_id"], "level"].to_numpy(dtype=object)
    allowed = ctx.activities.loc[rows["activity_id"], "levels"].to_numpy(dtype=object)
    for cid, aid, lv, al in zip(rows["cadre_id"], rows["activity_id"], levels, allowed):
        if al and lv not in al:
            out.append(f"cadre {cid} (level {lv}): {aid} is open only to {', '.join(al)}")
    return out


# --------------------------------------------------------------------------- rule 5: class sizes
def rule_class_sizes(ctx: Context) -> list[str]:
    """Enrolment <= capacity; a running class has >= min_size; a cancelled class has nobody."""
    out = []
    acts = ctx.activities
    counts = ctx.plan.loc[ctx.plan["activity_ok"], "activity_id"].value_counts()
    status: dict[str, str] = {}
    if ctx.classes_out is not None:
        first = ctx.classes_out.drop_duplicates("class_id")
        status = dict(zip(first["class_id"], first["status"]))
    for aid, a in acts[acts["kind"] == "class"].iterrows():
        n = int(counts.get(aid, 0))
        st = status.get(aid, "running" if n else "cancelled")
        if n > a["capacity"]:
            out.append(f"class {aid}: {n} trainees, more than its capacity {a['capacity']}")
        if st == "cancelled" and n:
            out.append(f"class {aid} is cancelled but has {n} trainee(s) in plan.csv")
        elif st == "running" and n < a["min_size"]:
            out.append(f"class {aid} runs with {n} trainee(s), fewer than its min_size {a['min_size']}")
    return out


# --------------------------------------------------------------------------- rule 6: rotations
def rule_rotations(ctx: Context) -> list[str]:
    """Slots not exceeded; at most rotation.max_per_year per cadre; grassroots_years >=
    rotation.grassroots_threshold_years -> higher_level posts only, else grassroots posts only."""
    out = []
    acts = ctx.activities
    rot_rows = ctx.plan[ctx.plan["activity_ok"]]
    rot_rows = rot_rows[acts.loc[rot_rows["activity_id"], "kind"].to_numpy(dtype=object) == "rotation"]
    counts = rot_rows["activity_id"].value_counts()
    for aid, n in counts.sort_index().items():
        slots = acts.at[aid, "slots"]
        if n > slots:
            out.append(f"rotation {aid}: {n} cadres assigned, more than its {slots} slot(s)")
    rows = ctx.rows[ctx.rows["kind_true"] == "rotation"]
    limit = int(ctx.policy["rotation.max_per_year"])
    per = rows.groupby("cadre_id", sort=True)["activity_id"].agg(sorted)
    for cid, posts in per[per.map(len) > limit].items():
        out.append(f"cadre {cid}: {len(posts)} rotations in the year ({', '.join(posts)}), "
                   f"more than rotation.max_per_year = {limit}")
    threshold = float(ctx.policy["rotation.grassroots_threshold_years"])
    years = ctx.cadres.loc[rows["cadre_id"], "grassroots_years"].to_numpy(dtype=object)
    directions = acts.loc[rows["activity_id"], "direction"].to_numpy(dtype=object)
    for cid, aid, y, d in zip(rows["cadre_id"], rows["activity_id"], years, directions):
        want = "higher_level" if float(y) >= threshold else "grassroots"
        if d != want:
            out.append(f"cadre {cid}: rotation {aid} is a {d} post, but with {float(y):g} grassroots years "
                       f"(threshold {threshold:g}) the cadre may only take {want} posts")
    return out


# --------------------------------------------------------------------------- rule 7: topics
def rule_no_repeated_topic(ctx: Context) -> list[str]:
    """No class on a topic found among the cadre's `class` history rows, nor one topic twice in the year."""
    out = []
    rows = ctx.rows[ctx.rows["kind_true"] == "class"]
    if rows.empty:
        return out
    acts = ctx.activities
    rows = rows.assign(topic_key=acts.loc[rows["activity_id"], "topic_key"].to_numpy(dtype=object),
                       topic=acts.loc[rows["activity_id"], "topic"].to_numpy(dtype=object))
    h = ctx.ds.history
    h = h[(h["kind"] == "class") & (h["topic_key"] != "")]
    past = h.groupby(["cadre_id", "topic_key"])["year"].min().rename("past_year").reset_index()
    m = rows.merge(past, on=["cadre_id", "topic_key"])
    for r in m.sort_values(["cadre_id", "activity_id"]).to_dict("records"):
        out.append(f"cadre {r['cadre_id']}: class {r['activity_id']} repeats the topic '{r['topic']}' "
                   f"already taken in {r['past_year']} (history)")
    keyed = rows[rows["topic_key"] != ""]
    twice = keyed[keyed.duplicated(["cadre_id", "topic_key"], keep=False)]
    for (cid, _), g in twice.groupby(["cadre_id", "topic_key"], sort=True):
        if len(g) > 1:
            out.append(f"cadre {cid}: the topic '{g['topic'].iat[0]}' twice in the year "
                       f"({', '.join(sorted(g['activity_id']))})")
    return out


# --------------------------------------------------------------------------- rule 8: pins
def rule_pins(ctx: Context) -> list[str]:
    """`must` pins honoured (the cadre has the activity), `must_not` pins respected."""
    out = []
    have = set(zip(ctx.rows["cadre_id"], ctx.rows["activity_id"]))
    for p in ctx.ds.pins.to_dict("records"):
        pair = (p["cadre_id"], p["activity_id"])
        if p["rule"] == "must" and pair not in have:
            out.append(f"cadre {pair[0]}: must pin not honoured: {pair[1]} is not in the plan")
        elif p["rule"] == "must_not" and pair in have:
            out.append(f"cadre {pair[0]}: must_not pin broken: {pair[1]} is in the plan")
    return out


# --------------------------------------------------------------------------- rule 9: unit absence
def unit_limits(ctx: Context) -> pd.Series:
    """Per unit: max(absence.min_absent, floor(max_absent_share x headcount))."""
    head = ctx.ds.cadres.groupby("unit_id").size()
    units = ctx.ds.units.drop_duplicates("unit_id").set_index("unit_id")
    default = float(ctx.policy["absence.max_absent_share"])
    share = pd.Series([float(x) if x is not None and not pd.isna(x) else default for x in units["max_absent_share"]],
                      index=units.index)
    share = share.reindex(head.index).fillna(default)
    floor = np.floor(share.to_numpy(dtype=float) * head.to_numpy(dtype=float) + 1e-9)
    return pd.Series(np.maximum(float(ctx.policy["absence.min_absent"]), floor).astype(int), index=head.index)


def rule_unit_absence(ctx: Context) -> list[str]:
    """On no day is a unit missing more than its limit of cadres (occupied by any class or rotation)."""
    occ = ctx.occ.drop_duplicates(["cadre_id", "day"])
    if occ.empty:
        return []
    occ = occ.assign(unit_id=ctx.cadres.loc[occ["cadre_id"], "unit_id"].to_numpy(dtype=object))
    counts = occ.groupby(["unit_id", "day"]).size().rename("away").reset_index()
    limits = unit_limits(ctx)
    counts["limit"] = limits.reindex(counts["unit_id"]).to_numpy()
    over = counts[counts["away"] > counts["limit"]]
    head = ctx.ds.cadres.groupby("unit_id").size()
    out = []
    for uid, g in over.groupby("unit_id", sort=True):
        worst = g.sort_values(["away", "day"], ascending=[False, True]).iloc[0]
        names = sorted(occ.loc[(occ["unit_id"] == uid) & (occ["day"] == worst["day"]), "cadre_id"])
        shown = ", ".join(names[:MAX_NAMES]) + (", …" if len(names) > MAX_NAMES else "")
        extra = f" (over the limit on {len(g)} days)" if len(g) > 1 else ""
        out.append(f"unit {uid}: {worst['away']} of its {head[uid]} cadres away on {_iso(worst['day'])} "
                   f"({shown}), more than the {worst['limit']} allowed{extra}")
    return out


# --------------------------------------------------------------------------- rule 10: windowed classes
def rule_windowed_dates(ctx: Context) -> list[str]:
    """A running windowed class has dates inside its window, starts and ends on a training day,
    holds exactly `days` training days (Mon–Fri full_time, Sat–Sun weekend, no holidays) and
    occupies no statutory holiday and no region blackout day."""
    co = ctx.classes_out
    if co is None:
        return []
    out = []
    acts = ctx.activities
    region: dict[int, str] = {}
    bl = ctx.ds.blackouts
    for b in bl[bl["scope"] == "region"].to_dict("records"):
        for d in range(b["start_date"].toordinal(), b["end_date"].toordinal() + 1):
            region.setdefault(d, f"{b['start_date']} to {b['end_date']} ({b['reason'] or 'key work'})")
    for r in co.drop_duplicates("class_id").to_dict("records"):
        cid = r["class_id"]
        if cid not in acts.index or acts.at[cid, "kind"] != "class" or not acts.at[cid, "windowed"]:
            continue
        if r["status"] != "running":
            continue
        a = acts.loc[cid]
        ws, we = a["window_start"], a["window_end"]
        s, e = r["start"], r["end"]
        if s is None or e is None:
            if not ({"start_date", "end_date"} & set(r["bad"])):
                out.append(f"windowed class {cid} is running but classes.csv gives no start_date/end_date")
            continue
        if e < s:
            out.append(f"windowed class {cid}: end {_iso(e)} is before start {_iso(s)}")
            continue
        if s < ws or e > we:
            out.append(f"windowed class {cid}: {_iso(s)} to {_iso(e)} is outside its window "
                       f"{_iso(ws)} to {_iso(we)}")
        weekend = a["mode"] == "weekend"
        span = np.arange(s, e + 1)
        is_weekend = _weekday(span) >= 5
        occupied = span[is_weekend] if weekend else span
        hol = [d for d in occupied if int(d) in ctx.holidays]
        if hol:
            out.append(f"windowed class {cid}: runs over the statutory holiday {_iso(hol[0])} "
                       f"({ctx.holidays[int(hol[0])]}){_more(len(hol), 'holiday')}")
        blk = [d for d in occupied if int(d) in region]
        if blk:
            out.append(f"windowed class {cid}: runs on {_iso(blk[0])}{_more(len(blk))}, inside the region "
                       f"blackout {region[int(blk[0])]}")
        training = span[(is_weekend == weekend) & ~np.isin(span, list(ctx.holidays))]
        for what, d in (("starts", s), ("ends", e)):
            if d not in set(training.tolist()):
                out.append(f"windowed class {cid}: {what} on {_iso(d)}, which is not a training day "
                           f"({'Saturday–Sunday' if weekend else 'Monday–Friday'}, not a holiday)")
        if abs(len(training) - a["days"]) > TOL:
            out.append(f"windowed class {cid}: {_iso(s)} to {_iso(e)} holds {len(training)} training days, "
                       f"not the class's {_num(a['days'])}")
    return out


# --------------------------------------------------------------------------- rule 11: budget
def rule_budget(ctx: Context) -> list[str]:
    """Sum over plan class rows of the class's cost_per_trainee <= budget.total (when set)."""
    total = ctx.policy["budget.total"]
    if total is None:
        return []
    rows = ctx.plan[ctx.plan["activity_ok"]]
    cost = float(ctx.activities.loc[rows["activity_id"], "cost"].astype(float).sum())
    if cost > float(total) + TOL:
        return [f"budget: the plan's class cost {_num(cost)} yuan exceeds budget.total {_num(float(total))} yuan"]
    return []


# --------------------------------------------------------------------------- rule 12: summary, shortfall
def requirement(ctx: Context) -> pd.DataFrame:
    """Per cadre: measure, required, planned, met (contract 'Definitions': only classes count).

    Below division level: met when class days >= requirement.annual_days or class hours >=
    requirement.annual_hours (measure: days). Division level: met when class hours >=
    max(0, requirement.division_hours - class hours in history of the previous
    division_years - 1 years) (measure: hours). Nothing required counts as met."""
    if "requirement" in ctx.cache:
        return ctx.cache["requirement"]
    p = ctx.policy
    c = ctx.cadres
    rows = ctx.rows[ctx.rows["kind_true"] == "class"]
    a = ctx.activities
    got = pd.DataFrame({"cadre_id": rows["cadre_id"].to_numpy(dtype=object),
                        "days": a.loc[rows["activity_id"], "days"].to_numpy(dtype=float),
                        "hours": a.loc[rows["activity_id"], "hours"].to_numpy(dtype=float)})
    sums = got.groupby("cadre_id")[["days", "hours"]].sum().reindex(c.index).fillna(0.0)
    h = ctx.ds.history
    first = ctx.year - (int(p["requirement.division_years"]) - 1)
    h = h[(h["kind"] == "class") & h["year"].map(lambda y: y is not None and first <= y < ctx.year)]
    prior = (pd.Series([float(x) if x is not None and not pd.isna(x) else 0.0 for x in h["hours"]],
                       index=h.index, dtype=float).groupby(h["cadre_id"].to_numpy(dtype=object)).sum()
             .reindex(c.index).fillna(0.0))
    division = (c["level"] == DIVISION).to_numpy()
    req_hours = np.maximum(0.0, float(p["requirement.division_hours"]) - prior.to_numpy(dtype=float))
    days, hours = sums["days"].to_numpy(), sums["hours"].to_numpy()
    met_below = ((days >= float(p["requirement.annual_days"]) - 1e-9)
                 | (hours >= float(p["requirement.annual_hours"]) - 1e-9))
    met_div = hours >= req_hours - 1e-9
    ctx.cache["requirement"] = pd.DataFrame({
        "cadre_id": c.index,
        "unit_id": c["unit_id"].to_numpy(dtype=object),
        "measure": np.where(division, "hours", "days"),
        "required": np.where(division, req_hours, float(p["requirement.annual_days"])),
        "planned": np.where(division, hours, days),
        "met": np.where(division, met_div, met_below),
    }, index=c.index)
    return ctx.cache["requirement"]


def rule_summary(ctx: Context) -> list[str]:
    """summary.json holds the contract keys, a plan status, the number of cadres and the
    requirement_met_share recomputed from the plan."""
    s = ctx.summary
    if s is None:
        return []
    out = []
    missing = [k for k in SUMMARY_KEYS if k not in s]
    if missing:
        out.append(f"summary.json lacks the key(s) {', '.join(missing)}")
    if "status" in s:
        if s["status"] not in STATUSES:
            out.append(f"summary.json: status '{s['status']}' is not one of {', '.join(STATUSES)}")
        elif s["status"] not in PLAN_STATUSES:
            out.append(f"summary.json: status is '{s['status']}', so the folder holds no valid plan")
    n = len(ctx.cadres)
    if "cadres" in s and (isinstance(s["cadres"], bool) or s["cadres"] != n):
        out.append(f"summary.json: cadres is {s['cadres']!r} but the data has {n} cadres")
    if "requirement_met_share" in s and n:
        share = s["requirement_met_share"]
        expected = float(requirement(ctx)["met"].sum()) / n
        if isinstance(share, bool) or not isinstance(share, (int, float)):
            out.append(f"summary.json: requirement_met_share {share!r} is not a number")
        elif not abs(share - expected) <= SHARE_TOL:
            out.append(f"summary.json: requirement_met_share {share:.6g} differs from the recomputed "
                       f"{expected:.6g}")
    return out


def rule_shortfall(ctx: Context) -> list[str]:
    """shortfall.csv lists exactly the cadres whose requirement is not met, with their unit,
    measure, required and planned amounts and a reason."""
    sf = ctx.shortfall
    if sf is None:
        return []
    out = []
    req = requirement(ctx)
    unmet = set(req.index[~req["met"].astype(bool)])
    counts = sf["cadre_id"].value_counts()
    absent = set(sf.attrs.get("missing", ()))
    if "cadre_id" in absent:
        return out
    for r in sf.to_dict("records"):
        where = f"shortfall.csv row {r['_line']}"
        cid = r["cadre_id"]
        if cid not in req.index:
            out.append(f"{where}: cadre {cid or '(empty)'} does not exist in the data")
            continue
        if cid not in unmet:
            out.append(f"{where}: cadre {cid} is listed but meets the requirement "
                       f"({_num(req.at[cid, 'planned'])} {req.at[cid, 'measure']} planned)")
            continue
        q = req.loc[cid]
        if r["unit_id"] != q["unit_id"] and "unit_id" not in absent:
            out.append(f"{where}: cadre {cid}: unit_id '{r['unit_id']}' differs from the data's {q['unit_id']}")
        if r["measure"].casefold() != q["measure"] and "measure" not in absent:
            out.append(f"{where}: cadre {cid}: measure '{r['measure']}' should be {q['measure']}")
        for col in ("required", "planned"):
            if col in absent:
                continue
            v, ok = _parse_number(r[col])
            if v is None:
                out.append(f"{where}: cadre {cid}: {col} '{r[col]}' is not a number")
            elif abs(v - q[col]) > TOL:
                out.append(f"{where}: cadre {cid}: {col} {_num(v)} differs from the recomputed {_num(q[col])}")
        if not r["reasons"] and "reasons" not in absent:
            out.append(f"{where}: cadre {cid}: no reasons given")
    for cid, k in counts[counts > 1].sort_index().items():
        if cid:
            out.append(f"shortfall.csv: cadre {cid} is listed {k} times")
    for cid in sorted(unmet - set(counts.index)):
        q = req.loc[cid]
        out.append(f"shortfall.csv: cadre {cid} does not meet the requirement ({_num(q['planned'])} of "
                   f"{_num(q['required'])} {q['measure']}) but is not listed")
    return out


def _span(acts: pd.DataFrame, aid: str) -> tuple[int, int] | None:
    """The days a class could occupy: its dates, or its window when it is windowed."""
    r = acts.loc[aid]
    s, e = (r["start"], r["end"]) if r["start"] is not None else (r["window_start"], r["window_end"])
    return (int(s), int(e)) if s is not None and e is not None else None


def _overlaps(span, periods) -> bool:
    return span is not None and any(s <= span[1] and span[0] <= e for s, e in periods)


def _evidence_facts(ctx: Context) -> dict:
    """What shortfall_evidence reads for every cadre, derived once per check (ctx.cache)."""
    if "evidence" in ctx.cache:
        return ctx.cache["evidence"]
    acts = ctx.activities
    classes = acts[acts["kind"] == "class"]
    h = ctx.ds.history
    hc = h[h["kind"] == "class"]
    busy = ctx.ds.busy
    bl = ctx.ds.blackouts
    occ = ctx.occ.drop_duplicates(["cadre_id", "day"])
    unit = ctx.cadres["unit_id"].reindex(occ["cadre_id"]).to_numpy(dtype=object)
    away = pd.DataFrame({"unit": unit, "day": occ["day"].to_numpy()}).groupby(["unit", "day"]).size()
    f = {
        "classes": classes,
        "spans": {a: _span(acts, a) for a in classes.index},
        "taken": {c: set(t) for c, t in hc.groupby("cadre_id")["topic_key"]},
        "busy": {c: list(zip(_ords(b["start_date"]), _ords(b["end_date"]))) for c, b in busy.groupby("cadre_id")},
        "blackouts": {sc: list(zip(_ords(b["start_date"]), _ords(b["end_date"]))) for sc, b in bl.groupby("scope")},
        "enrolled": ctx.rows["activity_id"].value_counts(),
        "mine": {c: r for c, r in ctx.rows.groupby("cadre_id")},
        "occ": {c: o for c, o in ctx.occ.groupby("cadre_id")},
        "away_max": away.groupby(level=0).max().to_dict() if len(away) else {},
        "limits": unit_limits(ctx),
    }
    ctx.cache["evidence"] = f
    return f


def shortfall_evidence(ctx: Context, cadre_id: str) -> set[str]:
    """The reason codes (planning.messages.REASON_CODES) that the data and the plan support for
    a cadre short of the requirement, derived here without the model: e.g. ``cancelled`` needs a
    cancelled class open to the cadre's level on a topic not yet taken, ``unit_cap`` a day on
    which the cadre's unit is at its absence limit, ``budget`` a budget."""
    f = _evidence_facts(ctx)
    acts, c, classes = ctx.activities, ctx.cadres.loc[cadre_id], f["classes"]
    taken = f["taken"].get(cadre_id, set())
    open_ = [a for a, lv, tk in zip(classes.index, classes["levels"], classes["topic_key"])
             if (not lv or c["level"] in lv) and tk not in taken]
    codes = {"combination"}
    if not open_:
        return codes | {"no_class_for_level"}
    codes.add("offer_too_small")
    spans = {a: f["spans"][a] for a in open_}
    if any(_overlaps(sp, f["busy"].get(cadre_id, ())) for sp in spans.values()):
        codes.add("busy")
    for scope, code in ((c["unit_id"], "blackout"), ("region", "region_blackout")):
        if any(_overlaps(sp, f["blackouts"].get(scope, ())) for sp in spans.values()):
            codes.add(code)
    if any(classes.at[a, "windowed"] for a in open_):
        codes.add("unscheduled")
    enrolled = f["enrolled"]
    full = [a for a in open_ if enrolled.get(a, 0) >= (classes.at[a, "capacity"] or 0)]
    if full:
        codes |= {"full", "full_higher"}
    if any(enrolled.get(a, 0) == 0 and (classes.at[a, "windowed"] or classes.at[a, "min_size"] > 0) for a in open_):
        codes.add("cancelled")
    mine = f["mine"].get(cadre_id)
    if mine is not None and len(mine):
        # the days the cadre's own activities occupy as planned (a windowed class has no dates in the data)
        mine_occ = f["occ"][cadre_id].groupby("activity_id")["day"] if cadre_id in f["occ"] else None
        my_spans = list(zip(mine_occ.min(), mine_occ.max())) if mine_occ is not None else []
        mine_ids = set(mine["activity_id"])
        if any(_overlaps(spans[a], my_spans) for a in open_ if a not in mine_ids):
            codes.add("clash")
        my_topics = {acts.at[a, "topic_key"] for a in mine["activity_id"] if acts.at[a, "kind"] == "class"}
        if any(classes.at[a, "topic_key"] in my_topics for a in open_ if a not in mine_ids):
            codes.add("topic_taken")
    away = f["away_max"].get(c["unit_id"])
    if away is not None and int(away) >= int(f["limits"].get(c["unit_id"], 0)):
        codes.add("unit_cap")
    if ctx.policy["budget.total"] is not None:
        codes.add("budget")
    return codes


def rule_shortfall_codes(ctx: Context) -> list[str]:
    """Each reason code in shortfall.csv's optional `reason_codes` column is a known code that
    the data and the plan support for that cadre (``shortfall_evidence``)."""
    sf = ctx.shortfall
    if sf is None or "reason_codes" not in sf.columns:
        return []
    out = []
    for r in sf.to_dict("records"):
        cid = r["cadre_id"]
        if cid not in ctx.cadres.index:
            continue
        codes = [x.strip() for x in str(r["reason_codes"] or "").split(";") if x.strip() and x.strip() != "nan"]
        unknown = [x for x in codes if x not in REASON_CODES]
        if unknown:
            out.append(f"shortfall.csv row {r['_line']}: cadre {cid}: unknown reason code(s) {', '.join(unknown)}")
        evidence = shortfall_evidence(ctx, cid) if codes else set()
        unsupported = [x for x in codes if x in REASON_CODES and x not in evidence]
        if unsupported:
            out.append(f"shortfall.csv row {r['_line']}: cadre {cid}: the data and the plan do not support the "
                       f"reason(s) {', '.join(unsupported)}")
    return out


# --------------------------------------------------------------------------- the recipe
RULES: tuple[Callable[[Context], list[str]], ...] = (
    rule_rows_match_activities,   # 1
    rule_classes_listing,         # 1
    rule_no_overlap,              # 2
    rule_blocked_days,            # 3
    rule_levels,                  # 4
    rule_class_sizes,             # 5
    rule_rotations,               # 6
    rule_no_repeated_topic,       # 7
    rule_pins,                    # 8
    rule_unit_absence,            # 9
    rule_windowed_dates,          # 10
    rule_budget,                  # 11
    rule_summary,                 # 12
    rule_shortfall,               # 12
    rule_shortfall_codes,         # 12
)


def check_plan(data: str | Path | Dataset, plan_dir: str | Path, year: int,
               policy: Policy | str | Path | None = None) -> list[str]:
    """Every violation of the contract's validity rules by the plan in `plan_dir`, one
    plain-English line each; an empty list means the plan is valid.

    `data` is a data set path (loaded and validated for `year`) or a loaded Dataset;
    `policy` a Policy, a policy file, or None for the defaults.
    """
    ctx = build_context(data, plan_dir, year, policy)
    out = list(ctx.file_problems)
    for rule in RULES:
        out += rule(ctx)
    return out
