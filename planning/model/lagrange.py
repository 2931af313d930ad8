"""Lagrangian relaxation: a proven bound and price-guided plans, for rosters of any size.

The rules that tie cadres together are *priced* instead of enforced: a price λ per dated
class option and per rotation post (seats, slots; a windowed class offers its seats on one of
its dates), μ per (unit, day) (the absence cap) and β per yuan (the budget). What is left falls
apart into one small problem per cadre: the best set of options that do not overlap, differ in
topic, hold at most `rotation.max_per_year` rotations and honour the cadre's `must` pins, valued
by the model's own objective (`rules.set_objective`) minus the prices of what it uses. For any
prices ≥ 0, weak duality gives

    L = Σ_cadres best_i(prices) + Σ_activities seats · max_dates λ + Σ_(unit, day) cap · μ + β · budget
      ≥ the objective of every valid plan

(minimum class sizes are dropped, which can only raise L). Subgradient steps with a Polyak
step length lower it; the best L is the bound reported. Because each cadre's problem is solved
whole — a bundle meets the requirement or it does not — this bound is far tighter than the LP
relaxation, whose fractional `met` variables give credit for half a class.

The per-cadre problems are solved exactly by a depth-first search over the cadre's options in
increasing price (compiled with numba): once a set is found, no set whose prices already add
up to more can beat it, so the search ends after a handful of nodes. The same search, with the
seats, unit days and budget still free, builds plans (`construct`): cadres in priority order
take the bundle that is best for them *at the current prices*, so contested seats and busy unit
days go to those who gain most from them, and a windowed class drifts to the dates on which the
people it serves are free. A second pass lets every cadre still short re-choose at cost only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit, prange

from planning.model.problem import PlanningProblem

MAX_DEPTH = 12  # options in one cadre's set (a year's classes plus a rotation)
NODE_LIMIT = 200_000  # search nodes per cadre; beyond it the cadre's best case is used in the bound
# A cadre's search stops proving once no set can beat the best found by more than this share of
# the cadre's requirement value; the bound adds it back, so it stays valid (near-equal prices,
# such as a windowed class's eight dates at one cost, would otherwise make the search enumerate)
SEARCH_TOL = 0.001
EPS = 1e-9
DEFLECT = 0.5  # share of the last direction in each subgradient step
SMOOTH = 0.5  # master rounds price halfway between the best prices so far and the master's duals
POOL_STEPS = 10  # subgradient steps whose bundles seed the master LP
MASTER_THETA = 0.1  # step length after the master rounds: near the optimum, short steps


@dataclass
class LagrangeData:
    """The problem as flat arrays, pairs grouped by cadre (``order`` maps back to pair ids)."""

    order: np.ndarray  # position -> pair index in the problem
    ptr: np.ndarray  # cadre -> first position
    opt: np.ndarray
    act: np.ndarray
    topic: np.ndarray  # -1 for rotations
    rot: np.ndarray  # bool
    days: np.ndarray
    hours: np.ndarray
    cost: np.ndarray  # yuan
    reward: np.ndarray  # rotation reward (objective) for the pair's cadre
    pin: np.ndarray  # bool: the cadre has a `must` pin on this pair's activity
    unit: np.ndarray  # unit index of the pair's cadre
    c_w: np.ndarray
    c_hasreq: np.ndarray
    c_byh: np.ndarray
    c_reqd: np.ndarray
    c_reqh: np.ndarray
    c_any: np.ndarray  # bonus for an overdue cadre who gets a class
    c_npin: np.ndarray
    overlap: np.ndarray  # options × options, bool
    occ: np.ndarray  # options × days, float64 (1 where the option occupies the day)
    opt_day_ptr: np.ndarray
    opt_day_idx: np.ndarray  # day columns of each option
    opt_act: np.ndarray
    act_cap: np.ndarray
    act_min: np.ndarray
    unit_cap: np.ndarray
    budget: float  # inf when there is none
    w_met: float
    w_short: float
    per_yuan: float
    max_rot: int
    pinned_cadres: np.ndarray  # bool
    weight_order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_value: np.ndarray | None = None  # per position: PlanningProblem.pair_value (scored, not priced)
    objective_offset: float = 0.0

    @property
    def n_cadres(self) -> int:
        return len(self.ptr) - 1


def prepare(prob: PlanningProblem) -> LagrangeData:
    pol = prob.policy
    f = prob.facts
    n = len(prob.cadre_ids)
    order = np.argsort(prob.pair_cadre, kind="stable")
    ptr = np.searchsorted(prob.pair_cadre[order], np.arange(n + 1)).astype(np.int64)
    act_ids = list(prob.activities)
    act_index = {a: k for k, a in enumerate(act_ids)}
    topics: dict[str, int] = {}
    opts = prob.options
    opt_act = np.array([act_index[o.activity_id] for o in opts], dtype=np.int64)
    opt_topic = np.array([-1 if o.kind == "rotation" else topics.setdefault(prob.activities[o.activity_id].topic_key,
                                                                           len(topics)) for o in opts], dtype=np.int64)
    opt_rot = np.array([o.kind == "rotation" for o in opts], dtype=np.bool_)
    opt_days = np.array([o.days if o.kind == "class" else 0.0 for o in opts])
    opt_hours = np.array([o.hours if o.kind == "class" else 0.0 for o in opts])
    opt_cost = np.array([prob.activities[o.activity_id].cost if o.kind == "class" else 0.0 for o in opts])
    po = prob.pair_option[order].astype(np.int64)
    pc = prob.pair_cadre[order].astype(np.int64)
    reserve, young = f["reserve"].to_numpy(), f["young"].to_numpy()
    rot_reward = (pol["objective.rotation_filled"] + pol["objective.rotation_reserve_bonus"] * reserve
                  + pol["objective.rotation_young_bonus"] * young).astype(float)
    reward = np.where(opt_rot[po], rot_reward[pc], 0.0)
    units = sorted(prob.unit_cap)
    unit_index = {u: k for k, u in enumerate(units)}
    c_unit = np.array([unit_index[u] for u in prob.cadre_unit], dtype=np.int64)
    must = {(c, a) for c, a, _ in prob.must}
    index = {c: i for i, c in enumerate(prob.cadre_ids)}
    pinned = np.zeros(n, dtype=np.bool_)
    npin = np.zeros(n, dtype=np.int64)
    for c, a in must:
        pinned[index[c]] = True
        npin[index[c]] += 1
    pin = np.array([(prob.cadre_ids[i], opts[o].activity_id) in must for i, o in zip(pc, po)], dtype=np.bool_) \
        if must else np.zeros(len(po), dtype=np.bool_)
    first = min((min(o.occ) for o in opts), default=0)
    last = max((max(o.occ) for o in opts), default=0)
    n_days = max(1, last - first + 1)
    occ = np.zeros((len(opts), n_days))
    day_ptr = [0]
    day_idx: list[int] = []
    for o in opts:
        cols = sorted(d - first for d in o.occ)
        occ[o.index, cols] = 1.0
        day_idx += cols
        day_ptr.append(len(day_idx))
    overlap = (occ @ occ.T) > 0.5 if len(opts) else np.zeros((0, 0), dtype=np.bool_)
    budget = pol["budget.total"]
    w = f["weight"].to_numpy().astype(float)
    byh = (f["measure"] == "hours").to_numpy()
    hasreq = f["has_requirement"].to_numpy().astype(np.bool_)
    od = f["overdue"].to_numpy().astype(bool)
    acts = prob.activities
    data = LagrangeData(
        order=order.astype(np.int64), ptr=ptr, opt=po, act=opt_act[po], topic=opt_topic[po], rot=opt_rot[po],
        days=opt_days[po], hours=opt_hours[po], cost=opt_cost[po], reward=reward, pin=pin, unit=c_unit[pc],
        c_w=w, c_hasreq=hasreq, c_byh=byh.astype(np.bool_),
        c_reqd=np.where(byh, 1.0, f["required_days"].to_numpy().astype(float)),
        c_reqh=np.maximum(f["required_hours"].to_numpy().astype(float), EPS),
        c_any=np.where(od, pol["objective.overdue_any_class"] * w, 0.0), c_npin=npin,
        overlap=np.ascontiguousarray(overlap, dtype=np.bool_), occ=occ,
        opt_day_ptr=np.asarray(day_ptr, dtype=np.int64), opt_day_idx=np.asarray(day_idx, dtype=np.int64),
        opt_act=opt_act, act_cap=np.array([acts[a].capacity for a in act_ids], dtype=np.int64),
        act_min=np.array([acts[a].min_size if acts[a].kind == "class" else 0 for a in act_ids], dtype=np.int64),
        unit_cap=np.array([prob.unit_cap[u] for u in units], dtype=np.int64),
        budget=math.inf if budget is None else float(budget),
        w_met=float(pol["objective.requirement_met"]), w_short=float(pol["objective.shortfall_fraction"]),
        per_yuan=float(pol["objective.cost_per_10k_yuan"]) / 10000.0, max_rot=int(pol["rotation.max_per_year"]),
        pinned_cadres=pinned)
    if prob.pair_value is not None:
        data.pair_value = np.asarray(prob.pair_value, dtype=float)[order]
        data.objective_offset = float(prob.objective_offset)
    data.weight_order = np.array(sorted(range(n), key=lambda i: (not pinned[i], -w[i], not od[i], prob.cadre_ids[i])),
                                 dtype=np.int64)
    return data


def _req_value_np(data: LagrangeData, cadre: np.ndarray, D: np.ndarray, H: np.ndarray) -> np.ndarray:
    """`_req_value` for arrays: cadre `cadre[k]` with D[k] days and H[k] hours of classes."""
    byh, reqd, reqh, w = data.c_byh[cadre], data.c_reqd[cadre], data.c_reqh[cadre], data.c_w[cadre]
    met = np.where(byh, H >= reqh - 1e-9, (D >= reqd - 1e-9) | (H >= reqh - 1e-9))
    short = np.where(byh, 1 - H / reqh, 1 - D / reqd).clip(0, None)
    return np.where(met, data.w_met * w, -data.w_short * w * short) * data.c_hasreq[cadre]


# --------------------------------------------------------------------------- compiled kernels
@njit(cache=True)
def _req_value(D, H, hasreq, byh, reqd, reqh, w, w_met, w_short):
    if not hasreq:
        return 0.0
    if byh:
        if H >= reqh - 1e-9:
            return w_met * w
        return -w_short * w * max(0.0, 1.0 - H / reqh)
    if D >= reqd - 1e-9 or H >= reqh - 1e-9:
        return w_met * w
    return -w_short * w * max(0.0, 1.0 - D / reqd)


@njit(cache=True)
def _compatible(j, fixed, nf, stack, ns, opt, topic, rot, overlap):
    for t in range(nf):
        q = fixed[t]
        if overlap[opt[j], opt[q]] or (not rot[j] and not rot[q] and topic[j] == topic[q]):
            return False
    for t in range(ns):
        q = stack[t]
        if overlap[opt[j], opt[q]] or (not rot[j] and not rot[q] and topic[j] == topic[q]):
            return False
    return True


COVER_CELLS = 32  # grid of the cover tables: lengths in steps of (requirement / this), at least 1


@njit(cache=True)
def _cells(length, g):
    """A class's length on the grid, rounded up."""
    return int(math.ceil(length / g - 1e-9))


