"""Re-plan during the year with as few changes as possible against the published (base) plan.

    load the changed data → read the base plan → split it at --as-of → pin what must stay →
    build the problem → price the changes → solve from the base plan → extract → list the changes
    → write (checked by the independent checker against the changed data)

- **Facts**: assignments that ended before `as_of` stay as they are (a `must` pin; a windowed
  class keeps its dates). Data that now forbids one is refused (exit 2): what happened cannot change.
- **Under way** (started before `as_of`, not yet ended): stay (pinned) unless the changed data
  forbids them (a new blackout, a transfer, a level change ...): then they end, with the reason.
- **Later**: free, but each change costs — the weighted version of "a valid plan first, then the
  requirement objective, then fewest changes": every assignment dropped from the base plan or
  added to it costs `replan.change_penalty` objective points, a dropped one whose notice is
  already out (it starts within `replan.notice_days` of `as_of`) `replan.notice_change_penalty`.
  A windowed class moved to other dates is a change for each of its trainees. With the default
  weights (one met requirement is worth 100 × priority weight) a change is made only for a clear gain.

The change cost is the problem's extra objective term (`PlanningProblem.pair_value`, read by the
MIP, the Lagrangian scorer and the ejection search); the search starts from the base plan
(`solve_plan(..., warm=)`). No rule is copied here: pins and the pipeline's own steps do the work.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planning.data.load import ROW, Dataset
from planning.errors import DataError, Problem
from planning.io import check_output_target, hold_output, read_plan_csv
from planning.model.problem import PlanningProblem, build_problem
from planning.model.warm import pair_index
from planning.pipeline import PlanResult, extract_result, load_data, plan_policy, solve_plan, write_plan
from planning.policy import Policy
from planning.inyear import words
from planning.inyear.words import Why, span
from planning.messages import Note, data_lang, say

CHANGE_COLUMNS = ["cadre_id", "before", "after", "reason"]  # the contract's columns (reason: the data's language)
REASON_COLUMNS = ["reason_codes", "reason_en", "reason_zh"]  # the reason's codes and its words in both languages
PHASES = ("fact", "under_way", "later")


@dataclass
class ReplanResult:
    """The re-plan (a PlanResult: plan, classes, shortfall, summary) and its changes against the base."""

    result: PlanResult
    changes: pd.DataFrame  # CHANGE_COLUMNS, one row per cadre and change
    base: pd.DataFrame  # the base plan's rows, with `phase` (fact / under_way / later)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def summary(self) -> dict:
        return self.result.summary

    @property
    def plan(self) -> pd.DataFrame:
        return self.result.plan


# --------------------------------------------------------------------------- inputs
def parse_as_of(as_of: str | dt.date, year: int) -> dt.date:
    """--as-of: a date inside the plan year (DataError otherwise)."""
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise DataError([Problem("--as-of", None, None, f"'{as_of}' is not a date: write it as YYYY-MM-DD")]) from None
    if as_of.year != year:
        raise DataError([Problem("--as-of", None, None, f"{as_of} is outside the plan year {year}")])
    return as_of


def read_base(base: str | Path | pd.DataFrame | PlanResult) -> tuple[pd.DataFrame, dict[str, str]]:
    """The base plan's rows (cadre_id, activity_id, kind, start_date, end_date as dates) and each
    cadre's unit when the plan recorded it (coverage.csv). DataError naming plan.csv's line and column."""
    units: dict[str, str] = {}
    if isinstance(base, PlanResult):
        rows, units = base.plan, dict(zip(base.coverage["cadre_id"], base.coverage["unit_id"]))
    elif isinstance(base, pd.DataFrame):
        rows = base
    else:
        folder = Path(base)
        if not (folder / "plan.csv").is_file():
            raise DataError([Problem("plan.csv", None, None, f"{folder} holds no plan.csv: give the folder of a "
                                     "plan written by planning plan")])
        try:
            rows = read_plan_csv(folder / "plan.csv")
            if (folder / "coverage.csv").is_file():
                cov = read_plan_csv(folder / "coverage.csv")
                if {"cadre_id", "unit_id"} <= set(cov.columns):
                    units = dict(zip(cov["cadre_id"], cov["unit_id"]))
        except (OSError, ValueError, UnicodeDecodeError) as e:
            raise DataError([Problem("plan.csv", None, None, f"{folder / 'plan.csv'} cannot be read ({e})")]) from None
    need = ["cadre_id", "activity_id", "kind", "start_date", "end_date"]
    missing = [c for c in need if c not in rows.columns]
    if missing:
        raise DataError([Problem("plan.csv", 1, c, "this required column is missing from the header") for c in missing])
    out = rows[need].astype(str).copy()
    problems = []
    for col in ("start_date", "end_date"):
        parsed = []
        for k, v in enumerate(out[col]):
            try:
                parsed.append(dt.date.fromisoformat(v.strip()[:10]))
            except ValueError:
                parsed.append(None)
                problems.append(Problem("plan.csv", k + 2, col, f"'{v}' is not a date (YYYY-MM-DD)"))
        out[col] = pd.Series(parsed, index=out.index, dtype=object)
    if problems:
        raise DataError(problems)
    return out.reset_index(drop=True), units


def split_at(base: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """fact: ended before `as_of`; under_way: started before it and not yet ended; later: the rest."""
    return pd.Series(["fact" if e < as_of else "under_way" if s < as_of else "later"
                      for s, e in zip(base["start_date"], base["end_date"])], index=base.index, dtype=object)


# --------------------------------------------------------------------------- the re-plan data set
def _fixed_windowed(ds: Dataset, base: pd.DataFrame) -> Dataset:
    """Windowed classes with a trainee who started: the dates they run on, as fixed dates."""
    started = base[(base["phase"] != "later") & (base["kind"] == "class")]
    dates = {a: (s, e) for a, s, e in zip(started["activity_id"], started["start_date"], started["end_date"])}
    cls = ds.classes.copy()
    for k, r in cls.iterrows():
        if r["class_id"] in dates and r["window_start"]:
            cls.at[k, "start_date"], cls.at[k, "end_date"] = dates[r["class_id"]]
            cls.at[k, "window_start"] = cls.at[k, "window_end"] = None
    out = ds.copy()
    out.tables["classes"] = cls
    return out


def _with_pins(ds: Dataset, keep: pd.DataFrame, gone: list[tuple[str, str]] = ()) -> Dataset:
    """The data set with a `must` pin for every assignment that stays (facts, allowed ones under way)
    and a `must_not` pin for every one that ends (attendance: no credit)."""
    out = ds.copy()
    have = set(zip(ds.pins["cadre_id"], ds.pins["activity_id"], ds.pins["rule"]))
    new = [(c, a, "must") for c, a in zip(keep["cadre_id"], keep["activity_id"]) if (c, a, "must") not in have]
    new += [(c, a, "must_not") for c, a in gone if (c, a, "must_not") not in have]
    start = int(ds.pins[ROW].max()) + 1 if len(ds.pins) else 2
    rows = pd.DataFrame({"cadre_id": [c for c, _, _ in new], "activity_id": [a for _, a, _ in new],
                         "rule": [r for _, _, r in new], ROW: range(start, start + len(new))})
    out.tables["pins"] = pd.concat([ds.pins, rows.astype({ROW: "int64"})], ignore_index=True)
    return out


def attendance_drops(ds: Dataset, base: pd.DataFrame, year: int, policy: Policy,
                     attendance: pd.DataFrame | None) -> tuple[dict[tuple[str, str], Why], list[str]]:
    """Started assignments the attendance gave no credit (absent, or withdrawn: leave over the policy
    share): they leave the plan, so that the cadre may get another class, with the reason. One whose
    class would fall below its minimum size stays (a warning says so). DataError (exit 2, naming the
    attendance row) for attendance of an assignment the base plan does not hold."""
    from planning.inyear.history import year_record

    att = ds.attendance if attendance is None else attendance
    if att is None or not len(att):
        return {}, []
    acts = set(ds.classes["class_id"]) | set(ds.rotations["post_id"])
    known = base[base["cadre_id"].isin(set(ds.cadres["cadre_id"])) & base["activity_id"].isin(acts)]
    record = year_record(ds, known[["cadre_id", "activity_id"]].reset_index(drop=True), year, policy, att)
    phase = dict(zip(zip(known["cadre_id"], known["activity_id"]), known["phase"]))
    enrolled = base["activity_id"].value_counts().to_dict()
    min_size = {c: int(m or 0) for c, m in zip(ds.classes["class_id"], ds.classes["min_size"])}
    drops, warnings = {}, []
    for r in record[record["status"] != "credited"].itertuples():
        if phase.get((r.cadre_id, r.activity_id)) == "later":
            continue
        if enrolled.get(r.activity_id, 0) - 1 < min_size.get(r.activity_id, 0):
            warnings.append(Note("rp_note_min_size", {"cadre": r.cadre_id, "act": r.activity_id,
                                                      "status_en": say(f"rp_status_{r.status}", "en"),
                                                      "status_zh": say(f"rp_status_{r.status}", "zh")}))
            continue
        enrolled[r.activity_id] -= 1
        if r.status == "withdrawn":
            share = float(policy["requirement.leave_max_share"])
            drops[(r.cadre_id, r.activity_id)] = Why("rp_withdrawn", {
                "act": r.activity_id, "leave": r.leave_hours, "share": share, "hours": r.hours,
                "limit": share * float(r.hours)})
        else:
            drops[(r.cadre_id, r.activity_id)] = Why("rp_absent", {"act": r.activity_id})
    return drops, warnings


# --------------------------------------------------------------------------- reasons by code
def _span(s: dt.date, e: dt.date) -> str:
    return span(s, e, "en")


def _overlapping(periods, s: dt.date, e: dt.date) -> tuple[str, str, str] | None:
    for ps, pe, why in periods:
        if ps <= e and s <= pe:
            return (ps.isoformat(), pe.isoformat(), why or "")
    return None


class Reasons:
    """Why a base assignment cannot stay, as a reason code with its values (planning.inyear.words.Why;
    the changed data against the base plan)."""

    def __init__(self, ds: Dataset, prob: PlanningProblem, base_units: dict[str, str], base: pd.DataFrame):
        self.prob = prob
        self.cadres = dict(zip(ds.cadres["cadre_id"], ds.cadres["unit_id"]))
        self.levels = dict(zip(ds.cadres["cadre_id"], ds.cadres["level"]))
        self.classes = set(ds.classes["class_id"])
        self.posts = set(ds.rotations["post_id"])
        self.capacity = {**dict(zip(ds.classes["class_id"], ds.classes["capacity"])),
                         **dict(zip(ds.rotations["post_id"], ds.rotations["slots"]))}
        self.enrolled = base["activity_id"].value_counts().to_dict()
        self.base_units = base_units
        self.cal = prob.calendar

    def forced(self, c: str, a: str, kind: str, s: dt.date, e: dt.date) -> Why | None:
        """Why the changed data forbids this assignment (None when it allows it)."""
        if c not in self.cadres:
            return Why("rp_roster", {"cadre": c})
        if a not in self.classes and a not in self.posts:
            return Why("rp_class_cancelled" if kind == "class" else "rp_post_cancelled", {"act": a})
        ex = self.prob.exclusions.get(c, {})
        kinds = [k for k, ids in ex.items() if a in ids]
        unit = self.cadres[c]
        moved = self.base_units.get(c)
        transfer = {"old": moved, "new": unit} if moved and moved != unit else {}
        if kind == "class":
            hit = _overlapping(self.cal.region_periods, s, e)
            if hit:
                return Why("rp_region_blackout", {"period": hit})
            hit = _overlapping(self.cal.unit_periods.get(unit, []), s, e)
            if hit:
                return Why("rp_unit_blackout", {"unit": unit, "period": hit, **transfer})
        hit = _overlapping(self.cal.busy_periods.get(c, []), s, e)
        if hit:
            return Why("rp_busy", {"period": hit})
        if "level" in kinds:
            return Why("rp_level", {"act": a, "level": self.levels[c]})
        for k in ("direction", "topic", "must_not", "unscheduled"):
            if k in kinds:
                return Why(f"rp_{k}", {"act": a})
        return None

    def set_plan(self, plan: pd.DataFrame, classes: pd.DataFrame, base: pd.DataFrame) -> None:
        """The re-plan, to say why an allowed assignment still had to go: its unit already at its
        absence cap with the assignments kept from the base plan alone (a transfer in, a smaller
        cap), or its class below the minimum size."""
        from planning.calendar import occupied_days

        modes = dict(zip(self.prob.data.classes["class_id"], self.prob.data.classes["mode"]))
        self.away: dict[tuple[str, int], int] = {}
        was = set(zip(base["cadre_id"], base["activity_id"], [s.isoformat() for s in base["start_date"]]))
        kept = plan[[k in was for k in zip(plan["cadre_id"], plan["activity_id"], plan["start_date"].astype(str))]]
        for c, a, s, e in zip(kept["cadre_id"], kept["activity_id"], kept["start_date"], kept["end_date"]):
            for d in occupied_days(modes.get(a, "full_time"), dt.date.fromisoformat(str(s)), dt.date.fromisoformat(str(e))):
                key = (self.cadres.get(c), d)
                self.away[key] = self.away.get(key, 0) + 1
        self.modes = modes
        self.cancelled = set(classes.loc[classes["status"] == "cancelled", "class_id"]) if len(classes) else set()
        self.min_size = {a.activity_id: a.min_size for a in self.prob.activities.values()}
        self.moved_in = {}
        for c, u in self.cadres.items():
            if self.base_units.get(c) and self.base_units[c] != u:
                self.moved_in.setdefault(u, []).append(c)

    def chosen(self, c: str, a: str, s: dt.date | None = None, e: dt.date | None = None) -> Why:
        """Why the re-plan dropped an assignment the data still allows."""
        from planning.calendar import occupied_days

        unit = self.cadres.get(c)
        moved = self.base_units.get(c)
        if moved and unit and moved != unit:
            return Why("rp_transferred", {"old": moved, "new": unit})
        cap = self.capacity.get(a)
        if cap is not None and self.enrolled.get(a, 0) > cap:
            return Why("rp_cut", {"act": a, "cap": int(cap)})
        if a in getattr(self, "cancelled", ()) and self.min_size.get(a, 0) > 0:
            return Why("rp_min_size", {"act": a, "size": int(self.min_size[a])})
        if s is not None and hasattr(self, "away") and unit in self.prob.unit_cap:
            limit = self.prob.unit_cap[unit]
            full = sorted(d for d in occupied_days(self.modes.get(a, "full_time"), s, e)
                          if self.away.get((unit, d), 0) >= limit)
            if full:
                who = self.moved_in.get(unit)
                return Why("rp_unit_cap", {"unit": unit, "cap": int(limit),
                                           "day": dt.date.fromordinal(full[0]).isoformat(),
                                           **({"who": tuple(sorted(who))} if who else {})})
        return Why("rp_better")


# --------------------------------------------------------------------------- the change cost
def change_values(prob: PlanningProblem, base: pd.DataFrame, as_of: dt.date, policy: Policy) -> tuple[np.ndarray, float]:
    """pair_value and objective_offset for the problem: a base pair is worth its change penalty
    (kept = no change), any other pair costs `replan.change_penalty`; the offset takes the base
    pairs' worth back, so the term is -(cost of the changes) and never positive."""
    pen = float(policy["replan.change_penalty"])
    notified = float(policy["replan.notice_change_penalty"])
    notice = dt.timedelta(days=int(policy["replan.notice_days"]))
    index = pair_index(prob)
    value = np.full(prob.n_pairs, -pen)
    offset = 0.0
    for c, a, s in zip(base["cadre_id"], base["activity_id"], base["start_date"]):
        p = index.get((c, a, s.isoformat()))
        if p is None:
            continue
        worth = notified if s < as_of + notice else pen
        value[p] = worth
        offset -= worth
    return value, offset


