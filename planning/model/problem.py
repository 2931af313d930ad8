"""The planning problem in solver-ready form: cadres, dated activity options, admissible pairs.

An *option* is one dated run of an activity: a fixed-date class or a rotation has exactly
one; a windowed class has one per candidate date range (see `window_options`). A *pair*
(cadre, option) exists only where the cadre may take that option at all — level, topic not
yet taken, rotation direction, no clash with blocked days, no `must_not` pin. Filtering here
is most of the model's speed, and every exclusion is counted so explanations can cite it.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planning.calendar import Calendar, occupied_days
from planning.data.load import ROW, Dataset
from planning.errors import DataError, Problem
from planning.facts import cadre_facts
from planning.messages import Note
from planning.policy import Policy


@dataclass(frozen=True)
class Option:
    """One dated run of an activity."""

    index: int
    activity_id: str
    kind: str  # "class" or "rotation"
    start: dt.date
    end: dt.date
    occ: frozenset[int]  # ordinals of the days it occupies
    blocks: tuple[int, ...]  # first day of each run of consecutive occupied days
    days: float
    hours: float

    @property
    def label(self) -> str:
        return f"{self.activity_id} ({self.start:%m-%d}–{self.end:%m-%d})"


@dataclass
class Activity:
    activity_id: str
    kind: str
    title: str
    topic_key: str  # "" for rotations
    mode: str  # full_time / weekend / rotation
    levels: frozenset[str] | None  # None = all levels
    capacity: int
    min_size: int
    cost: float
    direction: str | None  # rotations only
    category: str | None
    windowed: bool
    window: tuple[dt.date, dt.date] | None
    days: float
    hours: float
    options: list[int] = field(default_factory=list)
    row: int = 0
    note: str = ""  # why a windowed class has no options
    forced_open: bool = False  # in a neighbourhood sub-problem: trainees outside it keep the class running


@dataclass
class PlanningProblem:
    year: int
    policy: Policy
    data: Dataset
    facts: pd.DataFrame  # indexed by cadre_id
    calendar: Calendar
    cadre_ids: list[str]
    cadre_unit: list[str]
    activities: dict[str, Activity]
    options: list[Option]
    pair_cadre: np.ndarray  # int32, one entry per admissible (cadre, option)
    pair_option: np.ndarray
    must: list[tuple[str, str, int]]  # (cadre_id, activity_id, pins row)
    unit_cap: dict[str, int]
    unit_headcount: dict[str, int]
    exclusions: dict[str, dict[str, list[str]]]  # cadre -> reason kind -> activity ids
    warnings: list[Note] = field(default_factory=list)  # the planner's warnings by code (str() = English)
    # An extra objective term, linear in the pairs (re-plan: the cost of changes against a base plan):
    # objective += pair_value[p] for every chosen pair p, + objective_offset. Every solver layer reads it
    # (rules.set_objective, lagrange.objective, ejection.Scorer). pair_value + offset <= 0 for every plan
    # keeps the requirement objective's bounds valid. None = no such term.
    pair_value: np.ndarray | None = None
    objective_offset: float = 0.0
    _core: object = field(default=None, init=False, repr=False, compare=False)  # model.core.core_of caches it here

    @property
    def n_pairs(self) -> int:
        return len(self.pair_cadre)

    def pairs_of_cadre(self) -> list[np.ndarray]:
        order = np.argsort(self.pair_cadre, kind="stable")
        bounds = np.searchsorted(self.pair_cadre[order], np.arange(len(self.cadre_ids) + 1))
        return [order[bounds[i]:bounds[i + 1]] for i in range(len(self.cadre_ids))]


def _blocks(occ: frozenset[int]) -> tuple[int, ...]:
    return tuple(sorted(d for d in occ if d - 1 not in occ))


def unit_caps(ds: Dataset, policy: Policy) -> tuple[dict[str, int], dict[str, int]]:
    """Cap on a unit's absences on any day: max(min_absent, floor(share × headcount)), share = the
    unit's own max_absent_share or the policy default. (The one definition; the checker keeps its own.)"""
    head = ds.cadres["unit_id"].value_counts().to_dict()
    caps = {}
    for r in ds.units.to_dict("records"):
        own = r.get("max_absent_share")
        share = policy["absence.max_absent_share"] if own is None or own != own else own  # None or NaN: the default
        n = int(head.get(r["unit_id"], 0))
        # small epsilon: 0.2 × 10 must give 2, not 1.9999
        caps[r["unit_id"]] = max(int(policy["absence.min_absent"]), int(np.floor(share * n + 1e-9)))
    return caps, {u: int(head.get(u, 0)) for u in caps}