@njit(cache=True)
def _shortfall(missing, g):
    """A shortfall on the grid, rounded down (0 when met)."""
    return max(0, int(math.floor((missing - 1e-6) / g)))


@njit(cache=True)
def _cover_table(cs, nxt, price, length, missing):
    """cov[k, m]: the least total price of classes from cs[k:] whose grid lengths reach m cells,
    one class per topic (the candidates come grouped by topic; nxt[k] is where the topic after
    cs[k]'s begins), dates and budget ignored, for m up to the shortfall `missing`; and the grid
    step. Exact over any prices (at m = 0 it is the most negative set)."""
    K = len(cs)
    g = max(1.0, missing / COVER_CELLS) if missing > 0 else 1.0
    M = _shortfall(missing, g)
    cov = np.empty((K + 1, M + 1))
    cov[K, 0] = 0.0
    cov[K, 1:] = np.inf
    for k in range(K - 1, -1, -1):
        j = cs[k]
        p = price[j]
        c = _cells(length[j], g)
        q = nxt[k]
        for m in range(M + 1):
            cov[k, m] = min(cov[k + 1, m], p + cov[q, max(0, m - c)])
    return cov, g


@njit(cache=True)
def _class_dfs(cands, price, opt, topic, rot, days, hours, cost, overlap, fixed, nf, D0, H0, P0, C0, n0,
               hasreq, byh, reqd, reqh, w, any_bonus, w_met, w_short, budget_left, out):
    """The best set of classes from `cands` added to the `fixed` ones: the requirement's value,
    the overdue bonus, minus the prices. Depth-first over the candidates grouped by topic (one
    class per topic; topics in increasing best price per day, per hour for an hours
    requirement), pruned by bounds that hold for every extension from position k on: to meet
    the requirement it still costs at least the knapsack cover of the missing days (hours) by
    whole classes of the topics left (`_cover_table`; dates ignored), at least (days missing) ×
    the cheapest price per day left, and at least the cheapest single class left; short of it,
    each day left adds at most (shortfall weight per day − that price). The cover's own set,
    when its dates fit, is the first plan to prune against. Measured on a 5,000-cadre county
    with every class windowed (eight dates a class, seats priced close together): the
    cheapest-class bound cut the nodes per cadre from 9,900 to 730 at one set of prices, the
    cover and the grouping from 4,700 to 1,600 at a later one. Returns (value, exact, bound);
    `out` gets the chosen positions, -1 terminated."""
    K = len(cands)
    # candidates grouped by topic (at most one class of a topic), the topics in increasing best
    # price per day (per hour), within a topic by price; nxt[k]: where the next topic begins
    unit = np.empty(K)
    for k in range(K):
        j = cands[k]
        unit[k] = price[j] / (hours[j] if byh else days[j])
    by_price = np.argsort(price[cands], kind="mergesort")
    n_top = 0
    for k in range(K):
        n_top = max(n_top, topic[cands[k]] + 1)
    best_unit = np.full(max(1, n_top), np.inf)
    for k in range(K):
        t = topic[cands[k]]
        best_unit[t] = min(best_unit[t], unit[k])
    t_rank = np.empty(max(1, n_top), dtype=np.int64)
    t_rank[np.argsort(best_unit, kind="mergesort")] = np.arange(max(1, n_top))
    rank = np.empty(K, dtype=np.int64)
    for k in range(K):
        rank[k] = t_rank[topic[cands[by_price[k]]]]
    order = by_price[np.argsort(rank, kind="mergesort")]
    cs = cands[order]
    nxt = np.empty(K, dtype=np.int64)
    for k in range(K - 1, -1, -1):
        nxt[k] = K if k == K - 1 else (k + 1 if topic[cs[k + 1]] != topic[cs[k]] else nxt[k + 1])
    rho_d = np.full(K + 1, np.inf)
    rho_h = np.full(K + 1, np.inf)
    minp = np.full(K + 1, np.inf)  # the cheapest single candidate from position k on
    for k in range(K - 1, -1, -1):
        j = cs[k]
        rho_d[k] = min(rho_d[k + 1], price[j] / days[j])
        rho_h[k] = min(rho_h[k + 1], price[j] / hours[j])
        minp[k] = min(minp[k + 1], price[j])
    R = reqh if byh else reqd
    gain = w_short * w / R  # value of one more day (hour) short of the requirement
    tol = SEARCH_TOL * w_met * w + 1e-9

    def_val = _req_value(D0, H0, hasreq, byh, reqd, reqh, w, w_met, w_short) - P0 + (any_bonus if n0 > 0 else 0.0)
    best = def_val
    best_n = 0
    best_set = np.empty(MAX_DEPTH, dtype=np.int64)
    out[0] = -1
    if not hasreq:
        # no requirement: one class at most is worth having (for an overdue cadre's bonus)
        if n0 == 0 and any_bonus > 0:
            bj = -1
            for k in range(K):
                j = cs[k]
                if C0 + cost[j] <= budget_left + 1e-9 and _compatible(j, fixed, nf, best_set, 0, opt, topic, rot,
                                                                      overlap):
                    v = any_bonus - P0 - price[j]
                    if v > best + 1e-12:
                        best = v
                        bj = j
            if bj >= 0:
                out[0] = bj
                out[1] = -1
        return best, True, best
    stack = np.empty(MAX_DEPTH, dtype=np.int64)
    pos = np.zeros(MAX_DEPTH + 1, dtype=np.int64)
    # the least the missing days (hours) can cost from position k on, classes taken whole and
    # conflicts ignored: a knapsack cover on a grid of lengths rounded up and shortfalls
    # rounded down, so every real extension costs at least this much
    cov_d, g_d = _cover_table(cs, nxt, price, days, 0.0 if byh else reqd - D0)
    cov_h, g_h = _cover_table(cs, nxt, price, hours, reqh - H0)
    # its best set, when its classes fit together, is the first plan to prune against
    cov, gl, ln = (cov_h, g_h, hours) if byh or cov_h[0, -1] < cov_d[0, -1] else (cov_d, g_d, days)
    m = cov.shape[1] - 1
    D, H, P, C = D0, H0, P0, C0
    d = 0
    ok = True
    k = 0
    while k < K and m > 0:
        if cov[k, m] == cov[k + 1, m]:
            k += 1
            continue
        j = cs[k]
        if d >= MAX_DEPTH or C + cost[j] > budget_left + 1e-9 or \
                not _compatible(j, fixed, nf, stack, d, opt, topic, rot, overlap):
            ok = False
            break
        stack[d] = j
        d += 1
        D += days[j]
        H += hours[j]
        P += price[j]
        C += cost[j]
        m = max(0, m - _cells(ln[j], gl))
        k = nxt[k]
    if ok and d > 0:
        v = _req_value(D, H, True, byh, reqd, reqh, w, w_met, w_short) + any_bonus - P
        if v > best + 1e-12:
            best = v
            best_n = d
            for t in range(d):
                best_set[t] = stack[t]
    D, H, P, C, n = D0, H0, P0, C0, n0
    nodes = 0
    root_ub = -np.inf
    d = 0
    pos[0] = 0
    while d >= 0:
        kk = pos[d]
        pushed = False
        while kk < K:
            # bounds on every set that extends the current one with candidates from kk on
            ext_h = max((reqh - H) * rho_h[kk], cov_h[kk, _shortfall(reqh - H, g_h)])
            if byh:
                ext = max(ext_h, minp[kk])
                part = -w_short * w * max(0.0, 1.0 - H / reqh) + (reqh - H) * max(0.0, gain - rho_h[kk])
            else:
                ext_d = max((reqd - D) * rho_d[kk], cov_d[kk, _shortfall(reqd - D, g_d)])
                ext = max(min(ext_d, ext_h), minp[kk])
                part = -w_short * w * max(0.0, 1.0 - D / reqd) + (reqd - D) * max(0.0, gain - rho_d[kk])
            ub = max(w_met * w - ext, part) + any_bonus - P
            if nodes == 0 and d == 0 and kk == 0:
                root_ub = ub
            if ub <= best + tol:
                kk = K
                break
            j = cs[kk]
            kk += 1
            if C + cost[j] > budget_left + 1e-9:
                continue
            if not _compatible(j, fixed, nf, stack, d, opt, topic, rot, overlap):
                continue
            pos[d] = kk
            stack[d] = j
            D += days[j]
            H += hours[j]
            P += price[j]
            C += cost[j]
            n += 1
            nodes += 1
            met = (H >= reqh - 1e-9) if byh else (D >= reqd - 1e-9 or H >= reqh - 1e-9)
            v = _req_value(D, H, True, byh, reqd, reqh, w, w_met, w_short) + any_bonus - P
            if v > best + 1e-12:
                best = v
                best_n = d + 1
                for t in range(d + 1):
                    best_set[t] = stack[t]
            if nodes > NODE_LIMIT:
                for t in range(best_n):
                    out[t] = best_set[t]
                out[best_n] = -1
                return best, False, max(best, root_ub)
            if not met and d + 1 < MAX_DEPTH:
                # once met, a further class only costs: the same set without it is better; the
                # next class comes from a later topic
                d += 1
                pos[d] = nxt[kk - 1]
                pushed = True
                break
            D -= days[j]
            H -= hours[j]
            P -= price[j]
            C -= cost[j]
            n -= 1
        if not pushed:
            d -= 1
            if d >= 0:
                j = stack[d]
                D -= days[j]
                H -= hours[j]
                P -= price[j]
                C -= cost[j]
                n -= 1
    for t in range(best_n):
        out[t] = best_set[t]
    out[best_n] = -1
    return best, True, best + tol


