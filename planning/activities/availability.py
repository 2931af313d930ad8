"""Who is free when: the core calendar's blocked days plus the annual plan's classes and rotations.

A talk, seminar or exchange may only fall on a working day (Monday–Friday, not a statutory
holiday) on which the person is not blocked. Blocked = the core rules of
``planning.calendar.Calendar.class_blocked`` (region blackouts, the unit's blackouts, the
cadre's own busy periods) plus every day the annual plan occupies them
(``planning.calendar.occupied_days``: a weekend class only its Saturdays and Sundays).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pandas as pd

from planning.calendar import Calendar, day_range, occupied_days
from planning.data.load import Dataset
from planning.errors import PlanningError
from planning.activities.words import Words
from planning.io import read_plan_csv
from planning.messages import why_in

PLAN_COLUMNS = ("cadre_id", "activity_id", "kind", "start_date", "end_date")


class PlanMismatch(PlanningError):
    """The plan folder cannot be read or was made from another data set (exit 2)."""

    exit_code = 2


def read_plan(plan_dir: str | Path, ds: Dataset) -> pd.DataFrame:
    """plan.csv of a plan folder with real dates; every cadre and activity must be in the data set."""
    path = Path(plan_dir) / "plan.csv"
    if not path.is_file():
        raise PlanMismatch(f"{plan_dir} is not a plan folder: it has no plan.csv (make one with `planning plan`)")
    plan = read_plan_csv(path)
    missing = [c for c in PLAN_COLUMNS if c not in plan.columns]
    if missing:
        raise PlanMismatch(f"{path}: column(s) {', '.join(missing)} missing")
    cadres = set(ds.cadres["cadre_id"])
    acts = set(ds.classes["class_id"]) | set(ds.rotations["post_id"])
    problems = []
    starts, ends = [], []
    for line, r in enumerate(plan.to_dict("records"), start=2):
        if r["cadre_id"] not in cadres:
            problems.append(f"plan.csv line {line}: cadre {r['cadre_id']} is not in the data set")
        if r["activity_id"] not in acts:
            problems.append(f"plan.csv line {line}: activity {r['activity_id']} is not in the data set")
        try:
            starts.append(dt.date.fromisoformat(r["start_date"]))
            ends.append(dt.date.fromisoformat(r["end_date"]))
        except ValueError:
            problems.append(f"plan.csv line {line}: dates {r['start_date']!r} / {r['end_date']!r} are not YYYY-MM-DD")
            starts.append(None)
            ends.append(None)
    if problems:
        raise PlanMismatch(f"the plan in {plan_dir} does not fit the data set {ds.source} "
                           f"(pass the data set it was made from):\n" + "\n".join(f"- {p}" for p in problems[:20]))
    plan = plan.copy()
    plan["start"] = starts
    plan["end"] = ends
    return plan


def plan_occupancy(plan: pd.DataFrame, ds: Dataset) -> dict[str, dict[int, str]]:
    """Per cadre: day (ordinal) → the plan activity occupying it."""
    modes = dict(zip(ds.classes["class_id"], ds.classes["mode"]))
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for cid, aid, s, e in zip(plan["cadre_id"], plan["activity_id"], plan["start"], plan["end"]):
        for d in occupied_days(modes.get(aid, "full_time"), s, e):
            out[cid][d] = aid
    return out


class Availability:
    """Working days of the year and the days each cadre is blocked, with the reason of each block."""

    def __init__(self, ds: Dataset, plan: pd.DataFrame, year: int, words: Words | None = None):
        self.year = year
        self.words = words or Words()
        self.calendar = Calendar(year, ds.blackouts, ds.busy, ds.holidays)
        self.unit_of = dict(zip(ds.cadres["cadre_id"], ds.cadres["unit_id"]))
        self.plan = plan_occupancy(plan, ds)
        self._blocked: dict[str, frozenset[int]] = {}
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self.working = [d for d in day_range(first, last)
                        if dt.date.fromordinal(d).weekday() < 5 and d not in self.calendar.holiday_days]

    def working_days(self, start: dt.date, end: dt.date) -> list[int]:
        """Working days (Mon–Fri, no statutory holiday) from start to end inclusive, in order."""
        lo, hi = start.toordinal(), end.toordinal()
        return [d for d in self.working if lo <= d <= hi]

    def month_days(self) -> list[list[int]]:
        """The working days of each month of the year (January first)."""
        if not hasattr(self, "_months"):
            self._months = [[d for d in self.working if dt.date.fromordinal(d).month == m] for m in range(1, 13)]
        return self._months

    def unit_closed(self, unit_id: str) -> set[int]:
        """Days of a region blackout or one of the unit's own blackouts: no collective activity."""
        return self.calendar.region | self.calendar.unit.get(unit_id, set())

    def blocked(self, cadre_id: str) -> frozenset[int]:
        """Days the cadre can take part in nothing: blackouts and busy periods (the core's class rule)
        and the days the annual plan occupies."""
        if cadre_id not in self._blocked:
            days = self.calendar.class_blocked(cadre_id, self.unit_of[cadre_id]) | set(self.plan.get(cadre_id, {}))
            self._blocked[cadre_id] = frozenset(days)
        return self._blocked[cadre_id]

    def reason(self, cadre_id: str, day: int) -> str:
        """Why the cadre is blocked on `day`, in words ('' when free)."""
        act = self.plan.get(cadre_id, {}).get(day)
        if act:
            return self.words("in_plan", act=act)
        date = dt.date.fromordinal(day)
        for s, e, why in self.calendar.busy_periods.get(cadre_id, ()):
            if s <= date <= e:
                return self.words("busy", why=why_in(why, self.words.lang))
        for s, e, why in self.calendar.unit_periods.get(self.unit_of[cadre_id], ()):
            if s <= date <= e:
                return self.words("unit_blackout", why=why_in(why, self.words.lang))
        for s, e, why in self.calendar.region_periods:
            if s <= date <= e:
                return self.words("region_blackout", why=why_in(why, self.words.lang))
        return ""

    def reasons(self, cadre_id: str, days: list[int]) -> list[str]:
        """The distinct reasons the cadre is blocked on any of `days`, in order of first appearance."""
        out: list[str] = []
        for d in days:
            r = self.reason(cadre_id, d)
            if r and r not in out:
                out.append(r)
        return out