# --------------------------------------------------------------------------- changes
def _label(a: str, s: Any, e: Any) -> str:
    return f"{a} ({_span(s, e)})" if isinstance(s, dt.date) and isinstance(e, dt.date) else a


def list_changes(base: pd.DataFrame, plan: pd.DataFrame, reasons: Reasons, forced: dict[tuple[str, str], Why],
                 lang: str = "en") -> pd.DataFrame:
    """One row per cadre and change: a dropped assignment beside the one that replaces it (same
    cadre, in date order), or alone; the reason in words in `lang` (``reason``), its codes
    (``reason_codes``) and the words in both languages (``reason_en``, ``reason_zh``). A seat that
    changes hands says so on both sides ("place in C given to X", "moved to take the seat of Y in C")."""
    new = plan.assign(start_date=[dt.date.fromisoformat(str(x)) for x in plan["start_date"]],
                      end_date=[dt.date.fromisoformat(str(x)) for x in plan["end_date"]])
    key = lambda df: set(zip(df["cadre_id"], df["activity_id"], df["start_date"]))  # noqa: E731
    before, after = key(base), key(new)
    dropped = sorted(before - after, key=lambda r: (r[0], r[2], r[1]))
    added = sorted(after - before, key=lambda r: (r[0], r[2], r[1]))
    ends = {**{(c, a, s): e for c, a, s, e in zip(base["cadre_id"], base["activity_id"], base["start_date"], base["end_date"])},
            **{(c, a, s): e for c, a, s, e in zip(new["cadre_id"], new["activity_id"], new["start_date"], new["end_date"])}}
    # seats changing hands: in each activity the cadres leaving it and those joining it, paired in id order
    moved = {(c, a) for c, a, _ in dropped} & {(c, a) for c, a, _ in added}  # the same cadre on other dates
    givers: dict[str, list[str]] = {}
    takers: dict[str, list[str]] = {}
    for c, a, _ in dropped:
        if (c, a) not in moved:
            givers.setdefault(a, []).append(c)
    for c, a, _ in added:
        if (c, a) not in moved:
            takers.setdefault(a, []).append(c)
    given_to, taken_from = {}, {}
    for a in givers:
        for g, t in zip(givers[a], takers.get(a, [])):
            given_to[(g, a)], taken_from[(t, a)] = t, g
    by_cadre: dict[str, tuple[list, list]] = {}
    for r in dropped:
        by_cadre.setdefault(r[0], ([], []))[0].append(r)
    for r in added:
        by_cadre.setdefault(r[0], ([], []))[1].append(r)
    rows = []
    for c in sorted(by_cadre):
        gone, came = by_cadre[c]
        for k in range(max(len(gone), len(came))):
            g = gone[k] if k < len(gone) else None
            n = came[k] if k < len(came) else None
            why: list[Why] = []
            if g is not None:
                why.append(forced.get((c, g[1])) or reasons.chosen(c, g[1], g[2], ends[g]))
                if why[0].code == "rp_better" and (c, g[1]) in given_to:
                    why = [Why("rp_seat_given", {"act": g[1], "cadre": given_to[(c, g[1])]})]
            if n is not None:
                if g is not None and g[1] == n[1]:
                    inner = why[0] if why and why[0].code != "rp_better" else None
                    why = [Why("rp_moved_dates", {"act": n[1], "inner": inner})]
                elif (c, n[1]) in taken_from:
                    why.append(Why("rp_seat_taken", {"cadre": taken_from[(c, n[1])], "act": n[1]}))
                elif g is None:
                    why.append(Why("rp_added"))
            en, zh = words.join(why, "en"), words.join(why, "zh")
            rows.append({"cadre_id": c, "before": _label(g[1], g[2], ends[g]) if g else "",
                         "after": _label(n[1], n[2], ends[n]) if n else "", "reason": zh if lang == "zh" else en,
                         "reason_codes": words.codes(why), "reason_en": en, "reason_zh": zh})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS + REASON_COLUMNS)


