"""From a set of chosen pairs to a full assignment of the model's variables, and its objective.

Used to warm-start the solver from the greedy plan and to compare plans on the model's own
objective (so the optimizer never hands back anything worse than the greedy baseline).
"""
from __future__ import annotations

from collections import defaultdict

from planning.model.core import core_of
from planning.model.rules import Model


def complete_values(m: Model, chosen: set[int]) -> dict[str, float]:
    prob = m.prob
    opts = prob.options
    vals: dict[str, float] = {v.name: 0.0 for v in m.lp.variables()}
    days: dict[int, float] = defaultdict(float)
    hours: dict[int, float] = defaultdict(float)
    n_class: dict[int, int] = defaultdict(int)
    enrolled: dict[int, int] = defaultdict(int)
    for p in chosen:
        vals[m.x[p].name] = 1.0
        i, o = int(prob.pair_cadre[p]), opts[prob.pair_option[p]]
        enrolled[o.index] += 1
        if o.kind == "class":
            days[i] += o.days
            hours[i] += o.hours
            n_class[i] += 1
    for oi, v in m.open.items():
        vals[v.name] = 1.0 if enrolled[oi] > 0 else 0.0
    core = core_of(prob)
    for i in m.met:
        met = core.met(i, days[i], hours[i])
        vals[m.met[i].name] = float(met)
        vals[m.short[i].name] = core.shortfall(i, days[i], hours[i])
        if not core.by_hours[i]:  # met through days if the days suffice, else through hours
            md = bool(days[i] >= core.req_days[i] - 1e-9)
            vals[m.met_days[i].name] = float(md)
            vals[m.met_hours[i].name] = float(met and not md)
    for i, v in m.any_class.items():
        vals[v.name] = 1.0 if n_class[i] else 0.0
    for n, pairs in m.unit_count:  # a unit's trainees on one option (rules.add_unit_absence_cap)
        vals[n.name] = float(sum(p in chosen for p in pairs))
    return vals


def objective_of(m: Model, vals: dict[str, float]) -> float:
    return float(sum(c * vals.get(v.name, 0.0) for v, c in m.lp.objective.items()) + (m.lp.objective.constant or 0.0))


def chosen_pairs(m: Model, vals: dict[str, float]) -> set[int]:
    return {p for p, v in enumerate(m.x) if vals.get(v.name, 0.0) > 0.5}
