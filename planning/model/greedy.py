"""The greedy baseline a planner would build in a spreadsheet, and the optimizer's safety net.

Cadres in priority order (weight, then overdue, then id); each takes the first feasible
classes by date until their requirement is met; windowed classes run on their earliest
feasible dates; classes below min_size are cancelled at the end; then rotation posts are
filled in date order with the highest-priority eligible cadres. Every hard rule is kept.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from planning.model.problem import PlanningProblem


def greedy_plan(prob: PlanningProblem) -> set[int]:
    """Indices of the admissible pairs the greedy plan chooses."""
    opts, acts = prob.options, prob.activities
    f = prob.facts
    order = sorted(range(len(prob.cadre_ids)),
                   key=lambda i: (-f["weight"].iat[i], not f["overdue"].iat[i], prob.cadre_ids[i]))
    by_cadre = prob.pairs_of_cadre()
    earliest = {a.activity_id: a.options[0] for a in acts.values() if a.options}
    enrolled: dict[int, int] = defaultdict(int)
    busy_days: dict[int, set[int]] = defaultdict(set)
    topics: dict[int, set[str]] = defaultdict(set)
    absent: dict[tuple[str, int], int] = defaultdict(int)
    rotations: dict[int, int] = defaultdict(int)
    budget = prob.policy["budget.total"]
    spent = 0.0
    chosen: set[int] = set()
    musts = {(c, a) for c, a, _ in prob.must}

    def fits(i: int, p: int) -> bool:
        o = opts[prob.pair_option[p]]
        a = acts[o.activity_id]
        if enrolled[o.index] >= a.capacity:
            return False
        if o.occ & busy_days[i]:
            return False
        if a.kind == "class" and a.topic_key in topics[i]:
            return False
        if a.kind == "rotation" and rotations[i] >= prob.policy["rotation.max_per_year"]:
            return False
        if a.kind == "class" and budget is not None and spent + a.cost > budget + 1e-9:
            return False
        u = prob.cadre_unit[i]
        cap = prob.unit_cap[u]
        return all(absent[(u, d)] < cap for d in o.occ)

    def take(i: int, p: int) -> None:
        nonlocal spent
        o = opts[prob.pair_option[p]]
        a = acts[o.activity_id]
        chosen.add(p)
        enrolled[o.index] += 1
        busy_days[i] |= o.occ
        u = prob.cadre_unit[i]
        for d in o.occ:
            absent[(u, d)] += 1
        if a.kind == "class":
            topics[i].add(a.topic_key)
            spent += a.cost
        else:
            rotations[i] += 1

    index = {c: i for i, c in enumerate(prob.cadre_ids)}
    # Pinned decisions first, as a planner would write them in before anything else.
    for cid, aid, _ in prob.must:
        i = index[cid]
        for p in by_cadre[i]:
            o = opts[prob.pair_option[p]]
            if o.activity_id == aid and (o.kind == "rotation" or earliest.get(aid) == o.index) and fits(i, p):
                take(i, p)
                break
    for i in order:
        days = sum(opts[prob.pair_option[p]].days for p in chosen_of(chosen, by_cadre[i]) if opts[prob.pair_option[p]].kind == "class")
        hours = sum(opts[prob.pair_option[p]].hours for p in chosen_of(chosen, by_cadre[i]) if opts[prob.pair_option[p]].kind == "class")
        cands = sorted((p for p in by_cadre[i] if opts[prob.pair_option[p]].kind == "class"
                        and earliest.get(opts[prob.pair_option[p]].activity_id) == prob.pair_option[p]),
                       key=lambda p: (opts[prob.pair_option[p]].start, opts[prob.pair_option[p]].activity_id))
        for p in cands:
            if _met(f, i, days, hours):
                break
            if p in chosen or not fits(i, p):
                continue
            take(i, p)
            days += opts[prob.pair_option[p]].days
            hours += opts[prob.pair_option[p]].hours
    # Cancel classes below their minimum size (pinned trainees cannot save a class alone).
    for a in acts.values():
        if a.kind != "class" or a.min_size <= 0:
            continue
        for oi in a.options:
            if 0 < enrolled[oi] < a.min_size:
                for p in [p for p in chosen if prob.pair_option[p] == oi]:
                    i = int(prob.pair_cadre[p])
                    if (prob.cadre_ids[i], a.activity_id) in musts:
                        continue
                    chosen.discard(p)
                    enrolled[oi] -= 1
                    o = opts[oi]
                    busy_days[i] -= o.occ
                    topics[i].discard(a.topic_key)
                    spent -= a.cost
                    for d in o.occ:
                        absent[(prob.cadre_unit[i], d)] -= 1
    # Rotation posts in date order, highest priority first (reserve and young break ties).
    rank = {i: k for k, i in enumerate(sorted(range(len(prob.cadre_ids)),
            key=lambda i: (-f["weight"].iat[i], not f["reserve"].iat[i], not f["young"].iat[i], prob.cadre_ids[i])))}
    by_option: dict[int, list[int]] = defaultdict(list)
    for p, o in enumerate(prob.pair_option):
        if opts[o].kind == "rotation":
            by_option[int(o)].append(p)
    for oi in sorted(by_option, key=lambda o: (opts[o].start, opts[o].activity_id)):
        for p in sorted(by_option[oi], key=lambda p: rank[int(prob.pair_cadre[p])]):
            i = int(prob.pair_cadre[p])
            if p not in chosen and fits(i, p):
                take(i, p)
    return chosen


def chosen_of(chosen: set[int], pairs: np.ndarray) -> list[int]:
    return [int(p) for p in pairs if int(p) in chosen]


def _met(f, i: int, days: float, hours: float) -> bool:
    if f["measure"].iat[i] == "hours":
        return hours >= f["required_hours"].iat[i] - 1e-9
    return days >= f["required_days"].iat[i] - 1e-9 or hours >= f["required_hours"].iat[i] - 1e-9