# --------------------------------------------------------------------------- the recipe
def replan(data: str | Path | Dataset, year: int, base: str | Path | pd.DataFrame | PlanResult, as_of: str | dt.date,
           out: str | Path | None = None, *, policy: Policy | str | Path | None = None, time_limit: float | None = None,
           base_data: str | Path | Dataset | None = None, attendance: pd.DataFrame | str | Path | None = None,
           msg: bool = False) -> ReplanResult:
    """Re-plan `year` on the changed `data` from the `base` plan as of `as_of` (module docstring);
    with `out`, write the plan folder (+ changes.csv), checked against `data` before it is in place.
    `base_data`: the data the base plan was made for; the base plan must be valid for it (exit 2).
    `attendance` (a table or its file; default the data set's own): started assignments without
    credit leave the plan (`attendance_drops`).
    Raises DataError (bad input, nothing written), InfeasiblePlan, PlanningError."""
    if out is None:
        return _replan(data, year, base, as_of, None, policy, time_limit, base_data, attendance, msg)
    files = [a if isinstance(a, (str, Path)) else None for a in (base, attendance)]
    target = check_output_target(out, [data, policy, base_data, *files], kind="plan")
    with hold_output(target):
        return _replan(data, year, base, as_of, target, policy, time_limit, base_data, attendance, msg)


