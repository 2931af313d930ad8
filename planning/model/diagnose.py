"""When the hard rules cannot all hold: name the pins and rules in conflict.

First direct checks that read like a planner's own arithmetic (more `must` pins on a
class than seats, two pinned activities on the same day, pinned absences above a unit's
cap, pinned cost above the budget). If the solver still finds the rules infeasible, the
model is re-solved with an elastic slack on every rule pins can push against, and the
rules whose slack is non-zero are reported.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict


from planning.model.build import build_model
from planning.model.problem import PlanningProblem


def pin_conflicts(prob: PlanningProblem) -> list[str]:
    acts, opts = prob.activities, prob.options
    out: list[str] = []
    by_act: dict[str, list[str]] = defaultdict(list)
    by_cadre: dict[str, list[str]] = defaultdict(list)
    for cid, aid, _ in prob.must:
        by_act[aid].append(cid)
        by_cadre[cid].append(aid)
    for aid, cids in sorted(by_act.items()):
        a = acts[aid]
        if len(cids) > a.capacity:
            what = "slots" if a.kind == "rotation" else "seats"
            out.append(f"{len(cids)} must pins on {aid} ({', '.join(sorted(cids))}) but it has only {a.capacity} {what}")
    fixed = lambda aid: len(acts[aid].options) == 1  # noqa: E731 - dates known only for one-option activities
    for cid, aids in sorted(by_cadre.items()):
        aids = sorted(set(aids))
        for k, a1 in enumerate(aids):
            for a2 in aids[k + 1:]:
                if fixed(a1) and fixed(a2) and opts[acts[a1].options[0]].occ & opts[acts[a2].options[0]].occ:
                    out.append(f"must pins give {cid} two activities on the same days ({a1} and {a2})")
                if acts[a1].kind == acts[a2].kind == "class" and acts[a1].topic_key == acts[a2].topic_key:
                    out.append(f"must pins give {cid} the topic '{acts[a1].topic_key}' twice ({a1} and {a2})")
        rot = [a for a in aids if acts[a].kind == "rotation"]
        if len(rot) > prob.policy["rotation.max_per_year"]:
            out.append(f"must pins give {cid} {len(rot)} rotations ({', '.join(rot)}); at most "
                       f"{prob.policy['rotation.max_per_year']} a year")
    unit_of = dict(zip(prob.cadre_ids, prob.cadre_unit))
    absent: dict[tuple[str, int], set[str]] = defaultdict(set)
    for cid, aid, _ in prob.must:
        if fixed(aid):
            for d in opts[acts[aid].options[0]].occ:
                absent[(unit_of[cid], d)].add(cid)
    reported: set[str] = set()
    for (unit, d), cids in sorted(absent.items()):
        if len(cids) > prob.unit_cap[unit] and unit not in reported:
            reported.add(unit)
            out.append(f"must pins take {len(cids)} cadres of unit {unit} ({', '.join(sorted(cids))}) away on "
                       f"{dt.date.fromordinal(d)}, above its cap of {prob.unit_cap[unit]}")
    budget = prob.policy["budget.total"]
    if budget is not None:
        cost = sum(acts[aid].cost for _, aid, _ in prob.must if acts[aid].kind == "class")
        if cost > budget + 1e-9:
            out.append(f"must pins on classes cost {cost:,.0f} yuan, above the budget of {budget:,.0f} yuan")
    return out


_FAMILY_WORDS = {
    "Capacity": "capacity of class {0}",
    "MinSize": "minimum size of class {0}",
    "Slots": "slots of rotation post {0}",
    "OneRotation": "one rotation a year for {0}",
    "NoOverlap": "no two activities on one day for {0}",
    "OneTopic": "no repeated topic for {0}",
    "UnitCap": "unit absence cap of {0}",
    "Budget": "the budget",
    "Pin": "the must pin {0} / {1}",
}


def elastic_diagnosis(prob: PlanningProblem, solve) -> list[str]:
    """Re-solve with slacks; `solve(model)` returns a SolveResult. Names the rules that give way."""
    m = build_model(prob, elastic=True)
    res = solve(m)
    if res.values is None:
        return ["the hard rules cannot all hold, and the elastic re-solve found no explanation "
                f"({res.message})"]
    out = []
    for name, var in sorted(m.slack.items()):
        v = res.values.get(var.name, 0.0)
        if v > 1e-6:
            family, _, rest = name.partition("_")
            out.append(f"{_FAMILY_WORDS.get(family, family).format(*rest.split('_', 1) + [''])} "
                       f"must give way by {v:g} ({name})")
    return out or ["the hard rules cannot all hold (no single rule found to relax)"]