@njit(cache=True)
def _record(best_set, fixed, nf, classes, r):
    """best_set := the fixed (pinned) positions, the -1 terminated `classes`, and rotation r
    (if r ≥ 0), -1 terminated."""
    q = 0
    for t in range(nf):
        best_set[q] = fixed[t]
        q += 1
    t = 0
    while classes[t] >= 0:
        best_set[q] = classes[t]
        q += 1
        t += 1
    if r >= 0:
        best_set[q] = r
        q += 1
    best_set[q] = -1


@njit(cache=True)
def _search(i, ptr, price, usable, opt, act, topic, rot, days, hours, cost, reward, pin, c_w, c_hasreq, c_byh,
            c_reqd, c_reqh, c_any, c_npin, overlap, w_met, w_short, max_rot, budget_left, out):
    """The best set for cadre i at `price` among its `usable` positions: every way of honouring
    its `must` pins (one dated option per pinned activity), then the best classes with no
    rotation, then rotations in decreasing reward − price while they can still beat the best
    (a rotation compatible with the no-rotation classes ends the search). Writes the chosen
    positions to `out` (-1 terminated); returns (value, exact, upper bound on the value)."""
    s, e = ptr[i], ptr[i + 1]
    w = c_w[i]
    hasreq, byh, reqd, reqh, any_bonus = c_hasreq[i], c_byh[i], c_reqd[i], c_reqh[i], c_any[i]
    n_all = e - s
    cls_all = np.empty(n_all, dtype=np.int64)
    rot_all = np.empty(n_all, dtype=np.int64)
    pin_pos = np.empty(n_all, dtype=np.int64)
    nc = nr = npn = 0
    for j in range(s, e):
        if not usable[j]:
            continue
        if pin[j]:
            pin_pos[npn] = j
            npn += 1
        elif rot[j]:
            rot_all[nr] = j
            nr += 1
        else:
            cls_all[nc] = j
            nc += 1
    # pinned activities and their options
    n_pin_act = c_npin[i]
    pin_acts = np.empty(max(1, n_pin_act), dtype=np.int64)
    na = 0
    for t in range(npn):
        a = act[pin_pos[t]]
        seen = False
        for u in range(na):
            if pin_acts[u] == a:
                seen = True
        if not seen:
            pin_acts[na] = a
            na += 1
    best = -np.inf
    best_ub = -np.inf
    exact = True
    best_set = np.empty(MAX_DEPTH + 1, dtype=np.int64)
    best_set[0] = -1
    if na < n_pin_act:
        out[0] = -1
        return best, True, best  # a pinned activity has no usable option
    fixed = np.empty(max(1, na), dtype=np.int64)
    choice = np.zeros(max(1, na), dtype=np.int64)
    tmp = np.empty(MAX_DEPTH + 1, dtype=np.int64)
    cand = np.empty(nc, dtype=np.int64)
    rgain = np.empty(nr)
    while True:
        # the pinned options of this combination (choice[u]-th option of pinned activity u)
        nf = 0
        valid = True
        for u in range(na):
            cnt = 0
            for t in range(npn):
                if act[pin_pos[t]] == pin_acts[u]:
                    if cnt == choice[u]:
                        j = pin_pos[t]
                        if not _compatible(j, fixed, nf, fixed, 0, opt, topic, rot, overlap):
                            valid = False
                        fixed[nf] = j
                        nf += 1
                    cnt += 1
        if valid:
            D0 = H0 = P0 = C0 = R0 = 0.0
            n0 = nrot0 = 0
            for t in range(nf):
                j = fixed[t]
                P0 += price[j]
                C0 += cost[j]
                if rot[j]:
                    nrot0 += 1
                    R0 += reward[j]
                else:
                    D0 += days[j]
                    H0 += hours[j]
                    n0 += 1
            if nrot0 > max_rot or C0 > budget_left + 1e-9:
                valid = False
        if valid:
            k = 0
            for t in range(nc):
                j = cls_all[t]
                if _compatible(j, fixed, nf, fixed, 0, opt, topic, rot, overlap):
                    cand[k] = j
                    k += 1
            v0, ok, ub0 = _class_dfs(cand[:k], price, opt, topic, rot, days, hours, cost, overlap, fixed, nf, D0, H0,
                                     P0, C0, n0, hasreq, byh, reqd, reqh, w, any_bonus, w_met, w_short, budget_left,
                                     tmp)
            exact = exact and ok
            v0 += R0
            ub0 += R0
            if v0 > best:
                best = v0
                _record(best_set, fixed, nf, tmp, -1)
            combo_best = v0
            combo_ub = ub0
            if nrot0 < max_rot and nr > 0:
                for t in range(nr):
                    rgain[t] = reward[rot_all[t]] - price[rot_all[t]]
                rorder = np.argsort(-rgain[:nr], kind="mergesort")
                # with more than one rotation a year allowed, the search takes one; the bound
                # adds the best further gains
                extra = 0.0
                for t in range(1, max_rot - nrot0):
                    if t < nr and rgain[rorder[t]] > 0:
                        extra += rgain[rorder[t]]
                combo_ub = ub0 + max(0.0, rgain[rorder[0]]) + extra
                s0 = np.empty(MAX_DEPTH + 1, dtype=np.int64)
                n_s0 = 0
                while tmp[n_s0] >= 0:
                    s0[n_s0] = tmp[n_s0]
                    n_s0 += 1
                for t in range(nr):
                    r = rot_all[rorder[t]]
                    g = rgain[rorder[t]]
                    if g <= 0 or v0 + g <= best + 1e-12:
                        break  # v0 bounds the classes that go with any rotation
                    if not _compatible(r, fixed, nf, fixed, 0, opt, topic, rot, overlap):
                        continue
                    if _compatible(r, s0, n_s0, fixed, 0, opt, topic, rot, overlap):
                        vr = v0 + g
                        for u in range(n_s0):
                            tmp[u] = s0[u]
                        tmp[n_s0] = -1
                    else:
                        k = 0
                        for u in range(nc):
                            j = cls_all[u]
                            if not overlap[opt[j], opt[r]] and _compatible(j, fixed, nf, fixed, 0, opt, topic, rot,
                                                                           overlap):
                                cand[k] = j
                                k += 1
                        vr, ok, ubr = _class_dfs(cand[:k], price, opt, topic, rot, days, hours, cost, overlap, fixed,
                                                 nf, D0, H0, P0, C0, n0, hasreq, byh, reqd, reqh, w, any_bonus, w_met,
                                                 w_short, budget_left, tmp)
                        exact = exact and ok
                        vr += R0 + g
                    combo_best = max(combo_best, vr)
                    if vr > best:
                        best = vr
                        _record(best_set, fixed, nf, tmp, r)
                    if _compatible(r, s0, n_s0, fixed, 0, opt, topic, rot, overlap):
                        break  # the best classes and the best rotation left go together
                if exact and extra == 0.0:
                    combo_ub = combo_best + (ub0 - v0)  # the search tolerance
            elif exact:
                combo_ub = ub0
            best_ub = max(best_ub, combo_ub)
        # next combination of pinned options
        u = 0
        while u < na:
            cnt = 0
            for t in range(npn):
                if act[pin_pos[t]] == pin_acts[u]:
                    cnt += 1
            choice[u] += 1
            if choice[u] < cnt:
                break
            choice[u] = 0
            u += 1
        if u >= na:
            break
    t = 0
    while best_set[t] >= 0:
        out[t] = best_set[t]
        t += 1
    out[t] = -1
    return best, exact, max(best, best_ub)


