"""The annual plan's rules, one function per family. Each adds named constraints to the model.

Names are ``Family_<cleaned ids>`` so that tests and explanations find a constraint again
(PuLP rewrites ``-+[] ->/`` in names, so ids are cleaned first). Expressions are built with
``LpAffineExpression`` from (variable, coefficient) lists — never Python ``sum``.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pulp

from planning.model.core import core_of
from planning.model.problem import PlanningProblem

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def clean(*parts: object) -> str:
    """A PuLP-safe name fragment from ids and dates."""
    return "_".join(_UNSAFE.sub("_", str(p)) for p in parts)


def _day(d: int) -> str:
    return dt.date.fromordinal(d).strftime("%Y%m%d")


@dataclass
class Model:
    """The PuLP problem and the variables the rest of the code reads back."""

    prob: PlanningProblem
    lp: pulp.LpProblem
    x: list[pulp.LpVariable]  # one per admissible pair
    open: dict[int, pulp.LpVariable] = field(default_factory=dict)  # class option index -> runs
    met: dict[int, pulp.LpVariable] = field(default_factory=dict)  # cadre -> requirement met
    met_days: dict[int, pulp.LpVariable] = field(default_factory=dict)  # cadre -> met through days
    met_hours: dict[int, pulp.LpVariable] = field(default_factory=dict)  # cadre -> met through hours
    short: dict[int, pulp.LpVariable] = field(default_factory=dict)  # cadre -> share of requirement missing
    any_class: dict[int, pulp.LpVariable] = field(default_factory=dict)  # overdue cadre gets a class
    unit_count: list[tuple[pulp.LpVariable, list[int]]] = field(default_factory=list)  # n = Σ x over these pairs
    slack: dict[str, pulp.LpVariable] = field(default_factory=dict)  # elastic mode: name -> slack
    elastic: bool = False
    _names: set[str] = field(default_factory=set)

    def name(self, family: str, *keys: object) -> str:
        base = clean(family, *keys)
        n, k = base, 1
        while n in self._names:  # two ids that clean to the same text
            k += 1
            n = f"{base}_{k}"
        self._names.add(n)
        return n

    def add(self, expr: pulp.LpAffineExpression, sense: int, rhs: float, family: str, *keys: object,
            elastic: bool = False) -> None:
        """Add `expr (sense) rhs`; in elastic mode a hard rule may give way by a penalised slack."""
        name = self.name(family, *keys)
        if self.elastic and elastic:
            s = pulp.LpVariable(f"slack_{name}", lowBound=0)
            self.slack[name] = s
            expr = expr + (-s if sense == pulp.LpConstraintLE else s)
        self.lp += pulp.LpConstraint(expr, sense, name, rhs)


def _expr(pairs) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(pairs)


# --------------------------------------------------------------------------- helpers
def occupancy_matrix(prob: PlanningProblem) -> tuple[np.ndarray, int]:
    """Boolean matrix options × days of the year (+ spill into next year) and its first ordinal."""
    first = min((min(o.occ) for o in prob.options), default=0)
    last = max((max(o.occ) for o in prob.options), default=0)
    mat = np.zeros((len(prob.options), max(1, last - first + 1)), dtype=bool)
    for o in prob.options:
        mat[o.index, np.fromiter(o.occ, dtype=np.int64) - first] = True
    return mat, first


def _maximal(sets: list[frozenset[int]]) -> list[frozenset[int]]:
    uniq = sorted(set(sets), key=lambda s: (-len(s), sorted(s)))
    keep: list[frozenset[int]] = []
    for s in uniq:
        if not any(s <= k for k in keep):
            keep.append(s)
    return keep


# --------------------------------------------------------------------------- rules
def add_class_schedule(m: Model) -> None:
    """A class runs at most once: for a windowed class or one with a min_size, binary
    `open` variables per dated option with Σ_options open ≤ 1 (fixed classes without a
    min_size always run)."""
    for a in m.prob.activities.values():
        if a.kind != "class" or not a.options:
            continue
        if a.windowed or a.min_size > 0:
            for oi in a.options:
                o = m.prob.options[oi]
                m.open[oi] = pulp.LpVariable(clean("open", a.activity_id, o.start.strftime("%Y%m%d")),
                                             lowBound=0, upBound=1, cat="Binary")
                if a.forced_open:  # set after: cat="Binary" resets the bounds to [0, 1]
                    m.open[oi].lowBound = 1
            if len(a.options) > 1:
                m.add(_expr([(m.open[oi], 1) for oi in a.options]), pulp.LpConstraintLE, 1, "OneRun", a.activity_id)


def add_class_capacity(m: Model, by_option: dict[int, list[int]]) -> None:
    """Enrolment of each class option ≤ capacity (× open when the class may not run)."""
    for a in m.prob.activities.values():
        if a.kind != "class":
            continue
        for oi in a.options:
            pairs = by_option.get(oi, [])
            if not pairs:
                continue
            if oi in m.open:
                e = _expr([(m.x[p], 1) for p in pairs] + [(m.open[oi], -a.capacity)])
                m.add(e, pulp.LpConstraintLE, 0, "Capacity", a.activity_id, m.prob.options[oi].start, elastic=True)
            elif len(pairs) > a.capacity:
                m.add(_expr([(m.x[p], 1) for p in pairs]), pulp.LpConstraintLE, a.capacity,
                      "Capacity", a.activity_id, m.prob.options[oi].start, elastic=True)


def add_class_min_size(m: Model, by_option: dict[int, list[int]]) -> None:
    """A running class has at least min_size trainees, else it is cancelled (open = 0)."""
    for a in m.prob.activities.values():
        if a.kind != "class" or a.min_size <= 0:
            continue
        for oi in a.options:
            pairs = by_option.get(oi, [])
            e = _expr([(m.x[p], 1) for p in pairs] + [(m.open[oi], -a.min_size)])
            m.add(e, pulp.LpConstraintGE, 0, "MinSize", a.activity_id, m.prob.options[oi].start, elastic=True)


def add_rotation_slots(m: Model, by_option: dict[int, list[int]]) -> None:
    """Trainees on a rotation post ≤ its slots."""
    for a in m.prob.activities.values():
        if a.kind != "rotation":
            continue
        pairs = by_option.get(a.options[0], [])
        if len(pairs) > a.capacity:
            m.add(_expr([(m.x[p], 1) for p in pairs]), pulp.LpConstraintLE, a.capacity, "Slots", a.activity_id,
                  elastic=True)


def add_one_rotation_per_cadre(m: Model, by_cadre: list[np.ndarray]) -> None:
    """At most `rotation.max_per_year` rotations per cadre (the direction is fixed by eligibility)."""
    limit = int(m.prob.policy["rotation.max_per_year"])
    opts = m.prob.options
    for i, pairs in enumerate(by_cadre):
        rot = [p for p in pairs if opts[m.prob.pair_option[p]].kind == "rotation"]
        if len(rot) > limit:
            m.add(_expr([(m.x[p], 1) for p in rot]), pulp.LpConstraintLE, limit, "OneRotation", m.prob.cadre_ids[i],
                  elastic=True)


def add_no_overlap(m: Model, by_cadre: list[np.ndarray], occ: np.ndarray, first: int) -> None:
    """No cadre has two activities on the same day: for every maximal set of the cadre's
    options that share a day, Σ x ≤ 1. Checking the first day of each occupied run is
    enough: any day shared by several options is also shared on the latest such run start."""
    cache: dict[tuple[int, ...], list[tuple[int, frozenset[int]]]] = {}
    opts = m.prob.pair_option
    for i, pairs in enumerate(by_cadre):
        if len(pairs) < 2:
            continue
        key = tuple(int(opts[p]) for p in pairs)
        if key not in cache:
            days = sorted({d for o in key for d in m.prob.options[o].blocks})
            sub = occ[np.asarray(key)][:, np.asarray(days) - first]
            cliques = []
            for j in range(sub.shape[1]):
                members = frozenset(np.flatnonzero(sub[:, j]).tolist())
                if len(members) >= 2:
                    cliques.append((days[j], members))
            maximal = _maximal([c for _, c in cliques])
            day_of = {}
            for d, c in cliques:
                day_of.setdefault(c, d)
            cache[key] = [(day_of[c], c) for c in maximal]
        for d, members in cache[key]:
            m.add(_expr([(m.x[pairs[k]], 1) for k in sorted(members)]), pulp.LpConstraintLE, 1,
                  "NoOverlap", m.prob.cadre_ids[i], _day(d), elastic=True)


def add_no_repeated_topic(m: Model, by_cadre: list[np.ndarray]) -> None:
    """No cadre takes the same topic twice in the year (history topics are never admissible)."""
    acts, opts = m.prob.activities, m.prob.options
    for i, pairs in enumerate(by_cadre):
        by_topic: dict[str, list[int]] = defaultdict(list)
        for p in pairs:
            o = opts[m.prob.pair_option[p]]
            if o.kind == "class":
                by_topic[acts[o.activity_id].topic_key].append(int(p))
        for topic, ps in by_topic.items():
            if len(ps) > 1:
                m.add(_expr([(m.x[p], 1) for p in ps]), pulp.LpConstraintLE, 1, "OneTopic", m.prob.cadre_ids[i], topic,
                      elastic=True)


def add_unit_absence_cap(m: Model, occ: np.ndarray, first: int) -> None:
    """On no day is a unit missing more than its cap (classes and rotations together).

    The count can only rise on the first day of an occupied run, so those days suffice.
    A unit's trainees per option are counted once (``UnitCount``: n[u,o] = Σ x over the unit's
    cadres), and each day's cap row sums those counts — far fewer non-zeros than summing every
    cadre's variable on every day, and the same plans."""
    prob = m.prob
    by_unit_opt: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for p, (i, o) in enumerate(zip(prob.pair_cadre, prob.pair_option)):
        by_unit_opt[prob.cadre_unit[i]][int(o)].append(p)
    for unit in sorted(by_unit_opt):
        per_opt = by_unit_opt[unit]
        cap = prob.unit_cap[unit]
        options = np.asarray(sorted(per_opt))
        sizes = np.asarray([len(per_opt[o]) for o in options])
        days = sorted({d for o in options for d in prob.options[o].blocks})
        if not days:
            continue
        sub = occ[options][:, np.asarray(days) - first]
        counts = sizes @ sub
        seen: set[bytes] = set()
        terms: dict[int, list[tuple[pulp.LpVariable, float]]] = {}
        for j in np.flatnonzero(counts > cap):
            col = sub[:, j]
            sig = col.tobytes()
            if sig in seen:
                continue
            seen.add(sig)
            row: list[tuple[pulp.LpVariable, float]] = []
            for o in options[col]:
                o = int(o)
                if o not in terms:
                    ps = per_opt[o]
                    if len(ps) == 1:
                        terms[o] = [(m.x[ps[0]], 1)]
                    else:
                        n = pulp.LpVariable(clean("n", unit, prob.options[o].activity_id, prob.options[o].start.strftime("%m%d")),
                                            lowBound=0, upBound=len(ps))
                        m.add(_expr([(n, 1)] + [(m.x[p], -1) for p in ps]), pulp.LpConstraintEQ, 0, "UnitCount",
                              unit, prob.options[o].activity_id, prob.options[o].start)
                        m.unit_count.append((n, list(ps)))
                        terms[o] = [(n, 1)]
                row += terms[o]
            m.add(_expr(row), pulp.LpConstraintLE, cap, "UnitCap", unit, _day(days[j]), elastic=True)


