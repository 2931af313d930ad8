"""Why a cadre's requirement is not met, in a planner's words, derived from data and plan.

Each reason is a fact that can be re-checked: exclusions counted when the problem was
built (level, topic, blackout, busy period), and for the classes the cadre could attend,
what stood in the way in the final plan (full with higher-priority cadres, cancelled,
unit cap reached on a named day, a clash with their own planned activity, the budget).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from planning.messages import Reason
from planning.model.problem import PlanningProblem


def _periods(periods, days: set[int]) -> list[tuple[str, str, str]]:
    out = []
    for s, e, reason in periods:
        if any(d in days for d in range(s.toordinal(), e.toordinal() + 1)):
            out.append((str(s), str(e), reason))
    return out


class PlanState:
    """What the final plan looks like, for explanations."""

    def __init__(self, prob: PlanningProblem, chosen: set[int], running: set[int]):
        self.prob = prob
        self.chosen = chosen
        self.running = running  # option indices of classes that run
        self.enrolled: dict[int, list[int]] = defaultdict(list)
        self.by_cadre: dict[int, list[int]] = defaultdict(list)
        self.absent: dict[tuple[str, int], int] = defaultdict(int)
        self.spent = 0.0
        for p in sorted(chosen):
            i, oi = int(prob.pair_cadre[p]), int(prob.pair_option[p])
            self.enrolled[oi].append(i)
            self.by_cadre[i].append(oi)
            o = prob.options[oi]
            for d in o.occ:
                self.absent[(prob.cadre_unit[i], d)] += 1
            if o.kind == "class":
                self.spent += prob.activities[o.activity_id].cost


def attainable(prob: PlanningProblem, pair_idx: list[int]) -> tuple[float, float]:
    """Upper bound of class days / hours from admissible classes: one class per topic."""
    best_d: dict[str, float] = {}
    best_h: dict[str, float] = {}
    for p in pair_idx:
        o = prob.options[prob.pair_option[p]]
        if o.kind != "class":
            continue
        t = prob.activities[o.activity_id].topic_key
        best_d[t] = max(best_d.get(t, 0.0), o.days)
        best_h[t] = max(best_h.get(t, 0.0), o.hours)
    return sum(best_d.values()), sum(best_h.values())


def explain_cadre(prob: PlanningProblem, state: PlanState, i: int, pairs: np.ndarray) -> list[Reason]:
    """The reasons cadre `i`'s requirement is not met, each with its code (planning.messages)."""
    f = prob.facts.iloc[i]
    cid, unit = f.cadre_id, f.unit_id
    acts, opts = prob.activities, prob.options
    reasons: list[Reason] = []
    ex = prob.exclusions.get(cid, {})
    class_ex = {k: [a for a in v if acts[a].kind == "class"] for k, v in ex.items()}
    class_pairs = [int(p) for p in pairs if opts[prob.pair_option[p]].kind == "class"]
    n_classes = sum(1 for a in acts.values() if a.kind == "class")

    if not class_pairs:
        lv, tp = len(class_ex.get("level", [])), len(class_ex.get("topic", []))
        if lv + tp == n_classes and n_classes:
            reasons.append(Reason("no_class_for_level", {"level": f.level, "n_level": lv, "n_topic": tp}))
    if class_ex.get("busy"):
        periods = _periods(prob.calendar.busy_periods.get(cid, []),
                           set().union(*(opts[o].occ for a in class_ex["busy"] for o in acts[a].options)))
        reasons.append(Reason("busy", {"n": len(class_ex["busy"]), "ids": tuple(sorted(class_ex["busy"])),
                                       "periods": tuple(periods)}))
    if class_ex.get("unit_blackout"):
        periods = _periods(prob.calendar.unit_periods.get(unit, []),
                           set().union(*(opts[o].occ for a in class_ex["unit_blackout"] for o in acts[a].options)))
        reasons.append(Reason("blackout", {"n": len(class_ex["unit_blackout"]), "unit": unit,
                                           "ids": tuple(sorted(class_ex["unit_blackout"])), "periods": tuple(periods)}))
    if class_ex.get("region_blackout"):
        reasons.append(Reason("region_blackout", {"n": len(class_ex["region_blackout"]),
                                                  "ids": tuple(sorted(class_ex["region_blackout"]))}))
    if class_ex.get("unscheduled"):
        reasons.append(Reason("unscheduled", {"n": len(class_ex["unscheduled"]),
                                              "ids": tuple(sorted(class_ex["unscheduled"]))}))

    if class_pairs:
        d, h = attainable(prob, class_pairs)
        n_open = len({opts[prob.pair_option[p]].activity_id for p in class_pairs})
        short = (h < f.required_hours - 1e-9) if f.measure == "hours" else \
            (f.measure == "days" and d < f.required_days - 1e-9 and h < f.required_hours - 1e-9)
        if short:
            reasons.append(Reason("offer_too_small", {"n": n_open, "measure": f.measure, "got": (d, h),
                                                      "need": (f.required_days, f.required_hours)}))

    mine = set(state.by_cadre.get(i, []))
    my_acts = {opts[o].activity_id for o in mine}
    my_topics = {acts[opts[o].activity_id].topic_key for o in mine if opts[o].kind == "class"}
    full_higher, full_other, cancelled, clash, topic_dup, budget = set(), set(), set(), defaultdict(set), set(), set()
    cap_days: dict[int, set[str]] = defaultdict(set)
    cap = prob.unit_cap[unit]
    budget_total = prob.policy["budget.total"]
    weight, my_weight = prob.facts["weight"].to_numpy(), f.weight  # read once (a frame lookup per trainee was slow)
    for p in class_pairs:
        oi = int(prob.pair_option[p])
        o = opts[oi]
        a = acts[o.activity_id]
        if o.activity_id in my_acts:
            continue
        if a.topic_key in my_topics:
            topic_dup.add(o.activity_id)
            continue
        if (a.windowed or a.min_size > 0) and oi not in state.running:
            if not any(x in state.running for x in a.options):
                cancelled.add(o.activity_id)
            continue
        others = state.enrolled.get(oi, [])
        if len(others) >= a.capacity:
            if all(weight[j] >= my_weight for j in others):
                full_higher.add(o.activity_id)
            else:
                full_other.add(o.activity_id)
            continue
        hit = [opts[m].activity_id for m in mine if opts[m].occ & o.occ]
        if hit:
            for h_ in hit:
                clash[h_].add(o.activity_id)
            continue
        capped = sorted(d for d in o.occ if state.absent[(unit, d)] >= cap)
        if capped:
            cap_days[capped[0]].add(o.activity_id)
            continue
        if budget_total is not None and state.spent + a.cost > budget_total + 1e-9:
            budget.add(o.activity_id)
    for ids, code in ((full_higher, "full_higher"), (full_other, "full"), (cancelled, "cancelled")):
        if ids:
            reasons.append(Reason(code, {"n": len(ids), "ids": tuple(sorted(ids))}))
    if cap_days:
        days = sorted(cap_days)
        reasons.append(Reason("unit_cap", {"cap": cap, "unit": unit,
                                           "days": tuple(str(dt.date.fromordinal(d)) for d in days),
                                           "ids": tuple(sorted(set().union(*cap_days.values())))}))
    for act in sorted(clash):
        reasons.append(Reason("clash", {"ids": tuple(sorted(clash[act])), "activity": act,
                                        "kind": acts[act].kind, "n": len(clash[act])}))
    if topic_dup:
        reasons.append(Reason("topic_taken", {"ids": tuple(sorted(topic_dup)), "n": len(topic_dup)}))
    if budget:
        reasons.append(Reason("budget", {"budget": budget_total, "ids": tuple(sorted(budget)), "n": len(budget)}))
    if not reasons:
        reasons.append(Reason("combination", {}))
    return reasons


def explain_shortfall(prob: PlanningProblem, chosen: set[int], running: set[int],
                      unmet: list[int]) -> dict[int, list[Reason]]:
    state = PlanState(prob, chosen, running)
    by_cadre = prob.pairs_of_cadre()
    return {i: explain_cadre(prob, state, i, by_cadre[i]) for i in unmet}
