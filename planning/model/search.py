"""Neighbourhood sub-MIPs by whole units (`search.rounds` passes, off by default): improve a plan
by re-optimising a few units at a time. (The large-neighbourhood search that runs after the
layers by default is `lns.py`.)

The full model of a county is large and its LP relaxation degenerate; a MIP solver given
the whole of it rarely improves on a good start within minutes. Here the plan is improved
neighbourhood by neighbourhood: all cadres of a handful of whole units are freed, everyone
else keeps their incumbent assignments, and the small sub-model — the same rules, with class
seats, minimum sizes and budget reduced by what the fixed cadres already use — is solved
exactly or nearly so, warm-started from the incumbent so it can only get better. Units are
freed whole so that their absence caps stay inside the sub-model. Neighbourhoods cycle over
the units in a seeded order that puts units with unmet cadres first, which keeps the run
deterministic: a fixed number of rounds, node-limited sub-solves.
"""
from __future__ import annotations

import copy
import time
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from planning.model.build import build_model
from planning.model.core import core_of, requirement_met
from planning.model.problem import PlanningProblem
from planning.model.solve import solve_highs
from planning.model.values import chosen_pairs, complete_values, objective_of


@dataclass
class SearchLog:
    rounds: int = 0
    improved: int = 0
    seconds: float = 0.0
    history: list[tuple[float, float]] | None = None  # (seconds, objective)


def restrict(prob: PlanningProblem, free: np.ndarray, incumbent: set[int]) -> tuple[PlanningProblem, np.ndarray]:
    """The sub-problem of the cadres in `free` (bool mask) with everyone else fixed as in
    `incumbent`. Returns it and the global index of each of its pairs."""
    pair_free = free[prob.pair_cadre]
    fixed_pairs = [p for p in incumbent if not pair_free[p]]
    fixed_count: dict[int, int] = defaultdict(int)
    fixed_cost = 0.0
    for p in fixed_pairs:
        o = prob.options[prob.pair_option[p]]
        fixed_count[o.index] += 1
        if o.kind == "class":
            fixed_cost += prob.activities[o.activity_id].cost
    acts = {}
    allowed_opts: set[int] = set()
    for aid, a in prob.activities.items():
        b = copy.copy(a)
        used = [oi for oi in a.options if fixed_count.get(oi, 0) > 0]
        n_fixed = sum(fixed_count.get(oi, 0) for oi in a.options)
        if a.kind == "class" and used:
            b.options = used[:1]  # the class runs on the dates its fixed trainees already have
            b.min_size = max(0, a.min_size - n_fixed)
            b.forced_open = a.windowed or a.min_size > 0
            b.windowed = a.windowed
        else:
            b.options = list(a.options)
        b.capacity = a.capacity - n_fixed
        allowed_opts.update(b.options)
        acts[aid] = b
    keep = np.flatnonzero(pair_free & np.isin(prob.pair_option, np.fromiter(allowed_opts, dtype=np.int32)))
    cadres = np.flatnonzero(free)
    remap = -np.ones(len(prob.cadre_ids), dtype=np.int64)
    remap[cadres] = np.arange(len(cadres))
    budget = prob.policy["budget.total"]
    policy = prob.policy if budget is None else prob.policy.with_overrides({"budget.total": max(0.0, budget - fixed_cost)})
    ids = set(prob.cadre_ids[i] for i in cadres)
    sub = replace(
        prob, policy=policy, facts=prob.facts.iloc[cadres], cadre_ids=[prob.cadre_ids[i] for i in cadres],
        cadre_unit=[prob.cadre_unit[i] for i in cadres], activities=acts,
        pair_cadre=remap[prob.pair_cadre[keep]].astype(np.int32), pair_option=prob.pair_option[keep],
        must=[m for m in prob.must if m[0] in ids], exclusions={}, warnings=[])
    return sub, keep


def neighbourhoods(prob: PlanningProblem, unmet: np.ndarray, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Groups of whole units of about `size` cadres; units with more unmet cadres come first."""
    units = sorted(set(prob.cadre_unit))
    unit_arr = np.asarray(prob.cadre_unit)
    members = {u: np.flatnonzero(unit_arr == u) for u in units}
    score = {u: float(unmet[members[u]].sum()) + rng.random() for u in units}
    order = sorted(units, key=lambda u: -score[u])
    groups, cur, n = [], [], 0
    # interleave: take units alternately from the top and a random spot, so groups mix
    pool = list(order)
    while pool:
        u = pool.pop(0)
        cur.append(u)
        n += len(members[u])
        if pool and n < size:
            v = pool.pop(int(rng.integers(len(pool))))
            cur.append(v)
            n += len(members[v])
        if n >= size:
            groups.append(cur)
            cur, n = [], 0
    if cur:
        groups.append(cur)
    masks = []
    for g in groups:
        mask = np.zeros(len(prob.cadre_ids), dtype=bool)
        for u in g:
            mask[members[u]] = True
        masks.append(mask)
    return masks


def unmet_mask(prob: PlanningProblem, chosen: set[int]) -> np.ndarray:
    """Cadres who do not meet the year's requirement with the classes of `chosen`."""
    core = core_of(prob)
    days = np.zeros(len(prob.cadre_ids))
    hours = np.zeros(len(prob.cadre_ids))
    for p in chosen:
        o = prob.options[prob.pair_option[p]]
        if o.kind == "class":
            days[prob.pair_cadre[p]] += o.days
            hours[prob.pair_cadre[p]] += o.hours
    return ~requirement_met(core.by_hours, days, hours, core.req_days, core.req_hours)


def improve(prob: PlanningProblem, incumbent: set[int], *, rounds: int, size: int, seed: int,
            sub_time_limit: float, node_limit: int, deadline: float | None = None, msg: bool = False) -> tuple[set[int], SearchLog]:
    """Improve `incumbent` by `rounds` passes of neighbourhood re-optimisation."""
    rng = np.random.default_rng(seed)
    best = set(incumbent)
    log = SearchLog(history=[])
    t0 = time.perf_counter()
    for r in range(rounds):
        masks = neighbourhoods(prob, unmet_mask(prob, best), size, rng)
        for mask in masks:
            if deadline is not None and time.perf_counter() > deadline:
                break
            sub, keep = restrict(prob, mask, best)
            if sub.n_pairs == 0:
                continue
            m = build_model(sub)
            local = {k for k, p in enumerate(keep) if int(p) in best}
            start = complete_values(m, local)
            before = objective_of(m, start)
            res = solve_highs(m, time_limit=sub_time_limit, gap=1e-4, threads=1, seed=seed, msg=msg,
                              warm_start=start, options={"mip_max_nodes": node_limit})
            if res.values is None or res.objective is None or res.objective <= before + 1e-6:
                continue
            new_local = chosen_pairs(m, res.values)
            best = {p for p in best if not mask[prob.pair_cadre[p]]} | {int(keep[k]) for k in new_local}
            log.improved += 1
            log.history.append((time.perf_counter() - t0, res.objective - before))
        log.rounds = r + 1
        if deadline is not None and time.perf_counter() > deadline:
            break
    log.seconds = time.perf_counter() - t0
    return best, log
