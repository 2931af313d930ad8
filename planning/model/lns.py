"""Large-neighbourhood search (LNS): spend the time that is left where the proven gap is.

After the construction, Lagrangian and ejection layers, while the plan's proven gap is above
`solver.gap` and time is left, one neighbourhood at a time is destroyed and re-solved as an exact
sub-MIP with HiGHS, warm-started from the incumbent; a better sub-plan replaces the incumbent's
part. Neighbourhoods are of five kinds; each next one is of a kind drawn (from `solver.seed`) with
weight (improved + 1) / (tried + 2), so the kinds that pay come more often (`choose_kind`), and
taken from that kind's list, made from the incumbent in a seeded order and made again when it runs out:

- ``unit``: the cadres of one unit, unmet ones first;
- ``district``: a sample of the cadres of one district (unmet first);
- ``week``: the classes starting in one week, their trainees and unmet cadres who could take them;
- ``full``: a full class, its trainees and the unmet cadres competing for its seats;
- ``window``: a windowed class with ALL its trainees freed, so its dates are free too.

A freed cadre keeps the pairs of the neighbourhood's activities (all activities for unit and
district) plus their own incumbent assignments, up to `lns.max_pairs` pairs in all
(`lns.district_max_pairs` for a district). The other
cadres of the freed cadres' units enter the sub-problem with their incumbent assignments only
(which they may drop), so that the unit absence caps hold inside the sub-model; everyone else is
fixed, and seats, minimum sizes, rotation slots and the budget shrink by what the fixed cadres use.
The sub-MIP is `build_model` on the restricted problem: the same rules, the same objective.

Repeatability: the sub-MIPs are single-threaded and limited by `lns.node_limit` branch-and-bound
nodes (and stop at `lns.sub_gap`), and the kinds and order of neighbourhoods come from the seed
and the counts of improvements, so the sequence of incumbents is a function of the inputs and the
seed alone. Time is only the outer stop: the search stops before a
neighbourhood when the deadline has passed, and a sub-MIP stopped by its time limit (a safety
stop, `lns.sub_time_limit`) ends the search without using its result. So the plan after k
neighbourhoods is always the same; the time limit decides k (on one machine under the same load,
the same k). With `lns.max_neighbourhoods` > 0 the count, not the clock, ends the search whenever
the time suffices: then runs repeat byte for byte regardless of the machine's speed, unless a
sub-MIP reaches its safety limit `lns.sub_time_limit` (its result is dropped and the search goes
on, `LnsLog.timeouts`; on a faster machine it might have finished).
"""
from __future__ import annotations

import copy
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

import highspy
import numpy as np

from planning.model.build import build_model
from planning.model.core import core_of
from planning.model.problem import PlanningProblem
from planning.model.solve import quiet_highs, solve_highs
from planning.model.values import chosen_pairs, complete_values, objective_of

_TIME_LIMIT = quiet_highs().modelStatusToString(highspy.HighsModelStatus.kTimeLimit)
KINDS = ("window", "full", "unit", "week", "district")
EXPLORE = 0.1  # choose_kind: this share of the draws is spread evenly over the kinds
TIGHTEN = 3.0  # lns.tighten_after: the sub-MIPs' gap is divided by this after a run without a gain ...
SUB_GAP_MIN = 1e-4  # ... down to this


@dataclass
class LnsLog:
    neighbourhoods: int = 0  # sub-MIPs solved
    improved: int = 0  # of them, those that improved the plan
    gain: float = 0.0  # objective gained
    seconds: float = 0.0
    stop: str = ""  # why it stopped: gap, time, count, stalled, nothing
    timeouts: int = 0  # sub-MIPs cut by lns.sub_time_limit (their result not used; the search went on)
    sub_gap: float = 0.0  # the sub-MIPs' gap at the end (lns.sub_gap, tightened after runs without a gain)
    by_kind: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in KINDS})  # kind -> [tried, improved]
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective) after each improvement
    kind_pairs: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})  # sub-MIP pairs solved per kind
    kind_gain: dict[str, float] = field(default_factory=lambda: {k: 0.0 for k in KINDS})  # objective gained per kind
    kind_seconds: dict[str, float] = field(default_factory=lambda: {k: 0.0 for k in KINDS})  # diagnostics only