def add_budget(m: Model) -> None:
    """Total class cost ≤ budget.total (when set)."""
    budget = m.prob.policy["budget.total"]
    if budget is None:
        return
    terms = [(m.x[p], m.prob.activities[m.prob.options[o].activity_id].cost)
             for p, o in enumerate(m.prob.pair_option)
             if m.prob.options[o].kind == "class" and m.prob.activities[m.prob.options[o].activity_id].cost > 0]
    m.add(_expr(terms), pulp.LpConstraintLE, float(budget), "Budget", "total", elastic=True)


def add_pins(m: Model, by_cadre: list[np.ndarray]) -> None:
    """`must` pins: the cadre takes the activity (in one of its dated options).
    (`must_not` pins removed the pair when the problem was built.)"""
    index = {c: i for i, c in enumerate(m.prob.cadre_ids)}
    for cid, aid, row in m.prob.must:
        i = index[cid]
        ps = [p for p in by_cadre[i] if m.prob.options[m.prob.pair_option[p]].activity_id == aid]
        m.add(_expr([(m.x[p], 1) for p in ps]), pulp.LpConstraintGE, 1, "Pin", cid, aid, elastic=True)


def add_requirement(m: Model, by_cadre: list[np.ndarray]) -> None:
    """The year's requirement, as soft goals.

    Below division level: met when class days ≥ annual_days or class hours ≥ annual_hours:
    met = met_days + met_hours with days ≥ annual_days × met_days and hours ≥ annual_hours ×
    met_hours. Division level: met when class hours ≥ the five-year deficit. (Valid
    inequalities such as met ≤ Σ credit × x tighten the LP bound by about 1 % but make its
    simplex solve 100× slower on county data, so they are left out.)
    `short` ≥ 1 − planned/required − met is the share still missing, so partial progress counts."""
    prob = m.prob
    opts = prob.options
    core = core_of(prob)
    for i, pairs in enumerate(by_cadre):
        cls = [p for p in pairs if opts[prob.pair_option[p]].kind == "class"]
        cid = prob.cadre_ids[i]
        if not core.has_req[i]:
            continue
        dh = [(opts[prob.pair_option[p]].days, opts[prob.pair_option[p]].hours) for p in cls]
        met = pulp.LpVariable(clean("met", cid), cat="Binary")
        m.met[i] = met
        if core.by_hours[i]:
            req_d, req_h = 0.0, float(core.req_hours[i])
            m.add(_expr([(m.x[p], h) for p, (_, h) in zip(cls, dh)] + [(met, -req_h)]), pulp.LpConstraintGE, 0,
                  "ReqHours", cid)
            progress = [(m.x[p], h / req_h) for p, (_, h) in zip(cls, dh)]
        else:
            req_d, req_h = float(core.req_days[i]), float(core.req_hours[i])
            md = pulp.LpVariable(clean("met_days", cid), cat="Binary")
            mh = pulp.LpVariable(clean("met_hours", cid), cat="Binary")
            m.met_days[i], m.met_hours[i] = md, mh
            m.add(_expr([(m.x[p], d) for p, (d, _) in zip(cls, dh)] + [(md, -req_d)]), pulp.LpConstraintGE, 0,
                  "ReqDays", cid)
            m.add(_expr([(m.x[p], h) for p, (_, h) in zip(cls, dh)] + [(mh, -req_h)]), pulp.LpConstraintGE, 0,
                  "ReqHours", cid)
            m.add(_expr([(met, 1), (md, -1), (mh, -1)]), pulp.LpConstraintEQ, 0, "MetEither", cid)
            progress = [(m.x[p], d / req_d) for p, (d, _) in zip(cls, dh)]
        short = pulp.LpVariable(clean("short", cid), lowBound=0, upBound=1)
        m.short[i] = short
        m.add(_expr([(short, 1), (met, 1)] + progress), pulp.LpConstraintGE, 1, "Short", cid)
        if core.overdue[i] and cls:
            a = pulp.LpVariable(clean("any_class", cid), lowBound=0, upBound=1)
            m.any_class[i] = a
            m.add(_expr([(a, 1)] + [(m.x[p], -1) for p in cls]), pulp.LpConstraintLE, 0, "AnyClass", cid)