@njit(cache=True, parallel=True)
def _solve_all(ptr, price, usable, opt, act, topic, rot, days, hours, cost, reward, pin, c_w, c_hasreq, c_byh,
               c_reqd, c_reqh, c_any, c_npin, overlap, w_met, w_short, max_rot, x):
    """Every cadre's best set at `price` among the `usable` positions, cadres in parallel
    (each writes only its own positions): x[position] = 1 if chosen; returns the values and
    the number of searches stopped by the node limit."""
    n = len(ptr) - 1
    z = np.empty(n)
    flags = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        out = np.empty(MAX_DEPTH + 1, dtype=np.int64)
        v, ok, ub = _search(i, ptr, price, usable, opt, act, topic, rot, days, hours, cost, reward, pin, c_w,
                            c_hasreq, c_byh, c_reqd, c_reqh, c_any, c_npin, overlap, w_met, w_short, max_rot,
                            np.inf, out)
        # a search stopped by the node limit counts at its upper bound; a cadre whose pins admit no
        # set at all makes every plan infeasible, so any value is a valid bound there
        z[i] = ub if v > -np.inf else 0.0
        if not ok:
            flags[i] = 1
        t = 0
        while out[t] >= 0:
            x[out[t]] = True
            t += 1
    return z, int(flags.sum())