@dataclass(frozen=True)
class Neighbourhood:
    kind: str
    label: str
    cadres: tuple[int, ...]  # freed cadres, in priority order (the pair budget may cut the tail)
    activities: frozenset[str] | None  # the activities they may take (None = all)


class _State:
    """The incumbent's per-cadre and per-option facts, recomputed after each improvement."""

    def __init__(self, prob: PlanningProblem, chosen: set[int]):
        core = core_of(prob)
        n = len(prob.cadre_ids)
        days, hours = np.zeros(n), np.zeros(n)
        self.by_cadre: dict[int, list[int]] = defaultdict(list)
        self.enrolled: dict[int, list[int]] = defaultdict(list)  # option -> cadres
        for p in sorted(chosen):
            i, o = int(prob.pair_cadre[p]), prob.options[prob.pair_option[p]]
            self.by_cadre[i].append(p)
            self.enrolled[o.index].append(i)
            if o.kind == "class":
                days[i] += o.days
                hours[i] += o.hours
        self.unmet = np.array([bool(core.has_req[i]) and not core.met(i, days[i], hours[i]) for i in range(n)],
                              dtype=bool)


def _prepared(prob: PlanningProblem):
    """Per problem: pairs by cadre, candidate cadres by activity, cadres by unit and district."""
    by_cadre = prob.pairs_of_cadre()
    act_of_opt = [o.activity_id for o in prob.options]
    names = sorted(set(act_of_opt))
    code = {a: k for k, a in enumerate(names)}
    opt_act = np.asarray([code[a] for a in act_of_opt], dtype=np.int64)
    # the (activity, cadre) keys, sorted and unique (np.unique's result): built and sorted in place,
    # one 8-byte array per pair alive instead of four (460 MB at 12.9 million pairs)
    key = opt_act[prob.pair_option]
    key *= len(prob.cadre_ids)
    key += prob.pair_cadre
    key.sort()
    key = key[np.concatenate(([True], key[1:] != key[:-1]))] if len(key) else key
    acts_k, cadres_k = np.divmod(key, len(prob.cadre_ids))
    cuts = np.searchsorted(acts_k, np.arange(len(names) + 1))
    cand = {names[k]: cadres_k[cuts[k]:cuts[k + 1]].tolist() for k in range(len(names)) if cuts[k + 1] > cuts[k]}
    units: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(prob.cadre_unit):
        units[u].append(i)
    udist = dict(zip(prob.data.units["unit_id"], prob.data.units["district"]))
    districts: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(prob.cadre_unit):
        districts[str(udist.get(u, u))].append(i)
    return by_cadre, act_of_opt, cand, units, districts


def _order(cadres, unmet: np.ndarray, rng: np.random.Generator) -> tuple[int, ...]:
    """Unmet cadres first, each part in a seeded random order."""
    cadres = np.asarray(sorted(cadres), dtype=np.int64)
    if len(cadres) == 0:
        return ()
    key = rng.random(len(cadres)) - 2.0 * unmet[cadres]
    return tuple(int(c) for c in cadres[np.argsort(key, kind="stable")])


def neighbourhoods(prob: PlanningProblem, state: _State, prepared, rng: np.random.Generator) -> list[Neighbourhood]:
    """One round of neighbourhoods of every kind, interleaved, in an order drawn from `rng`."""
    lists = neighbourhoods_by_kind(prob, state, prepared, rng)
    out = []
    for j in range(max((len(v) for v in lists.values()), default=0)):
        out += [lists[k][j] for k in KINDS if j < len(lists[k])]
    return out


