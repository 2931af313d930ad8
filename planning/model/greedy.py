"""Constructive plans that keep every hard rule: the greedy baseline and the bundle heuristic.

`greedy_plan` is the plan a planner would build in a spreadsheet: cadres in priority order
(weight, then overdue, then id); each takes the first feasible classes by date until the
requirement is met; windowed classes run on their earliest feasible dates; classes below
min_size are cancelled at the end; then rotation posts are filled in date order with the
highest-priority eligible cadres.

`bundle_plan` gives each cadre, in priority order, a whole bundle of classes that meets the
requirement or nothing. Both go through `PlanBuilder`, the single place that knows whether a
pair still fits.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from planning.model.core import core_of
from planning.model.problem import PlanningProblem


class PlanBuilder:
    """A plan under construction, with every hard rule checked on insertion."""

    def __init__(self, prob: PlanningProblem):
        self.prob = prob
        self.enrolled: dict[int, int] = defaultdict(int)  # option -> trainees
        self.act_enrolled: dict[str, int] = defaultdict(int)
        self.act_option: dict[str, int] = {}  # the option a class runs on, once it has trainees
        self.occupied: dict[int, set[int]] = defaultdict(set)
        self.topics: dict[int, set[str]] = defaultdict(set)
        self.absent: dict[tuple[str, int], int] = defaultdict(int)
        self.full_days: dict[str, set[int]] = defaultdict(set)  # per unit: the days at its absence cap
        self.rotations: dict[int, int] = defaultdict(int)
        self.days = np.zeros(len(prob.cadre_ids))
        self.hours = np.zeros(len(prob.cadre_ids))
        self.budget = prob.policy["budget.total"]
        self.spent = 0.0
        self.chosen: set[int] = set()
        self.members: dict[str, set[int]] = defaultdict(set)  # activity -> its chosen pairs
        self.max_rot = prob.policy["rotation.max_per_year"]
        self.core = core_of(prob)
        self.req_d, self.req_h, self.by_hours = self.core.req_days, self.core.req_hours, self.core.by_hours
        self._cadre, self._option = _pair_lists(prob)  # per pair, indexed as Python ints (numpy scalars are slow)
        self._info = _option_info(prob)  # per option: what fits and _apply read, looked up once
        self._opt_class, self._opt_act = _option_arrays(prob)
        self.act_full = np.zeros(len(prob.activities), dtype=bool)  # per activity (in prob.activities' order): full

    def met(self, i: int) -> bool:
        return self.core.met(i, self.days[i], self.hours[i])

    def fits(self, p: int) -> bool:
        i, oi = self._cadre[p], self._option[p]
        aid, is_class, _, topic, cost, occ, _, _ = self._info[oi]
        if p in self.chosen or self.act_full[self._opt_act[oi]]:
            return False
        if is_class:
            if self.act_option.get(aid, oi) != oi or topic in self.topics[i]:
                return False
            if self.budget is not None and self.spent + cost > self.budget + 1e-9:
                return False
        elif self.rotations[i] >= self.max_rot:
            return False
        if occ & self.occupied[i]:
            return False
        return not self.capped_days(self.prob.cadre_unit[i], occ)

    def capped_days(self, u: str, occ: frozenset[int]) -> set[int]:
        """Of the days `occ`, those at unit `u`'s absence cap (a cap of 0: every one)."""
        return set(occ) if self.prob.unit_cap[u] <= 0 else self.full_days[u] & occ

    def _apply(self, p: int, sign: int) -> None:
        i, oi = self._cadre[p], self._option[p]
        aid, is_class, capacity, topic, cost, occ, days, hours = self._info[oi]
        self.enrolled[oi] += sign
        self.act_enrolled[aid] += sign
        self.act_full[self._opt_act[oi]] = self.act_enrolled[aid] >= capacity
        u = self.prob.cadre_unit[i]
        cap = self.prob.unit_cap[u]
        absent, full = self.absent, self.full_days[u]
        for d in occ:
            absent[(u, d)] += sign
            if absent[(u, d)] >= cap:
                full.add(d)
            else:
                full.discard(d)
        if sign > 0:
            self.chosen.add(p)
            self.members[aid].add(p)
            self.occupied[i] |= occ
        else:
            self.chosen.discard(p)
            self.members[aid].discard(p)
            self.occupied[i] -= occ
        if is_class:
            self.days[i] += sign * days
            self.hours[i] += sign * hours
            self.spent += sign * cost
            if sign > 0:
                self.topics[i].add(topic)
                self.act_option[aid] = oi
            else:
                self.topics[i].discard(topic)
                if self.act_enrolled[aid] == 0:
                    self.act_option.pop(aid, None)
        else:
            self.rotations[i] += sign

    def take(self, p: int) -> None:
        self._apply(p, +1)

    def drop(self, p: int) -> None:
        self._apply(p, -1)

    def open_classes(self, pairs: np.ndarray) -> list[int]:
        """Of `pairs` (one cadre's, numpy), the class pairs whose class still has a seat, in
        their order: what `fits` would not turn down for a full class, sifted in numpy."""
        o = self.prob.pair_option[pairs]
        return pairs[self._opt_class[o] & ~self.act_full[self._opt_act[o]]].tolist()

    def try_take(self, p: int) -> bool:
        if self.fits(p):
            self.take(p)
            return True
        return False

    def cancel_small_classes(self, keep: set[tuple[str, str]] = frozenset()) -> None:
        """Cancel classes below min_size (trainees pinned `must` stay: their pins decide)."""
        prob = self.prob
        for a in prob.activities.values():
            if a.kind != "class" or a.min_size <= 0:
                continue
            if 0 < self.act_enrolled[a.activity_id] < a.min_size:
                for p in sorted(self.members[a.activity_id]):
                    if (prob.cadre_ids[int(prob.pair_cadre[p])], a.activity_id) not in keep:
                        self.drop(p)

    def plan(self) -> set[int]:
        return set(self.chosen)


