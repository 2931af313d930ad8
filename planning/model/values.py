"""From a set of chosen pairs to a full assignment of the model's variables, and its objective.

Used to warm-start the solver from the greedy plan and to compare plans on the model's own
objective (so the optimizer never hands back anything worse than the greedy baseline).
"""
from __future__ import annotations

from collections import defaultdict

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
    f = prob.facts
    for i in m.met:
        if f["measure"].iat[i] == "hours":
            req = f["required_hours"].iat[i]
            met = hours[i] >= req - 1e-9
            vals[m.met[i].name] = float(met)
            vals[m.short[i].name] = 0.0 if met else max(0.0, 1 - hours[i] / req)
        else:
            md = days[i] >= f["required_days"].iat[i] - 1e-9
            mh = (not md) and hours[i] >= f["required_hours"].iat[i] - 1e-9
            vals[m.met_days[i].name] = float(md)
            vals[m.met_hours[i].name] = float(mh)
            vals[m.met[i].name] = float(md or mh)
            vals[m.short[i].name] = 0.0 if (md or mh) else max(0.0, 1 - days[i] / f["required_days"].iat[i])
    for i, v in m.any_class.items():
        vals[v.name] = 1.0 if n_class[i] else 0.0
    for n, pairs in m.unit_count:  # a unit's trainees on one option (rules.add_unit_absence_cap)
        vals[n.name] = float(sum(p in chosen for p in pairs))
    return vals


def objective_of(m: Model, vals: dict[str, float]) -> float:
    return float(sum(c * vals.get(v.name, 0.0) for v, c in m.lp.objective.items()) + (m.lp.objective.constant or 0.0))


def chosen_pairs(m: Model, vals: dict[str, float]) -> set[int]:
    return {p for p, v in enumerate(m.x) if vals.get(v.name, 0.0) > 0.5}