@njit(cache=True)
def _fits(j, opt, act, cost, unit, enrolled, act_opt, closed, act_cap, absent, unit_cap, day_ptr, day_idx,
          spent, budget):
    a = act[j]
    o = opt[j]
    if closed[a] or enrolled[a] >= act_cap[a]:
        return False
    if act_opt[a] >= 0 and act_opt[a] != o:
        return False
    if spent + cost[j] > budget + 1e-9:
        return False
    u = unit[j]
    cap = unit_cap[u]
    for t in range(day_ptr[o], day_ptr[o + 1]):
        if absent[u, day_idx[t]] >= cap:
            return False
    return True


@njit(cache=True)
def _apply(j, sign, opt, act, cost, unit, enrolled, act_opt, absent, day_ptr, day_idx):
    a = act[j]
    o = opt[j]
    enrolled[a] += sign
    if sign > 0:
        act_opt[a] = o
    elif enrolled[a] == 0:
        act_opt[a] = -1
    u = unit[j]
    for t in range(day_ptr[o], day_ptr[o + 1]):
        absent[u, day_idx[t]] += sign
    return cost[j] * sign


@njit(cache=True)
def _construct(order, price, ptr, opt, act, topic, rot, days, hours, cost, reward, pin, unit, c_w, c_hasreq, c_byh,
               c_reqd, c_reqh, c_any, c_npin, overlap, w_met, w_short, max_rot, act_cap, act_min,
               unit_cap, day_ptr, day_idx, n_days, budget, cost_price, allowed, x):
    """A plan that keeps every hard rule: cadres in `order` take, one by one, their best set at
    `price` among what still fits; then cadres still short re-choose at `cost_price` (the
    objective's cost tie-break only); classes below their minimum size are cancelled and their
    trainees re-placed. x (positions, bool) is the plan; returns False when a pinned cadre
    could not be placed."""
    n = len(ptr) - 1
    n_act = len(act_cap)
    enrolled = np.zeros(n_act, dtype=np.int64)
    act_opt = -np.ones(n_act, dtype=np.int64)
    closed = np.zeros(n_act, dtype=np.bool_)
    absent = np.zeros((len(unit_cap), n_days), dtype=np.int64)
    usable = np.zeros(len(price), dtype=np.bool_)
    out = np.empty(MAX_DEPTH + 1, dtype=np.int64)
    spent = 0.0
    ok_all = True
    for i in order:
        for j in range(ptr[i], ptr[i + 1]):
            usable[j] = allowed[j] and _fits(j, opt, act, cost, unit, enrolled, act_opt, closed, act_cap, absent,
                                             unit_cap, day_ptr, day_idx, spent, budget)
        v, ok, ub = _search(i, ptr, price, usable, opt, act, topic, rot, days, hours, cost, reward, pin, c_w,
                            c_hasreq, c_byh, c_reqd, c_reqh, c_any, c_npin, overlap, w_met, w_short, max_rot,
                            budget - spent, out)
        if v == -np.inf:
            ok_all = False
        t = 0
        while out[t] >= 0:
            x[out[t]] = True
            spent += _apply(out[t], 1, opt, act, cost, unit, enrolled, act_opt, absent, day_ptr, day_idx)
            t += 1
    rounds = 6
    for rnd in range(rounds + 1):
        # re-choose at cost only, for every cadre still short (their own classes freed first);
        # in the last round only classes already at their minimum size take newcomers
        strict = rnd == rounds
        for i in order:
            if c_npin[i] > 0 or not c_hasreq[i]:
                continue
            D = 0.0
            H = 0.0
            for j in range(ptr[i], ptr[i + 1]):
                if x[j] and not rot[j]:
                    D += days[j]
                    H += hours[j]
            if _req_value(D, H, True, c_byh[i], c_reqd[i], c_reqh[i], 1.0, 1.0, 0.0) > 0.0:
                continue
            old_v = 0.0
            ncls = 0
            for j in range(ptr[i], ptr[i + 1]):
                if x[j]:
                    old_v += reward[j] - cost_price[j]
                    if not rot[j]:
                        ncls += 1
            old_v += _req_value(D, H, True, c_byh[i], c_reqd[i], c_reqh[i], c_w[i], w_met, w_short)
            if ncls > 0:
                old_v += c_any[i]
            for j in range(ptr[i], ptr[i + 1]):
                if x[j]:
                    spent += _apply(j, -1, opt, act, cost, unit, enrolled, act_opt, absent, day_ptr, day_idx)
            for j in range(ptr[i], ptr[i + 1]):
                usable[j] = allowed[j] and _fits(j, opt, act, cost, unit, enrolled, act_opt, closed, act_cap,
                                                 absent, unit_cap, day_ptr, day_idx, spent, budget)
                if strict and not rot[j] and enrolled[act[j]] < act_min[act[j]]:
                    usable[j] = False
            v, ok, ub = _search(i, ptr, cost_price, usable, opt, act, topic, rot, days, hours, cost, reward, pin,
                                c_w, c_hasreq, c_byh, c_reqd, c_reqh, c_any, c_npin, overlap, w_met, w_short, max_rot,
                            budget - spent, out)
            if v > old_v + 1e-9:
                # keep it only if no class the cadre leaves falls below its minimum size
                keep = True
                for j in range(ptr[i], ptr[i + 1]):
                    if x[j] and not rot[j]:
                        a = act[j]
                        again = False
                        t = 0
                        while out[t] >= 0:
                            if act[out[t]] == a:
                                again = True
                            t += 1
                        if not again and 0 < enrolled[a] < act_min[a]:
                            keep = False
                if keep:
                    for j in range(ptr[i], ptr[i + 1]):
                        x[j] = False
                    t = 0
                    while out[t] >= 0:
                        x[out[t]] = True
                        t += 1
            for j in range(ptr[i], ptr[i + 1]):
                if x[j]:
                    spent += _apply(j, 1, opt, act, cost, unit, enrolled, act_opt, absent, day_ptr, day_idx)
        # cancel classes below their minimum size (not those a pin keeps)
        changed = False
        pinned_act = np.zeros(n_act, dtype=np.bool_)
        for j in range(len(x)):
            if x[j] and pin[j]:
                pinned_act[act[j]] = True
        for a in range(n_act):
            if 0 < enrolled[a] < act_min[a] and not pinned_act[a]:
                closed[a] = True
        for j in range(len(x)):
            if x[j] and closed[act[j]]:
                x[j] = False
                spent += _apply(j, -1, opt, act, cost, unit, enrolled, act_opt, absent, day_ptr, day_idx)
                changed = True
        if strict or not changed:
            break
    for j in range(len(x)):
        if x[j] and not rot[j] and 0 < enrolled[act[j]] < act_min[act[j]]:
            ok_all = False
    return ok_all