def _pair_lists(prob: PlanningProblem) -> tuple[memoryview, memoryview]:
    """(cadre, option) of every pair as memoryviews of the problem's arrays: indexing one gives a
    Python int as a list would (and faster than numpy's scalars), at no extra memory — lists made
    by .tolist() held ~930 MB at 12.9 million pairs (a Python int object per entry)."""
    got = prob.__dict__.get("_pair_lists_cache")
    if got is None or got[0] is not prob.pair_cadre or got[1] is not prob.pair_option:
        got = (prob.pair_cadre, prob.pair_option, memoryview(np.ascontiguousarray(prob.pair_cadre)),
               memoryview(np.ascontiguousarray(prob.pair_option)))
        prob.__dict__["_pair_lists_cache"] = got
    return got[2], got[3]


def _option_info(prob: PlanningProblem) -> list[tuple]:
    """Per option (activity id, is a class, capacity, topic key, cost, occupied days, days, hours),
    made once per problem."""
    got = prob.__dict__.get("_option_info_cache")
    if got is None or got[0] is not prob.options:
        info = []
        for o in prob.options:
            a = prob.activities[o.activity_id]
            info.append((o.activity_id, a.kind == "class", a.capacity, a.topic_key, a.cost, o.occ, o.days, o.hours))
        got = (prob.options, info)
        prob.__dict__["_option_info_cache"] = got
    return got[1]


def _option_arrays(prob: PlanningProblem) -> tuple[np.ndarray, np.ndarray]:
    """Per option: is it a class, and its activity's position in prob.activities (made once)."""
    got = prob.__dict__.get("_option_arrays_cache")
    if got is None or got[0] is not prob.options:
        index = {a: k for k, a in enumerate(prob.activities)}
        got = (prob.options, np.array([o.kind == "class" for o in prob.options], dtype=bool),
               np.array([index[o.activity_id] for o in prob.options], dtype=np.int64))
        prob.__dict__["_option_arrays_cache"] = got
    return got[1], got[2]


def priority_order(prob: PlanningProblem) -> list[int]:
    f = prob.facts
    w, od = f["weight"].to_numpy(), f["overdue"].to_numpy()
    return sorted(range(len(prob.cadre_ids)), key=lambda i: (-w[i], not od[i], prob.cadre_ids[i]))


def _pins_first(b: PlanBuilder, by_cadre, first_option: dict[str, int]) -> set[tuple[str, str]]:
    prob = b.prob
    index = {c: i for i, c in enumerate(prob.cadre_ids)}
    musts = set()
    for cid, aid, _ in prob.must:
        musts.add((cid, aid))
        for p in by_cadre[index[cid]]:
            o = prob.options[prob.pair_option[p]]
            if o.activity_id == aid and (o.kind == "rotation" or first_option.get(aid) == o.index) and b.try_take(int(p)):
                break
    return musts


