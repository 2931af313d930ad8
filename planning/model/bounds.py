"""A bound that costs next to nothing, for rosters too large for the LP relaxation in time.

Every cadre at their own best case — the requirement met whenever the classes open to them
could meet it at all (one class per topic), else the least shortfall those classes allow; an
overdue cadre reached whenever any class is open to them — plus every rotation slot filled
with its most rewarding eligible cadre, and no cost. No plan can score more, so it is a valid
upper bound on the objective; it ignores seats and unit caps, so it is much weaker than the LP's.
"""
from __future__ import annotations

from collections import defaultdict

from planning.model.explain import attainable
from planning.model.problem import PlanningProblem


def best_case_bound(prob: PlanningProblem) -> float:
    pol = prob.policy
    f = prob.facts
    w = f["weight"].to_numpy()
    by_cadre = prob.pairs_of_cadre()
    total = 0.0
    for i, pairs in enumerate(by_cadre):
        r = f.iloc[i]
        cls = [int(p) for p in pairs if prob.options[prob.pair_option[p]].kind == "class"]
        if r.measure == "hours" and r.required_hours <= 0:
            pass
        else:
            d, h = attainable(prob, cls)
            if r.measure == "hours":
                met, short = h >= r.required_hours - 1e-9, max(0.0, 1 - h / r.required_hours)
            else:
                met = d >= r.required_days - 1e-9 or h >= r.required_hours - 1e-9
                short = max(0.0, 1 - d / r.required_days)
            total += w[i] * (pol["objective.requirement_met"] if met else -pol["objective.shortfall_fraction"] * short)
        if r.overdue and cls:
            total += pol["objective.overdue_any_class"] * w[i]
    reward: dict[int, list[float]] = defaultdict(list)
    reserve, young = f["reserve"].to_numpy(), f["young"].to_numpy()
    for p, (i, o) in enumerate(zip(prob.pair_cadre, prob.pair_option)):
        if prob.options[o].kind == "rotation":
            reward[int(o)].append(pol["objective.rotation_filled"] + pol["objective.rotation_reserve_bonus"] * reserve[i]
                                  + pol["objective.rotation_young_bonus"] * young[i])
    for o, values in reward.items():
        slots = prob.activities[prob.options[o].activity_id].capacity
        total += sum(sorted(values, reverse=True)[:slots])
    return float(total)
