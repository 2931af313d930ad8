"""A bound that costs next to nothing, for rosters too large for the LP relaxation in time.

Every cadre at their own best case — the requirement met whenever the classes open to them
could meet it at all (one class per topic), else the least shortfall those classes allow; an
overdue cadre reached whenever any class is open to them — plus every rotation slot filled
with its most rewarding eligible cadre, and no cost. No plan can score more, so it is a valid
upper bound on the objective; it ignores seats and unit caps, so it is much weaker than the LP's.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from planning.model.core import core_of
from planning.model.explain import attainable
from planning.model.problem import PlanningProblem


def best_case_bound(prob: PlanningProblem) -> float:
    core = core_of(prob)  # the objective as every encoding reads it (model/core.py)
    total = 0.0
    is_class = np.array([o.kind == "class" for o in prob.options], dtype=bool)
    for i, pairs in enumerate(prob.pairs_of_cadre()):
        cls = pairs[is_class[prob.pair_option[pairs]]].tolist() if len(is_class) else []
        if core.has_req[i]:
            total += core.requirement_value(i, *attainable(prob, cls))
        if core.overdue[i] and cls:
            total += core.overdue_value[i]
    reward: dict[int, list[float]] = defaultdict(list)
    for p in np.flatnonzero(core.pair_rotation):
        reward[int(prob.pair_option[p])].append(core.pair_reward[p])
    for o, values in reward.items():
        slots = prob.activities[prob.options[o].activity_id].capacity
        total += sum(sorted(values, reverse=True)[:slots])
    return float(total)