def _fill_classes(b: PlanBuilder, order: Iterable[int], by_cadre, allowed_option) -> None:
    """Each cadre in `order` takes the first feasible classes by date until the requirement is met."""
    opts, option = b.prob.options, b._option
    for i in order:
        if b.met(i):
            continue
        # a class full now stays full in this loop (nothing is dropped): its pairs are left out at once
        cands = sorted((p for p in b.open_classes(by_cadre[i]) if allowed_option(option[p])),
                       key=lambda p: (opts[option[p]].start, opts[option[p]].activity_id))
        for p in cands:
            if b.met(i):
                break
            b.try_take(p)


def _fill_rotations(b: PlanBuilder) -> None:
    """Rotation posts in date order, highest priority first (reserve and young break ties)."""
    prob = b.prob
    opts = prob.options
    f = prob.facts
    w, res, yng = f["weight"].to_numpy(), f["reserve"].to_numpy(), f["young"].to_numpy()
    rank = {i: k for k, i in enumerate(sorted(range(len(prob.cadre_ids)),
                                              key=lambda i: (-w[i], not res[i], not yng[i], prob.cadre_ids[i])))}
    by_option: dict[int, list[int]] = defaultdict(list)
    is_rot = np.array([o.kind == "rotation" for o in opts], dtype=bool)
    for p in np.flatnonzero(is_rot[prob.pair_option]).tolist() if len(opts) else ():
        by_option[b._option[p]].append(p)
    for oi in sorted(by_option, key=lambda o: (opts[o].start, opts[o].activity_id)):
        for p in sorted(by_option[oi], key=lambda p: rank[b._cadre[p]]):
            if b.act_full[b._opt_act[oi]]:  # the post is full: no one after fits (nothing is dropped here)
                break
            b.try_take(p)


def greedy_plan(prob: PlanningProblem) -> set[int]:
    """Indices of the admissible pairs the greedy baseline chooses."""
    b = PlanBuilder(prob)
    by_cadre = prob.pairs_of_cadre()
    first = {a.activity_id: a.options[0] for a in prob.activities.values() if a.options}
    musts = _pins_first(b, by_cadre, first)
    _fill_classes(b, priority_order(prob), by_cadre, lambda oi: first.get(prob.options[oi].activity_id) == oi)
    b.cancel_small_classes(musts)
    _fill_rotations(b)
    return b.plan()


MAX_COMBINE = 40  # classes considered for two- and three-class bundles (keeps large rosters linear)


def _bundles(b: PlanBuilder, i: int, cands: list[int], max_size: int = 3) -> list[tuple[int, ...]]:
    """Sets of 1–`max_size` of the cadre's class pairs that together meet the requirement,
    differ in topic and do not overlap; minimal (no member could be left out). Combinations
    are formed from the `MAX_COMBINE` longest classes only, so a cadre open to hundreds of
    classes costs no more than one open to forty."""
    prob = b.prob
    opts, acts = prob.options, prob.activities
    option = b._option
    d = {p: opts[option[p]].days for p in cands}
    h = {p: opts[option[p]].hours for p in cands}
    topic = {p: acts[opts[option[p]].activity_id].topic_key for p in cands}
    occ = {p: opts[option[p]].occ for p in cands}
    need_d = np.inf if b.by_hours[i] else b.req_d[i] - b.days[i]
    need_h = b.req_h[i] - b.hours[i]

    nd, nh = need_d - 1e-9, need_h - 1e-9  # a bundle meets the requirement at these (as sums from 0)

    def meets(ps) -> bool:
        return sum(d[p] for p in ps) >= nd or sum(h[p] for p in ps) >= nh

    def compatible(p: int, q: int) -> bool:
        return topic[p] != topic[q] and not (occ[p] & occ[q])

    alone = {p: d[p] >= nd or h[p] >= nh for p in cands}
    out = [(p,) for p in cands if alone[p]]
    rest = [p for p in cands if not alone[p]]
    if len(rest) > MAX_COMBINE:
        rest = sorted(sorted(rest, key=lambda p: (-d[p], -h[p], p))[:MAX_COMBINE])
    if max_size >= 2:
        for k, p in enumerate(rest):
            dp, hp, tp, op = d[p], h[p], topic[p], occ[p]
            for q in rest[k + 1:]:
                if tp != topic[q] and not (op & occ[q]) and (dp + d[q] >= nd or hp + h[q] >= nh):
                    out.append((p, q))
    if max_size >= 3 and not out:
        pairs_ok = {(p, q) for k, p in enumerate(rest) for q in rest[k + 1:] if compatible(p, q)}
        for (p, q) in sorted(pairs_ok):
            for r in rest:
                if r > q and (p, r) in pairs_ok and (q, r) in pairs_ok and meets((p, q, r)):
                    out.append((p, q, r))
    return out