def window_options(mode: str, days: float, window: tuple[dt.date, dt.date], calendar: Calendar,
                   max_options: int) -> list[tuple[dt.date, dt.date]]:
    """Candidate date ranges for a windowed class.

    A range lies inside the window, overlaps no statutory holiday and no region blackout,
    starts and ends on a training day (Mon–Fri for full_time, Sat–Sun for weekend) and holds
    exactly `days` training days. Starts are kept on Mondays (Saturdays for weekend classes)
    plus the first feasible start; if more than `max_options` remain, an evenly spread subset.
    """
    need = int(np.ceil(days - 1e-9))
    blocked = calendar.holiday_days | calendar.region
    lo, hi = window[0].toordinal(), window[1].toordinal()
    weekend = mode == "weekend"

    def is_training(d: int) -> bool:
        return (dt.date.fromordinal(d).weekday() >= 5) == weekend

    found: list[tuple[int, int]] = []
    for s in range(lo, hi + 1):
        if not is_training(s) or s in blocked:
            continue
        count, d = 0, s
        ok = True
        while d <= hi:
            if d in blocked:
                ok = False
                break
            if is_training(d):
                count += 1
                if count == need:
                    break
            d += 1
        if ok and count == need:
            found.append((s, d))
    if not found:
        return []
    start_wd = 5 if weekend else 0
    keep = [found[0]] + [f for f in found[1:] if dt.date.fromordinal(f[0]).weekday() == start_wd]
    if len(keep) > max_options:
        idx = np.unique(np.linspace(0, len(keep) - 1, max_options).round().astype(int))
        keep = [keep[i] for i in idx]
    return [(dt.date.fromordinal(s), dt.date.fromordinal(e)) for s, e in keep]


def _levels(value) -> frozenset[str] | None:
    return frozenset(value) if value else None


def build_activities(ds: Dataset, calendar: Calendar, policy: Policy) -> tuple[dict[str, Activity], list[Option], list[Note]]:
    acts: dict[str, Activity] = {}
    options: list[Option] = []
    warnings: list[Note] = []

    def add_option(act: Activity, start: dt.date, end: dt.date, mode: str) -> None:
        occ = occupied_days(mode, start, end)
        if act.kind == "rotation":
            occ = occupied_days("full_time", start, end)
        o = Option(len(options), act.activity_id, act.kind, start, end, occ, _blocks(occ),
                   act.days if act.kind == "class" else float((end - start).days + 1),
                   act.hours if act.kind == "class" else 0.0)
        options.append(o)
        act.options.append(o.index)

    for r in ds.classes.to_dict("records"):
        windowed = r["start_date"] is None
        act = Activity(r["class_id"], "class", r["title"] or r["class_id"], r["topic_key"], r["mode"],
                       _levels(r["levels"]), int(r["capacity"]), int(r["min_size"] or 0),
                       float(r["cost_per_trainee"] or 0.0), None, None, windowed,
                       (r["window_start"], r["window_end"]) if windowed else None,
                       float(r["days"]), float(r["hours"]), row=int(r[ROW]))
        acts[act.activity_id] = act
        if windowed:
            ranges = window_options(r["mode"], r["days"], act.window, calendar, int(policy["timing.max_options"]))
            if not ranges:
                act.note = (f"no date range in its window {r['window_start']} to {r['window_end']} holds "
                            f"{r['days']:g} consecutive training days free of public holidays and region blackouts")
                warnings.append(Note("pw_unscheduled", {"cls": act.activity_id, "start": r["window_start"].isoformat(),
                                                        "end": r["window_end"].isoformat(), "days": float(r["days"])}))
            for s, e in ranges:
                add_option(act, s, e, r["mode"])
        else:
            add_option(act, r["start_date"], r["end_date"], r["mode"])
    for r in ds.rotations.to_dict("records"):
        act = Activity(r["post_id"], "rotation", r["title"] or r["post_id"], "", "rotation", _levels(r["levels"]),
                       int(r["slots"]), 0, 0.0, r["direction"], r["category"], False, None,
                       float((r["end_date"] - r["start_date"]).days + 1), 0.0, row=int(r[ROW]))
        acts[act.activity_id] = act
        add_option(act, r["start_date"], r["end_date"], "rotation")
    return acts, options, warnings


