"""Ejection-chain local search: give an unmet cadre a whole bundle of classes by moving one
cadre who blocks it to another bundle (an overdue cadre whom no bundle can bring to the
requirement this year: one class, which keeps the five-year cycle).

For each cadre short of the requirement (highest priority first), try the bundles that would
meet it; where a bundle is blocked — a class full, the unit's absence cap reached — take out
one blocking cadre, put the bundle in, and re-place the blocker in a bundle of their own. The
move is kept only if every rule still holds (including minimum class sizes) and the plan's
objective rises. A plan-level search that needs no solver and scales linearly with the roster.
"""
from __future__ import annotations

import time

from planning.model.core import core_of
from planning.model.greedy import PlanBuilder, _bundles, _try_bundle
from planning.model.problem import PlanningProblem


class Scorer:
    """The model's objective, per cadre, on a PlanBuilder (rotations aside: the search moves
    classes only), read from the one definition in model/core.py."""

    def __init__(self, prob: PlanningProblem):
        self.prob = prob
        self.core = core_of(prob)
        self.w = self.core.weight
        self.has_req = self.core.has_req

    def value(self, b: PlanBuilder, i: int, classes: list[int]) -> float:
        core = self.core
        v = core.requirement_value(i, b.days[i], b.hours[i])
        if core.overdue[i] and classes:
            v += core.overdue_value[i]
        if self.prob.pair_value is not None:  # the problem's extra term (re-plan: changes)
            v += float(sum(self.prob.pair_value[p] for p in classes))
        return v - core.per_yuan * sum(core.pair_cost[p] for p in classes)


def _class_pairs_of(b: PlanBuilder, i: int, mine: dict[int, set[int]], fixed: frozenset[int] = frozenset()) -> list[int]:
    """The cadre's classes the search may move (a `must`-pinned one stays where it is)."""
    opts, option = b.prob.options, b._option
    return sorted(p for p in mine.get(i, ()) if opts[option[p]].kind == "class" and p not in fixed)


def _has_class(b: PlanBuilder, i: int, mine: dict[int, set[int]], fixed: frozenset[int]) -> bool:
    """Whether `_class_pairs_of` is not empty (without sorting it)."""
    opts, option = b.prob.options, b._option
    return any(opts[option[p]].kind == "class" and p not in fixed for p in mine.get(i, ()))


def _min_sizes_ok(b: PlanBuilder, acts: set[str]) -> bool:
    for aid in acts:
        a = b.prob.activities[aid]
        n = b.act_enrolled[aid]
        if a.kind == "class" and a.min_size > 0 and 0 < n < a.min_size:
            return False
    return True