# --------------------------------------------------------------------------- driver
@dataclass
class LagrangeResult:
    bound: float  # best (lowest) L: a proven upper bound on the objective
    plan: set[int] | None  # the best plan the prices built (pair indices), or None
    plan_objective: float
    iterations: int
    inexact: int  # cadres whose search hit the node limit in the best bound (their best case was used)
    history: list[float] = field(default_factory=list)
    dated_bound: float | None = None  # phase 2: a bound for the plans that keep the dates chosen by demand
    price: np.ndarray | None = None  # the last prices (per position) and the options they were for
    options: np.ndarray | None = None
    master_rounds: int = 0  # master LP rounds that were solved


def objective(data: LagrangeData, x: np.ndarray) -> float:
    """The model's objective (rules.set_objective) of a plan given as a position mask."""
    cadre = np.repeat(np.arange(data.n_cadres), np.diff(data.ptr))
    cls = x & ~data.rot
    D = np.bincount(cadre, weights=data.days * cls, minlength=data.n_cadres)
    H = np.bincount(cadre, weights=data.hours * cls, minlength=data.n_cadres)
    n_cls = np.bincount(cadre, weights=cls.astype(float), minlength=data.n_cadres)
    req = _req_value_np(data, np.arange(data.n_cadres), D, H)
    extra = np.where(n_cls > 0, data.c_any, 0.0)
    pairs = float((x * (data.reward - data.per_yuan * data.cost)).sum())
    if data.pair_value is not None:
        pairs += float((x * data.pair_value).sum()) + data.objective_offset
    return float(req.sum() + extra.sum() + pairs)


def positions(data: LagrangeData, chosen: set[int]) -> np.ndarray:
    inv = np.empty(len(data.order), dtype=np.int64)
    inv[data.order] = np.arange(len(data.order))
    x = np.zeros(len(data.order), dtype=np.bool_)
    if chosen:
        x[inv[np.fromiter(chosen, dtype=np.int64)]] = True
    return x


def _solve(data: LagrangeData, price: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    x = np.zeros(len(price), dtype=np.bool_)
    z, inexact = _solve_all(data.ptr, price, usable, data.opt, data.act, data.topic, data.rot, data.days, data.hours,
                            data.cost, data.reward, data.pin, data.c_w, data.c_hasreq, data.c_byh, data.c_reqd,
                            data.c_reqh, data.c_any, data.c_npin, data.overlap, data.w_met, data.w_short,
                            data.max_rot, x)
    return x, z, inexact


def set_threads(threads: int) -> None:
    """Threads for the per-cadre searches (at most what numba was started with)."""
    import numba

    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))


def warm_up(data: LagrangeData) -> None:
    """Compile the kernels (or load them from numba's cache) on an empty selection, so that
    compiling never counts against a time limit."""
    none = np.zeros(len(data.opt), dtype=np.bool_)
    price = data.per_yuan * data.cost
    _solve(data, price, none)
    construct(data, price, None, np.zeros(len(data.opt_act), dtype=np.bool_))


def construct(data: LagrangeData, price: np.ndarray, order: np.ndarray | None = None,
              options: np.ndarray | None = None) -> np.ndarray | None:
    """A valid plan (position mask) built at `price`, or None when a pin could not be placed.
    `options` (bool per option) limits the dated options used, e.g. one date per windowed class."""
    x = np.zeros(len(price), dtype=np.bool_)
    allowed = np.ones(len(price), dtype=np.bool_) if options is None else options[data.opt]
    cost_price = data.per_yuan * data.cost
    ok = _construct(data.weight_order if order is None else order, price, data.ptr, data.opt, data.act, data.topic,
                    data.rot, data.days, data.hours, data.cost, data.reward, data.pin, data.unit, data.c_w,
                    data.c_hasreq, data.c_byh, data.c_reqd, data.c_reqh, data.c_any, data.c_npin, data.overlap, data.w_met, data.w_short, data.max_rot, data.act_cap, data.act_min, data.unit_cap,
                    data.opt_day_ptr, data.opt_day_idx, data.occ.shape[1], data.budget,
                    cost_price, allowed, x)
    return x if ok else None