def _replan(data, year, base, as_of, out, policy, time_limit, base_data, attendance, msg) -> ReplanResult:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    pol = plan_policy(policy, time_limit=time_limit)
    day = parse_as_of(as_of, year)
    ds = load_data(data, year)
    rows, base_units = read_base(base)
    if base_data is not None and not isinstance(base, (pd.DataFrame, PlanResult)):
        from planning.inyear import check_base_plan

        check_base_plan(load_data(base_data, year), base, year, pol)
    rows["phase"] = split_at(rows, day)
    if isinstance(attendance, (str, Path)):
        from planning.inyear import load_attendance

        attendance = load_attendance(attendance)
    drops, notes = attendance_drops(ds, rows, year, pol, attendance)
    timings["load"] = time.perf_counter() - t

    t = time.perf_counter()
    fixed = _fixed_windowed(ds, rows)
    probe = build_problem(fixed, year, pol)  # what the changed data allows, before anything is pinned
    reasons = Reasons(ds, probe, base_units, rows)
    admissible = pair_index(probe)
    forced: dict[tuple[str, str], Why] = dict(drops)
    problems, keep = [], []
    for k, r in rows.iterrows():
        why = None
        if (r["cadre_id"], r["activity_id"]) in drops:
            continue
        if (r["cadre_id"], r["activity_id"], r["start_date"].isoformat()) not in admissible:
            why = reasons.forced(r["cadre_id"], r["activity_id"], r["kind"], r["start_date"], r["end_date"]) \
                or Why("rp_not_allowed")
            forced[(r["cadre_id"], r["activity_id"])] = why
        if r["phase"] == "fact" and why:
            problems.append(Problem("plan.csv", k + 2, "activity_id",
                                    f"{r['cadre_id']} / {r['activity_id']} ended before {day} and cannot change, but "
                                    f"the data now forbids it: {why.text('en')}; correct the data"))
        elif r["phase"] != "later" and not why:
            keep.append(k)
    if problems:
        raise DataError(problems)
    prob = build_problem(_with_pins(fixed, rows.loc[keep], list(drops)), year, pol)
    prob.pair_value, prob.objective_offset = change_values(prob, rows, day, pol)
    timings["problem"] = time.perf_counter() - t

    warm = rows.assign(start_date=[s.isoformat() for s in rows["start_date"]])
    chosen, res, info = solve_plan(prob, pol, msg=msg, warm=warm)
    timings["solve"] = res.solve_seconds
    t = time.perf_counter()
    result = extract_result(prob, chosen, res, info, year=year, label=ds.source, scenario=None)
    result.data = ds  # checked against the changed data as the planner gave it (no synthetic pins)
    reasons.set_plan(result.plan, result.classes, rows)
    changes = list_changes(rows, result.plan, reasons, forced,
                           data_lang(list(ds.cadres["name"]) + list(ds.units["name"])))
    result.summary.update(replan_summary(rows, result, changes, prob, chosen, day, base))
    result.summary["replan_attendance_dropped"] = len(drops)
    result.summary["warnings"] = list(result.summary["warnings"]) + [str(n) for n in notes]
    result.summary["warning_notes"] = list(result.summary.get("warning_notes") or []) + [n.as_dict() for n in notes]
    result.timings = timings
    timings["extract"] = time.perf_counter() - t
    if out is not None:
        result.out_dir = write_plan(result, out, year=year, extra={"changes.csv": changes})
    return ReplanResult(result, changes, rows, timings)


def replan_summary(base: pd.DataFrame, result: PlanResult, changes: pd.DataFrame, prob: PlanningProblem,
                   chosen: set[int], as_of: dt.date, source: Any) -> dict:
    """The change count and what it cost, for summary.json."""
    dropped = int((changes["before"] != "").sum())
    added = int((changes["after"] != "").sum())
    change_cost = -float(sum(prob.pair_value[p] for p in chosen) + prob.objective_offset)
    return {
        "replan_as_of": as_of.isoformat(),
        "replan_base": str(source) if isinstance(source, (str, Path)) else "given plan",
        "changes": len(changes),  # rows of changes.csv: a cadre's assignment dropped, added, or one replacing another
        "changed_assignments": dropped + added,
        "changes_dropped": dropped,
        "changes_added": added,
        "changed_cadres": int(changes["cadre_id"].nunique()),
        "base_assignments": len(base),
        "base_facts": int((base["phase"] == "fact").sum()),
        "base_under_way": int((base["phase"] == "under_way").sum()),
        "change_cost": round(change_cost, 6),
        "objective_without_change_cost": None if result.summary["objective"] is None
        else round(result.summary["objective"] + change_cost, 6),
    }