def _try_bundle(b: PlanBuilder, bundle: tuple[int, ...]) -> bool:
    done = []
    for p in bundle:
        if not b.try_take(p):
            for q in reversed(done):
                b.drop(q)
            return False
        done.append(p)
    return True


def _place_bundles(b: PlanBuilder, order: Iterable[int], by_cadre, usable) -> None:
    """Give each unmet cadre, in order, the cheapest feasible bundle that meets the
    requirement: fewest surplus days, then the least-contested seats, then the earliest."""
    prob = b.prob
    opts, acts = prob.options, prob.activities
    option = b._option
    for i in order:
        if b.met(i):
            continue
        cands = [p for p in b.open_classes(by_cadre[i]) if usable(option[p]) and b.fits(p)]
        if not cands:
            continue
        # per candidate: days, the seat's fill if taken, start (the plan does not change while sorting)
        info = {}
        for p in cands:
            o = opts[option[p]]
            info[p] = (o.days, (b.act_enrolled.get(o.activity_id, 0) + 1) / acts[o.activity_id].capacity, o.start)
        # tried in the order of (size, days, -fill, start, bundle): size by size, so that the bigger
        # bundles are only ranked when no smaller one fits (the same order, most of the sorting saved)
        by_size: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        for bundle in _bundles(b, i, cands):
            by_size[len(bundle)].append(bundle)
        _place_first(b, by_size, info)


def _bundle_key(info: dict[int, tuple], bundle: tuple[int, ...]) -> tuple:
    """(days, -fill, start, bundle) of a bundle: sum() of the members' days and fills, as before."""
    days = fill = 0
    start = None
    for p in bundle:
        d, f, s = info[p]
        days, fill = days + d, fill + f
        start = s if start is None or s < start else start
    return (days, -fill, start, bundle)


def _place_first(b: PlanBuilder, by_size: dict[int, list[tuple[int, ...]]], info: dict[int, tuple]) -> bool:
    """Take the first bundle that fits, smallest size first, each size ranked by `_bundle_key`."""
    for size in sorted(by_size):
        for bundle in sorted(by_size[size], key=lambda bd: _bundle_key(info, bd)):
            if _try_bundle(b, bundle):
                return True
    return False


def bundle_plan(prob: PlanningProblem) -> set[int]:
    """All-or-nothing greedy: in priority order, each cadre gets a whole bundle of classes that
    meets the requirement or nothing; classes below min_size are cancelled and their cadres
    re-placed; only then do seats left over go to partial progress, and rotations are filled."""
    b = PlanBuilder(prob)
    by_cadre = prob.pairs_of_cadre()
    first = {a.activity_id: a.options[0] for a in prob.activities.values() if a.options}
    musts = _pins_first(b, by_cadre, first)
    order = priority_order(prob)
    any_option = lambda oi: b.act_option.get(prob.options[oi].activity_id, oi) == oi  # noqa: E731
    _place_bundles(b, order, by_cadre, any_option)
    cancelled: set[str] = set()
    for _ in range(3):
        before = set(b.chosen)
        b.cancel_small_classes(musts)
        cancelled |= {prob.options[prob.pair_option[p]].activity_id for p in before - b.chosen}
        ok = lambda oi: any_option(oi) and prob.options[oi].activity_id not in cancelled  # noqa: E731
        _place_bundles(b, order, by_cadre, ok)
    running_only = lambda oi: (any_option(oi) and prob.options[oi].activity_id not in cancelled  # noqa: E731
                               and (prob.activities[prob.options[oi].activity_id].min_size == 0
                                    or b.act_enrolled[prob.options[oi].activity_id]
                                    >= prob.activities[prob.options[oi].activity_id].min_size))
    b.cancel_small_classes(musts)
    _fill_classes(b, order, by_cadre, running_only)
    _fill_rotations(b)
    return b.plan()