def _dates_by_demand(usage: np.ndarray, act_opts: list[np.ndarray], multi: list[int], n_opt: int) -> np.ndarray:
    """One date per windowed class: the option most in demand at the current prices."""
    keep = np.ones(n_opt, dtype=np.bool_)
    for k in multi:
        o = act_opts[k]
        keep[o] = False
        keep[o[int(np.argmax(usage[o]))]] = True
    return keep


def relax(prob: PlanningProblem, *, iterations: int, target: float, deadline: float | None = None,
          heuristic_every: int = 10, date_share: float = 0.4, date_sweeps: int = 2, master_rounds: int = 0,
          master_after: int = 60, master_time: float = 30.0, master_max_bundles: int = 40_000,
          master_smooth: float = SMOOTH, master_patience: int = 2, threads: int = 1,
          data: LagrangeData | None = None) -> LagrangeResult:
    """Subgradient optimisation of the Lagrangian dual, prices from the master LP, and the
    plans the prices build.

    Phase 1 (``iterations × (1 − date_share)`` steps) prices the whole problem: its best L is
    the bound. The Polyak step is t = θ (L − target) / ‖d‖², `target` being the best plan
    known, along d = ½ g + ½ d_prev (the subgradient deflected by the last direction, which
    damps the zigzag of thousands of seats and unit days); θ halves after 12 steps without a
    new best L, and a step that more than doubles the distance to the target goes back to the
    best prices with θ halved. Then up to `master_rounds` rounds of column generation
    (`master.py`): the master LP over the bundles of the last steps gives prices, the search at
    those prices gives L (a proven bound like any other) and new bundles; rounds stop after
    `master_patience` rounds in a row in which L does not fall by 0.01 %, at `master_time`
    seconds per LP, at `deadline`, or at once when the pool holds more than
    `master_max_bundles` bundles.
    Then each windowed class is given the date most in demand at those prices, and
    phase 2 goes on pricing that fixed-date problem (its L bounds only that choice of dates),
    so that the plans are built with prices that fit the dates they use. Every
    `heuristic_every` steps the current prices build a plan (with free dates and with the
    dates most in demand). Last, `date_sweeps` passes of coordinate descent on the dates
    (`_date_descent`); the best plan is returned. Stops after the step count (repeatable) or
    at `deadline` (perf_counter), whichever comes first."""
    import time

    data = data or prepare(prob)
    n_opt = len(data.opt_act)
    act_opts = [np.flatnonzero(data.opt_act == a) for a in range(len(data.act_cap))]
    multi = [k for k, o in enumerate(act_opts) if len(o) > 1]
    state = _Dual(data, act_opts, multi)
    phase1 = max(1, int(round(iterations * (1 - date_share)))) if multi else iterations
    best = _Best()
    pre = min(master_after, phase1) if master_rounds > 0 else phase1
    pool_steps = min(POOL_STEPS, pre) if master_rounds > 0 else 0
    bound, inexact, iters, hist = state.run(pre - pool_steps, target, deadline, heuristic_every, None, best)
    rounds = 0
    if pool_steps and (deadline is None or time.perf_counter() < deadline):
        from planning.model import master

        state.pool = master.Pool(data)
        if best.x is not None:
            state.pool.add(best.x)
        bound, inexact, done, h = state.run(pool_steps, target, deadline, heuristic_every, None, best)
        iters += done
        hist += h
        failed = 0
        for _ in range(master_rounds):
            left = master_time if deadline is None else min(master_time, deadline - time.perf_counter())
            if left < 1.0 or len(state.pool) > master_max_bundles:
                # a master over more bundles than this takes longer than the steps it saves
                # (5,000 cadres: 64,000 bundles, 25–60 s an LP, a worse bound in the same time)
                break
            prices = master.solve_master(data, state.pool, act_opts, time_limit=left, threads=threads)
            if prices is None:
                break
            rounds += 1
            before = state.best_L
            # Wentges smoothing: `master_smooth` of the way back from the master's duals towards
            # the best prices so far (0.5 in the planner's short budget; 0, the duals alone, with
            # more rounds proved the tightest bound at 5,000 cadres: benchmarks/bound.py)
            bl, bm, bb = state.best_prices
            a = master_smooth
            state.set_prices(a * bl + (1 - a) * prices.lam, a * bm + (1 - a) * prices.mu,
                             a * bb + (1 - a) * prices.beta)
            bound, inexact, done, h = state.run(1, target, deadline, 1, None, best)
            iters += done
            hist += h
            # the first rounds can price badly (the master has few bundles yet): stop after
            # `master_patience` rounds in a row that do not lower the bound by 0.01 %
            failed = 0 if bound < before - 1e-4 * abs(before) else failed + 1
            if failed >= master_patience:
                break
        state.pool = None
        # the rest of phase 1 refines the best prices with short steps
        state.set_prices(*state.best_prices)
        state.theta = MASTER_THETA
        if phase1 > pre:
            bound, inexact, done, h = state.run(phase1 - pre, target, deadline, heuristic_every, None, best)
            iters += done
            hist += h
    if multi and iterations - phase1 > 0 and state.avg_usage is not None:
        dates = _dates_by_demand(state.avg_usage, act_opts, multi, n_opt)
        state.reset_step()
        dated_bound, _, done2, hist2 = state.run(iterations - phase1, max(target, best.obj), deadline, heuristic_every, dates,
                                       best)
        iters += done2
        hist += hist2
        if state.last_price is not None:
            _date_descent(data, state.last_price, dates, act_opts, multi, best, sweeps=date_sweeps, deadline=deadline)
    else:
        dated_bound = None
    plan = None if best.x is None else {int(p) for p in data.order[best.x]}
    return LagrangeResult(bound, plan, best.obj, iters, inexact, hist, dated_bound, state.last_price,
                          state.last_options, rounds)


def _date_descent(data: LagrangeData, price: np.ndarray, dates: np.ndarray, act_opts: list[np.ndarray],
                  multi: list[int], best: "_Best", *, sweeps: int, deadline: float | None) -> None:
    """Move one windowed class at a time to each of its other dates, rebuild the plan at the
    last prices, and keep the move when the plan's objective rises; `sweeps` passes over the
    classes, stopped early by `deadline`. This is where the choice of dates answers to the
    whole plan rather than to the demand of the moment."""
    import time

    dates = dates.copy()
    x = construct(data, price, None, dates)
    cur = objective(data, x) if x is not None else -math.inf
    best.offer(x, cur)
    for _ in range(sweeps):
        moved = 0
        for k in multi:
            o = act_opts[k]
            now = o[dates[o]]
            for alt in o:
                if len(now) and alt == now[0]:
                    continue
                if deadline is not None and time.perf_counter() > deadline:
                    return
                trial = dates.copy()
                trial[o] = False
                trial[alt] = True
                xp = construct(data, price, None, trial)
                if xp is None:
                    continue
                v = objective(data, xp)
                if v > cur + 1e-9:
                    dates, cur, now = trial, v, np.array([alt])
                    best.offer(xp, v)
                    moved += 1
        if not moved:
            return


