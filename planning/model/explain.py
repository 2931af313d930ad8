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

from planning.model.problem import PlanningProblem


def _plural(n: int, one: str, many: str | None = None) -> str:
    """'1 eligible class', '3 eligible classes'."""
    if n == 1:
        return f"1 {one}"
    return f"{n} {many or (one + 'es' if one.endswith(('s', 'x', 'ch', 'sh')) else one + 's')}"


def _verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def _ids(ids, limit: int = 6) -> str:
    ids = sorted(ids)
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def _periods(periods, days: set[int]) -> list[str]:
    out = []
    for s, e, reason in periods:
        if any(d in days for d in range(s.toordinal(), e.toordinal() + 1)):
            out.append(f"{s} to {e} ({reason})")
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


def explain_cadre(prob: PlanningProblem, state: PlanState, i: int, pairs: np.ndarray) -> list[str]:
    f = prob.facts.iloc[i]
    cid, unit = f.cadre_id, f.unit_id
    acts, opts = prob.activities, prob.options
    reasons: list[str] = []
    ex = prob.exclusions.get(cid, {})
    class_ex = {k: [a for a in v if acts[a].kind == "class"] for k, v in ex.items()}
    class_pairs = [int(p) for p in pairs if opts[prob.pair_option[p]].kind == "class"]
    n_classes = sum(1 for a in acts.values() if a.kind == "class")

    if not class_pairs:
        lv, tp = len(class_ex.get("level", [])), len(class_ex.get("topic", []))
        if lv + tp == n_classes and n_classes:
            reasons.append(f"no class is open to level {f.level} on topics not yet taken "
                           f"({lv} not open to the level, {tp} on topics already taken)")
    if class_ex.get("busy"):
        periods = _periods(prob.calendar.busy_periods.get(cid, []),
                           set().union(*(opts[o].occ for a in class_ex["busy"] for o in acts[a].options)))
        n = len(class_ex["busy"])
        reasons.append(f"{_plural(n, 'eligible class')} {_verb(n, 'falls', 'fall')} in their busy period "
                       f"{'; '.join(periods) if periods else ''}".rstrip())
    if class_ex.get("unit_blackout"):
        periods = _periods(prob.calendar.unit_periods.get(unit, []),
                           set().union(*(opts[o].occ for a in class_ex["unit_blackout"] for o in acts[a].options)))
        n = len(class_ex["unit_blackout"])
        reasons.append(f"{_plural(n, 'eligible class')} {_verb(n, 'falls', 'fall')} in a blackout of unit {unit}: "
                       f"{'; '.join(periods)}")
    if class_ex.get("region_blackout"):
        n = len(class_ex["region_blackout"])
        reasons.append(f"{_plural(n, 'eligible class')} {_verb(n, 'falls', 'fall')} in a region blackout")
    if class_ex.get("unscheduled"):
        n = len(class_ex["unscheduled"])
        reasons.append(f"{_plural(n, 'eligible class')} could not be scheduled in {_verb(n, 'its', 'their')} window")

    if class_pairs:
        d, h = attainable(prob, class_pairs)
        if f.measure == "hours" and h < f.required_hours - 1e-9:
            reasons.append(f"even all {_plural(len({opts[prob.pair_option[p]].activity_id for p in class_pairs}), 'eligible class')} "
                           f"together give only {h:g} class hours ({f.required_hours:g} required)")
        elif f.measure == "days" and d < f.required_days - 1e-9 and h < f.required_hours - 1e-9:
            reasons.append(f"even all {_plural(len({opts[prob.pair_option[p]].activity_id for p in class_pairs}), 'eligible class')} "
                           f"together give only {d:g} days / {h:g} hours ({f.required_days:g} days or {f.required_hours:g} hours required)")

    mine = set(state.by_cadre.get(i, []))
    my_acts = {opts[o].activity_id for o in mine}
    my_topics = {acts[opts[o].activity_id].topic_key for o in mine if opts[o].kind == "class"}
    full_higher, full_other, cancelled, clash, topic_dup, budget = set(), set(), set(), defaultdict(set), set(), set()
    cap_days: dict[int, set[str]] = defaultdict(set)
    cap = prob.unit_cap[unit]
    budget_total = prob.policy["budget.total"]
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
            w = prob.facts["weight"].to_numpy()
            if all(w[j] >= f.weight for j in others):
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
    for ids, what in ((full_higher, "full with higher-priority cadres"), (full_other, "full"),
                      (cancelled, "cancelled for too few trainees")):
        if ids:
            n = len(ids)
            reasons.append(f"{_plural(n, 'eligible class')} {_verb(n, 'is', 'are')} {what} ({_ids(ids)})")
    if cap_days:
        days = sorted(cap_days)
        blocked = set().union(*cap_days.values())
        when = ", ".join(str(dt.date.fromordinal(d)) for d in days[:4]) + (f" and {len(days) - 4} more days" if len(days) > 4 else "")
        reasons.append(f"unit cap of {cap} absent in {unit} reached on {when} ({_ids(blocked)})")
    for act in sorted(clash):
        kind = "rotation" if acts[act].kind == "rotation" else "class"
        reasons.append(f"{', '.join(sorted(clash[act]))} clash with their planned {kind} {act}")
    if topic_dup:
        reasons.append(f"{', '.join(sorted(topic_dup))} repeat a topic already planned for them this year")
    if budget:
        reasons.append(f"the budget of {budget_total:,.0f} yuan is spent ({', '.join(sorted(budget))} not affordable)")
    if not reasons:
        reasons.append("the remaining eligible classes cannot be combined into the requirement "
                       "(their dates overlap or they would exceed unit caps elsewhere)")
    return reasons


def explain_shortfall(prob: PlanningProblem, chosen: set[int], running: set[int], unmet: list[int]) -> dict[int, list[str]]:
    state = PlanState(prob, chosen, running)
    by_cadre = prob.pairs_of_cadre()
    return {i: explain_cadre(prob, state, i, by_cadre[i]) for i in unmet}