def eject_search(prob: PlanningProblem, chosen: set[int], *, deadline: float, passes: int = 2,
                 max_bundles: int = 12, max_blockers: int = 12) -> tuple[set[int], int]:
    """Improve `chosen`; returns the new plan and the number of moves kept."""
    b = PlanBuilder(prob)
    for p in sorted(chosen):
        b.take(p)
    sc = Scorer(prob)
    option, cadre = b._option, b._cadre  # per pair, indexed as Python ints (numpy's scalars are slow)
    opts = prob.options
    by_cadre = prob.pairs_of_cadre()
    mine: dict[int, set[int]] = {}
    for p in chosen:
        mine.setdefault(int(cadre[p]), set()).add(int(p))
    unit = prob.cadre_unit
    musts = {(c, a) for c, a, _ in prob.must}
    # a pinned class stays where it is; its cadre's other classes may move like anyone's
    fixed = frozenset(int(p) for p in chosen
                      if (prob.cadre_ids[int(cadre[p])], opts[option[p]].activity_id) in musts)
    kept = {i: [p for p in sorted(fixed) if int(cadre[p]) == i] for i in {int(cadre[p]) for p in fixed}}
    unit_cadres: dict[str, list[int]] = {}  # the cadres of each unit (who may block a unit's capped days)
    for i in range(len(prob.cadre_ids)):
        unit_cadres.setdefault(unit[i], []).append(i)
    moves = 0

    for _ in range(passes):
        improved = False
        order = sorted((i for i in range(len(prob.cadre_ids)) if sc.has_req[i] and not b.met(i)),
                       key=lambda i: (-sc.w[i], prob.cadre_ids[i]))
        for u in order:
            if time.perf_counter() > deadline:
                return b.plan(), moves
            u_old = _class_pairs_of(b, u, mine, fixed)
            u_fix = kept.get(u, [])
            base_u = sc.value(b, u, u_fix + u_old)
            for p in u_old:
                b.drop(p)
            cands = [int(p) for p in by_cadre[u] if opts[option[p]].kind == "class"
                     and b.act_option.get(opts[option[p]].activity_id, int(option[p]))
                     == int(option[p]) and not (opts[option[p]].occ & b.occupied[u])]
            bundles = sorted(_bundles(b, u, cands), key=lambda bd: (len(bd), sum(opts[option[p]].days for p in bd), bd))
            if not bundles and sc.core.overdue[u] and not u_old and not u_fix:
                # overdue on the five-year cycle and no set of classes meets this year's requirement:
                # one class still keeps the cycle (objective.overdue_any_class), the longest first
                bundles = [(p,) for p in sorted(cands, key=lambda p: (-opts[option[p]].hours, p))]
            done = False
            for bundle in bundles[:max_bundles]:
                if _try_bundle(b, bundle):
                    touched = {opts[option[p]].activity_id for p in bundle} | \
                              {opts[option[p]].activity_id for p in u_old}
                    if _min_sizes_ok(b, touched) and sc.value(b, u, u_fix + list(bundle)) > base_u + 1e-9:
                        mine[u] = (mine.get(u, set()) - set(u_old)) | set(bundle)
                        moves += 1
                        done = True
                        break
                    for p in bundle:
                        b.drop(p)
                    continue
                # Who blocks it: trainees of its full classes, unit-mates away on its capped days.
                blockers: set[int] = set()
                for p in bundle:
                    o = opts[option[p]]
                    if b.act_full[b._opt_act[o.index]]:
                        blockers.update(int(cadre[q]) for q in b.members[o.activity_id])
                    days = b.capped_days(unit[u], o.occ)
                    if days:
                        blockers.update(j for j in unit_cadres[unit[u]] if j != u
                                        and any(opts[option[q]].occ & days for q in mine.get(j, ())))
                blockers -= {u}
                blockers = {v for v in blockers if _has_class(b, v, mine, fixed)}  # someone with a class to give up
                for v in sorted(blockers, key=lambda j: (sc.w[j], prob.cadre_ids[j]))[:max_blockers]:
                    v_old = _class_pairs_of(b, v, mine, fixed)
                    v_fix = kept.get(v, [])
                    base_v = sc.value(b, v, v_fix + v_old)
                    for q in v_old:
                        b.drop(q)
                    if _try_bundle(b, bundle):
                        v_cands = [q for q in b.open_classes(by_cadre[v]) if b.fits(q)]
                        v_new: tuple[int, ...] = ()
                        v_bundles = [] if b.met(v) else _bundles(b, v, v_cands)  # met by a pinned class alone: nothing more
                        for vb in sorted(v_bundles, key=lambda bd: (len(bd), bd))[:max_bundles]:
                            if _try_bundle(b, vb):
                                v_new = vb
                                break
                        touched = {opts[option[q]].activity_id for q in (*bundle, *v_new, *v_old, *u_old)}
                        gain = (sc.value(b, u, u_fix + list(bundle)) - base_u) + (sc.value(b, v, v_fix + list(v_new)) - base_v)
                        if gain > 1e-9 and _min_sizes_ok(b, touched):
                            mine[u] = (mine.get(u, set()) - set(u_old)) | set(bundle)
                            mine[v] = (mine.get(v, set()) - set(v_old)) | set(v_new)
                            moves += 1
                            done = True
                            break
                        for q in v_new:
                            b.drop(q)
                        for q in bundle:
                            b.drop(q)
                    for q in v_old:
                        b.take(q)
                if done:
                    break
            if not done:
                for p in u_old:
                    b.take(p)
            else:
                improved = True
        if not improved:
            break
    return b.plan(), moves