@dataclass
class _Best:
    x: np.ndarray | None = None
    obj: float = -math.inf

    def offer(self, x: np.ndarray | None, obj: float) -> None:
        if x is not None and obj > self.obj + 1e-9:
            self.x, self.obj = x, obj


class _Dual:
    """Multipliers and the subgradient steps on them."""

    def __init__(self, data: LagrangeData, act_opts: list[np.ndarray], multi: list[int]):
        self.data = data
        n_opt = len(data.opt_act)
        self.lam = np.zeros(n_opt)
        self.mu = np.zeros((len(data.unit_cap), data.occ.shape[1]))
        self.beta = 0.0
        self.act_opts, self.multi = act_opts, multi
        single = [k for k, o in enumerate(act_opts) if len(o) == 1]
        self.single_act = np.array(single, dtype=np.int64)
        self.single_opt = np.array([act_opts[k][0] for k in single], dtype=np.int64)
        self.avg_usage: np.ndarray | None = None
        self.last_price: np.ndarray | None = None
        self.last_options: np.ndarray | None = None
        self.best_prices: tuple | None = None  # (λ, μ, β) at the best L
        self.pool = None  # a master.Pool collecting the bundles of each step, when set
        self.reset_step()

    def reset_step(self) -> None:
        self.theta, self.stall, self.best_L, self.best_inexact = 1.0, 0, math.inf, 0
        self.d_prev: tuple | None = None

    def set_prices(self, lam: np.ndarray, mu: np.ndarray, beta: float) -> None:
        self.lam, self.mu, self.beta = lam.copy(), mu.copy(), float(beta)
        self.d_prev = None

    def run(self, steps: int, target: float, deadline: float | None, heuristic_every: int,
            options: np.ndarray | None, best: _Best) -> tuple[float, int, int, list[float]]:
        """`steps` subgradient steps from the current prices; returns the best L of the phase
        (since `reset_step`), the inexact searches at it, the steps taken and each step's L."""
        import time

        data = self.data
        n_opt = len(data.opt_act)
        n_units = len(data.unit_cap)
        cap = data.act_cap.astype(float)
        ucap = data.unit_cap.astype(float)
        has_budget = math.isfinite(data.budget)
        base_price = data.per_yuan * data.cost
        usable = np.ones(len(data.opt), dtype=np.bool_) if options is None else options[data.opt]
        live = np.ones(n_opt, dtype=np.bool_) if options is None else options
        history: list[float] = []
        it = 0
        for it in range(1, steps + 1):
            if it > 1 and deadline is not None and time.perf_counter() > deadline:
                it -= 1
                break
            lam, mu, beta = self.lam, self.mu, self.beta
            unit_price = mu @ data.occ.T  # units × options
            price = lam[data.opt] + unit_price[data.unit, data.opt] + beta * data.cost + base_price
            x, z, inexact = _solve(data, price, usable)
            if self.pool is not None:
                self.pool.add(x)
            self.last_price, self.last_options = price, options
            usage = np.bincount(data.opt[x], minlength=n_opt).astype(float)
            self.avg_usage = usage if self.avg_usage is None else 0.9 * self.avg_usage + 0.1 * usage
            # L and its subgradient; options outside `options` offer no seats
            g_lam = -usage
            L = float(z.sum())
            if len(self.single_act):
                on = live[self.single_opt]
                L += float((cap[self.single_act] * lam[self.single_opt] * on).sum())
                g_lam[self.single_opt] += cap[self.single_act] * on
            for k in self.multi:
                o = self.act_opts[k][live[self.act_opts[k]]]
                if not len(o):
                    continue
                lo = lam[o]
                top = lo.max()
                L += cap[k] * top
                ties = o[lo >= top - 1e-12]
                g_lam[ties[np.argmax(usage[ties])]] += cap[k]
            L += float((ucap[:, None] * mu).sum())
            n_uo = np.zeros((n_units, n_opt))
            np.add.at(n_uo, (data.unit[x], data.opt[x]), 1.0)
            g_mu = ucap[:, None] - n_uo @ data.occ
            g_beta = 0.0
            if has_budget:
                L += beta * data.budget
                g_beta = data.budget - float(data.cost[x].sum())
            history.append(L)
            if math.isfinite(self.best_L) and L - target > 2.0 * (self.best_L - target) and self.best_prices:
                # the step overshot: back to the best prices, with a shorter step
                self.set_prices(*self.best_prices)
                self.theta, self.stall = self.theta / 2, 0
                continue
            if L < self.best_L - 1e-9:
                self.best_L, self.best_inexact, self.stall = L, inexact, 0
                self.best_prices = (lam.copy(), mu.copy(), beta)
            else:
                self.stall += 1
                if self.stall >= 12:
                    self.theta, self.stall = self.theta / 2, 0
            if it % heuristic_every == 1 or it == steps:
                dated = options if options is not None else _dates_by_demand(self.avg_usage, self.act_opts,
                                                                            self.multi, n_opt)
                for opts in ((None, dated) if options is None and self.multi else (options,)):
                    xp = construct(data, price, None, opts)
                    if xp is not None:
                        best.offer(xp, objective(data, xp))
                        if self.pool is not None:
                            self.pool.add(xp)
            lb = max(target, best.obj)
            # deflected subgradient: half this step's subgradient, half the last direction;
            # projected, so that a zero price cannot fall further
            if self.d_prev is not None:
                pl, pm, pb = self.d_prev
                g_lam, g_mu, g_beta = DEFLECT * pl + (1 - DEFLECT) * g_lam, DEFLECT * pm + (1 - DEFLECT) * g_mu, \
                    DEFLECT * pb + (1 - DEFLECT) * g_beta
            g_lam = np.where((lam <= 0) & (g_lam > 0), 0.0, g_lam)
            g_mu = np.where((mu <= 0) & (g_mu > 0), 0.0, g_mu)
            if beta <= 0 and g_beta > 0:
                g_beta = 0.0
            self.d_prev = (g_lam, g_mu, g_beta)
            norm = float((g_lam ** 2).sum() + (g_mu ** 2).sum() + g_beta ** 2)
            if norm < 1e-12 or self.best_L - lb <= 1e-7 * max(1.0, abs(lb)):
                break
            step = self.theta * (L - lb) / norm
            self.lam = np.maximum(0.0, lam - step * g_lam)
            self.mu = np.maximum(0.0, mu - step * g_mu)
            self.beta = max(0.0, beta - step * g_beta)
            if self.theta < 1e-4:
                break
        return self.best_L, self.best_inexact, it, history