def neighbourhoods_by_kind(prob: PlanningProblem, state: _State, prepared,
                           rng: np.random.Generator) -> dict[str, list[Neighbourhood]]:
    """The neighbourhoods of each kind, each list in an order drawn from `rng`."""
    by_cadre, act_of_opt, cand, units, districts = prepared
    unmet = state.unmet
    lists: dict[str, list[Neighbourhood]] = {k: [] for k in KINDS}
    classes = [a for a in prob.activities.values() if a.kind == "class" and a.options]
    for a in classes:
        trainees = sorted({i for oi in a.options for i in state.enrolled.get(oi, [])})
        competing = [i for i in cand.get(a.activity_id, []) if unmet[i]]
        if a.windowed and trainees:
            others = {act_of_opt[prob.pair_option[p]] for i in trainees for p in state.by_cadre[i]}
            lists["window"].append(Neighbourhood("window", a.activity_id,
                                                 tuple(trainees) + _order(set(competing) - set(trainees), unmet, rng),
                                                 frozenset(others | {a.activity_id})))
        if trainees and len(trainees) >= a.capacity and competing:
            others = {act_of_opt[prob.pair_option[p]] for i in trainees for p in state.by_cadre[i]}
            lists["full"].append(Neighbourhood("full", a.activity_id, _order(set(trainees) | set(competing), unmet, rng),
                                               frozenset(others | {a.activity_id})))
    for u, members in sorted(units.items()):
        if unmet[members].any():
            lists["unit"].append(Neighbourhood("unit", u, _order(members, unmet, rng), None))
    for d, members in sorted(districts.items()):
        if unmet[members].any():
            lists["district"].append(Neighbourhood("district", d, _order(members, unmet, rng), None))
    weeks: dict[int, set[str]] = defaultdict(set)
    for oi, cadres in state.enrolled.items():
        o = prob.options[oi]
        if o.kind == "class" and cadres:
            weeks[o.start.toordinal() // 7].add(o.activity_id)
    for w, acts in sorted(weeks.items()):
        near = {a for ww in (w - 1, w, w + 1) for a in weeks.get(ww, ())}
        trainees = {i for oi, cs in state.enrolled.items() if prob.options[oi].activity_id in acts for i in cs}
        competing = {i for a in acts for i in cand.get(a, []) if unmet[i]}
        lists["week"].append(Neighbourhood("week", f"week {w}", _order(trainees | competing, unmet, rng),
                                           frozenset(near)))
    for k in KINDS:
        perm = rng.permutation(len(lists[k]))
        lists[k] = [lists[k][j] for j in perm]
    return lists


def choose_kind(log: LnsLog, available: list[str], rng: np.random.Generator) -> str:
    """The kind of the next neighbourhood, drawn with weight (improved + 1) / (tried + 2) per kind,
    `EXPLORE` of the draws spread evenly: kinds that have improved the plan come more often (on
    the 800 adversarial county whole districts improved 60-100 % of the time and gained the most
    per second, units 30-60 %, a windowed class, a full class or a week 0-12 %). The weights are
    counts, not seconds, so the sequence repeats."""
    w = np.array([(log.by_kind[k][1] + 1.0) / (log.by_kind[k][0] + 2.0) for k in available])
    p = (1 - EXPLORE) * w / w.sum() + EXPLORE / len(available)
    return available[int(rng.choice(len(available), p=p / p.sum()))]


def sub_problem(prob: PlanningProblem, nb: Neighbourhood, incumbent: set[int], prepared,
                max_pairs: int) -> tuple[PlanningProblem, np.ndarray, np.ndarray] | None:
    """The exact sub-problem of a neighbourhood: (the restricted problem, the global index of each
    of its pairs, the mask of the cadres it holds), or None when it frees nothing."""
    by_cadre, act_of_opt, _, units, _ = prepared
    inc = np.zeros(prob.n_pairs, dtype=bool)
    inc[list(incumbent)] = True
    keep_pair = np.zeros(prob.n_pairs, dtype=bool)
    freed: list[int] = []
    total = 0
    for i in nb.cadres:
        ps = by_cadre[i]
        if nb.activities is not None:
            ps = [p for p in ps if inc[p] or act_of_opt[prob.pair_option[p]] in nb.activities]
        if freed and total + len(ps) > max_pairs:
            continue  # over the pair budget (a window's trainees come first: its dates move when all fit)
        freed.append(i)
        keep_pair[ps] = True
        total += len(ps)
    if not freed:
        return None
    # the rest of the freed cadres' units: their incumbent assignments only (so the unit caps hold)
    free = np.zeros(len(prob.cadre_ids), dtype=bool)
    for u in {prob.cadre_unit[i] for i in freed}:
        free[units[u]] = True
    keep_pair |= inc & free[prob.pair_cadre]
    # fixed cadres' use of seats, slots and budget
    fixed_count: dict[int, int] = defaultdict(int)
    fixed_cost = 0.0
    for p in incumbent:
        if not free[prob.pair_cadre[p]]:
            o = prob.options[prob.pair_option[p]]
            fixed_count[o.index] += 1
            if o.kind == "class":
                fixed_cost += prob.activities[o.activity_id].cost
    acts, allowed = {}, np.zeros(len(prob.options), dtype=bool)
    for aid, a in prob.activities.items():
        b = copy.copy(a)
        used = [oi for oi in a.options if fixed_count.get(oi, 0) > 0]
        n_fixed = sum(fixed_count.get(oi, 0) for oi in a.options)
        if a.kind == "class" and used:
            b.options = used[:1]  # the class runs on the dates its fixed trainees have
            b.min_size = max(0, a.min_size - n_fixed)
            b.forced_open = a.windowed or a.min_size > 0
        else:
            b.options = list(a.options)
        b.capacity = a.capacity - n_fixed
        allowed[b.options] = True
        acts[aid] = b
    keep = np.flatnonzero(keep_pair & allowed[prob.pair_option])
    cadres = np.flatnonzero(free)
    remap = -np.ones(len(prob.cadre_ids), dtype=np.int64)
    remap[cadres] = np.arange(len(cadres))
    budget = prob.policy["budget.total"]
    policy = prob.policy if budget is None else prob.policy.with_overrides({"budget.total": max(0.0, budget - fixed_cost)})
    ids = {prob.cadre_ids[i] for i in cadres}
    sub = replace(prob, policy=policy, facts=prob.facts.iloc[cadres], cadre_ids=[prob.cadre_ids[i] for i in cadres],
                  cadre_unit=[prob.cadre_unit[i] for i in cadres], activities=acts,
                  pair_cadre=remap[prob.pair_cadre[keep]].astype(np.int32), pair_option=prob.pair_option[keep],
                  must=[m for m in prob.must if m[0] in ids], exclusions={}, warnings=[],
                  pair_value=None if prob.pair_value is None else np.asarray(prob.pair_value)[keep],
                  objective_offset=0.0)
    return sub, keep, free


def lns(prob: PlanningProblem, incumbent: set[int], score, *, bound: float | None, gap: float, deadline: float,
        seed: int, max_pairs: int, node_limit: int, sub_time_limit: float, max_neighbourhoods: int = 0,
        kind_max_pairs: dict[str, int] | None = None, stall_rounds: int = 1, sub_gap: float = 1e-6,
        tighten_after: int = 0, heuristic_effort: float | None = None,
        msg: bool = False) -> tuple[set[int], LnsLog]:
    """Improve `incumbent` (scored by `score(pairs)`, the full objective) until the gap to `bound`
    is at most `gap`, the deadline (time.perf_counter) passes, `max_neighbourhoods` (> 0) sub-MIPs
    are solved, or `stall_rounds` rounds of every neighbourhood bring nothing. Each sub-MIP stops
    at the relative gap `sub_gap` (of its own objective) or `node_limit` nodes: HiGHS finds a
    neighbourhood's better plan early and spends most of its time proving it (lns.sub_gap).
    `heuristic_effort`: HiGHS's mip_heuristic_effort in the sub-MIPs (None: HiGHS's default);
    `kind_max_pairs`: the pair budget of some kinds of neighbourhood instead of `max_pairs`.
    `tighten_after` (> 0): after that many sub-MIPs in a row without a gain, the sub-MIPs' gap is
    divided by TIGHTEN (down to SUB_GAP_MIN): the easy gains are taken, the rest lie within the
    slack a loose gap leaves (a count, so runs repeat)."""
    t0 = time.perf_counter()
    log = LnsLog()
    if t0 >= deadline:  # nothing prepared when no time is left (preparing costs seconds at 1 million pairs)
        log.stop = "time"
        return set(incumbent), log
    best, obj = set(incumbent), float(score(incumbent))
    rng = np.random.default_rng([int(seed), 2112])
    prepared = _prepared(prob)
    stalled = 0
    dry = 0  # sub-MIPs solved in a row without a gain (tighten_after)
    log.sub_gap = sub_gap
    sub_options = {"mip_max_nodes": int(node_limit)}
    if heuristic_effort is not None:
        sub_options["mip_heuristic_effort"] = float(heuristic_effort)
    overhead = 0.0  # the most seconds building one sub-MIP took (the search stops when less than twice it is left)

    def closed() -> bool:
        return bound is not None and (bound - obj) / max(1.0, abs(obj)) <= gap + 1e-12

    queues: dict[str, list[Neighbourhood]] = {}
    kinds: list[str] = []  # the kinds the last generation held
    generation = 0  # neighbourhoods in the last generation
    while not log.stop:
        if closed():
            log.stop = "gap"
        elif max_neighbourhoods and log.neighbourhoods >= max_neighbourhoods:
            log.stop = "count"
        elif time.perf_counter() >= deadline:
            log.stop = "time"
        elif generation and stalled >= stall_rounds * generation:
            log.stop = "stalled"  # as many neighbourhoods in a row as a generation holds, none better
        if log.stop:
            break
        kind = choose_kind(log, kinds, rng) if kinds else None
        if kind is None or not queues[kind]:
            # a new generation of neighbourhoods, from the incumbent as it now is
            queues = neighbourhoods_by_kind(prob, _State(prob, best), prepared, rng)
            kinds = [k for k in KINDS if queues[k]]
            generation = sum(len(v) for v in queues.values())
            if not generation:
                log.stop = "nothing"
            continue
        nb = queues[kind].pop(0)
        t_nb = time.perf_counter()
        if deadline - t_nb < 2 * overhead:  # no time for building one more sub-MIP and taking its plan
            log.stop = "time"
            break
        stalled += 1
        made = sub_problem(prob, nb, best, prepared,
                           (kind_max_pairs or {}).get(nb.kind, max_pairs))
        if made is None or made[0].n_pairs == 0:
            continue
        sub, keep, free = made
        m = build_model(sub)
        local = {k for k, p in enumerate(keep) if int(p) in best}
        start = complete_values(m, local)
        before = objective_of(m, start)
        overhead = max(overhead, time.perf_counter() - t_nb)
        left = deadline - time.perf_counter()
        if left <= 0:
            log.stop = "time"
            break
        by_deadline = left <= sub_time_limit
        res = solve_highs(m, time_limit=min(sub_time_limit, left), gap=log.sub_gap, threads=1, seed=seed, msg=msg,
                          warm_start=start, options=sub_options)
        log.neighbourhoods += 1
        log.by_kind[nb.kind][0] += 1
        dry += 1
        if tighten_after and dry >= tighten_after:
            log.sub_gap, dry = max(SUB_GAP_MIN, log.sub_gap / TIGHTEN), 0
        log.kind_seconds[nb.kind] += time.perf_counter() - t_nb
        log.kind_pairs[nb.kind] += sub.n_pairs
        if res.message == _TIME_LIMIT:
            # a sub-MIP cut by the clock is not used, so the plan is one of the repeatable sequence;
            # cut by the deadline the search ends, cut by its own safety limit it goes on (before, it
            # ended: the 1,000 fixed-date county lost 75 s of its 120 to one district sub-MIP)
            if by_deadline:
                log.stop = "time"
                break
            log.timeouts += 1
            continue
        if res.values is None or res.objective is None or res.objective <= before + 1e-6:
            continue
        new_local = chosen_pairs(m, res.values)
        cand = {p for p in best if not free[prob.pair_cadre[p]]} | {int(keep[k]) for k in new_local}
        new_obj = float(score(cand))
        if new_obj <= obj + 1e-6:
            continue
        log.improved += 1
        log.by_kind[nb.kind][1] += 1
        log.gain += new_obj - obj
        log.kind_gain[nb.kind] += new_obj - obj
        best, obj = cand, new_obj
        log.history.append((round(time.perf_counter() - t0, 3), new_obj))
        stalled = dry = 0
    log.seconds = time.perf_counter() - t0
    return best, log