def build_problem(ds: Dataset, year: int, policy: Policy) -> PlanningProblem:
    """Everything the model needs, with admissible pairs only. Raises DataError for pins
    that can never hold (a `must` pin on an activity the cadre may not take)."""
    calendar = Calendar(year, ds.blackouts, ds.busy, ds.holidays)
    facts = cadre_facts(ds.cadres, ds.history, year, policy)
    acts, options, warnings = build_activities(ds, calendar, policy)
    caps, head = unit_caps(ds, policy)

    must_not = {(r["cadre_id"], r["activity_id"]) for r in ds.pins.to_dict("records") if r["rule"] == "must_not"}
    must = [(r["cadre_id"], r["activity_id"], int(r[ROW])) for r in ds.pins.to_dict("records") if r["rule"] == "must"]

    # Clashes shared by many cadres are computed once: region (everyone) and per unit.
    region_clash = {o.index for o in options if o.kind == "class" and o.occ & calendar.region}
    unit_clash: dict[str, set[int]] = {
        u: {o.index for o in options if o.kind == "class" and o.occ & days} for u, days in calendar.unit.items()
    }
    class_acts = [a for a in acts.values() if a.kind == "class"]
    post_acts = [a for a in acts.values() if a.kind == "rotation"]

    cadre_ids = facts["cadre_id"].tolist()
    pc: list[int] = []
    po: list[int] = []
    exclusions: dict[str, dict[str, list[str]]] = {}
    for i, f in enumerate(facts.itertuples(index=False)):
        cid = f.cadre_id
        busy = calendar.busy.get(cid)
        uclash = unit_clash.get(f.unit_id, set())
        ex: dict[str, list[str]] = defaultdict(list)
        for a in class_acts:
            if a.levels is not None and f.level not in a.levels:
                ex["level"].append(a.activity_id)
                continue
            if a.topic_key in f.topics_taken:
                ex["topic"].append(a.activity_id)
                continue
            if (cid, a.activity_id) in must_not:
                ex["must_not"].append(a.activity_id)
                continue
            if not a.options:
                ex["unscheduled"].append(a.activity_id)
                continue
            n_ok = 0
            for oi in a.options:
                if oi in region_clash:
                    continue
                if oi in uclash:
                    continue
                if busy and options[oi].occ & busy:
                    continue
                pc.append(i)
                po.append(oi)
                n_ok += 1
            if n_ok == 0:
                if all(oi in region_clash for oi in a.options):
                    ex["region_blackout"].append(a.activity_id)
                elif all(oi in region_clash or oi in uclash for oi in a.options):
                    ex["unit_blackout"].append(a.activity_id)
                else:
                    ex["busy"].append(a.activity_id)
        for a in post_acts:
            if a.direction != f.rotation_direction:
                ex["direction"].append(a.activity_id)
                continue
            if a.levels is not None and f.level not in a.levels:
                ex["level"].append(a.activity_id)
                continue
            if (cid, a.activity_id) in must_not:
                ex["must_not"].append(a.activity_id)
                continue
            oi = a.options[0]
            if busy and options[oi].occ & busy:
                ex["busy"].append(a.activity_id)
                continue
            pc.append(i)
            po.append(oi)
        exclusions[cid] = dict(ex)

    prob = PlanningProblem(year, policy, ds, facts, calendar, cadre_ids, facts["unit_id"].tolist(), acts, options,
                           np.asarray(pc, dtype=np.int32), np.asarray(po, dtype=np.int32), must, caps, head,
                           exclusions, warnings)
    _check_must_pins(prob)
    return prob


_EXCLUSION_WORDS = {
    "level": "is not open to their level",
    "topic": "repeats a topic they have already taken",
    "region_blackout": "falls in a region blackout",
    "unit_blackout": "falls in a blackout of their unit",
    "busy": "falls in their own busy period",
    "direction": "is a rotation in the other direction than their grassroots experience allows",
    "must_not": "is also pinned must_not",
    "unscheduled": "has no feasible dates in its window",
}


def _check_must_pins(prob: PlanningProblem) -> None:
    """A `must` pin on an activity the cadre can never take is a data error (exit 2)."""
    problems = []
    for cid, aid, row in prob.must:
        for reason, ids in prob.exclusions.get(cid, {}).items():
            if aid in ids:
                problems.append(Problem("pins", row, "activity_id",
                                        f"{cid} must take {aid}, but {aid} {_EXCLUSION_WORDS[reason]}"))
    if problems:
        raise DataError(problems)