def set_objective(m: Model) -> None:
    """Maximise Σ weight × (met − shortfall) + overdue cadres reached + rotations filled
    (more for reserve and young cadres) − cost tie-break; in elastic mode, minimise slack."""
    if m.elastic:
        m.lp.sense = pulp.LpMinimize
        m.lp.setObjective(_expr([(s, 1) for s in m.slack.values()]))
        return
    core = core_of(m.prob)  # the weights, as every other encoding reads them (model/core.py)
    met = [(v, core.met_value[i]) for i, v in m.met.items()]
    short = [(v, -core.short_value[i]) for i, v in m.short.items()]
    overdue = [(v, core.overdue_value[i]) for i, v in m.any_class.items()]
    prob = m.prob  # its extra term (PlanningProblem.pair_value: re-plan's changes), added to the pair's
    value = prob.pair_value  # own coefficient: LpAffineExpression keeps only the last of two terms on one variable
    rot, cost, extra = [], [], []
    for p in range(len(m.x)):
        v = 0.0 if value is None else float(value[p])
        if core.pair_rotation[p]:
            rot.append((m.x[p], core.pair_reward[p] + v if v else core.pair_reward[p]))
        elif core.pair_cost[p]:
            c = -core.per_yuan * core.pair_cost[p]
            cost.append((m.x[p], c + v if v else c))
        elif v:
            extra.append((m.x[p], v))
    m.lp.sense = pulp.LpMaximize
    objective = _expr(met + short + overdue + rot + cost + extra)
    objective.constant = float(prob.objective_offset)
    m.lp.setObjective(objective)
