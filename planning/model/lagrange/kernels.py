"""The compiled (numba) kernels of the Lagrangian: each cadre's best set of options at given
prices, found exactly by a depth-first search pruned by cover and price bounds, and all cadres
at once in parallel."""
from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np
from numba import njit, prange

from planning.model.lagrange.data import LagrangeData

MAX_DEPTH = 12  # options in one cadre's set (a year's classes plus a rotation)
NODE_LIMIT = 200_000  # search nodes per cadre; beyond it the cadre's best case is used in the bound
# A cadre's search stops proving once no set can beat the best found by more than this share of
# the cadre's requirement value; the bound adds it back, so it stays valid (near-equal prices,
# such as a windowed class's eight dates at one cost, would otherwise make the search enumerate)
SEARCH_TOL = 0.001


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
def _compatible(ar, j, fixed, nf, stack, ns):
    """Option position j goes with the first nf of `fixed` and the first ns of `stack`: no day in
    common, and no second class of the same topic."""
    opt, topic, rot, overlap = ar.opt, ar.topic, ar.rot, ar.overlap
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


class Base(NamedTuple):
    """What a cadre's pinned options already hold: their positions (the first nf of `fixed`),
    class days, hours, price, cost (yuan) and classes, rotation reward and rotations."""

    fixed: np.ndarray
    nf: int
    D: float
    H: float
    P: float
    C: float
    n: int
    R: float
    nrot: int


class Tables(NamedTuple):
    """A cadre's candidate classes in search order and the bounds the search prunes with, each
    for the candidates from position k on."""

    cs: np.ndarray  # grouped by topic, topics in increasing best price per day (hour)
    nxt: np.ndarray  # where the topic after cs[k]'s begins
    rho_d: np.ndarray  # the cheapest price per day
    rho_h: np.ndarray  # ... per hour
    minp: np.ndarray  # the cheapest single candidate
    cov_d: np.ndarray  # the knapsack covers of the missing days and hours (`_cover_table`)
    g_d: float  # ... and their grid steps
    cov_h: np.ndarray
    g_h: float


class Own(NamedTuple):
    """A cadre's usable positions by kind: classes, rotations and pinned options (the first nc,
    nr and npn of each)."""

    cls: np.ndarray
    nc: int
    rot: np.ndarray
    nr: int
    pin: np.ndarray
    npn: int


class Work(NamedTuple):
    """Buffers of one cadre's search: the best set so far, the candidates, a class set, gains."""

    best_set: np.ndarray
    cand: np.ndarray
    tmp: np.ndarray
    rgain: np.ndarray


@njit(cache=True)
def _topic_order(ar, cands, price, byh):
    """`cands` grouped by topic (at most one class of a topic), the topics in increasing best
    price per day (per hour for an hours requirement), within a topic by price; and nxt[k],
    where the topic after cs[k]'s begins."""
    days, hours, topic = ar.days, ar.hours, ar.topic
    K = len(cands)
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
    return cs, nxt


@njit(cache=True)
def _tables(ar, i, cs, nxt, price, base):
    """The pruning bounds of cadre i's search over `cs` (see `Tables`)."""
    days, hours = ar.days, ar.hours
    byh, reqd, reqh = ar.c_byh[i], ar.c_reqd[i], ar.c_reqh[i]
    K = len(cs)
    rho_d = np.full(K + 1, np.inf)
    rho_h = np.full(K + 1, np.inf)
    minp = np.full(K + 1, np.inf)
    for k in range(K - 1, -1, -1):
        j = cs[k]
        rho_d[k] = min(rho_d[k + 1], price[j] / days[j])
        rho_h[k] = min(rho_h[k + 1], price[j] / hours[j])
        minp[k] = min(minp[k + 1], price[j])
    # the least the missing days (hours) can cost from position k on, classes taken whole and
    # conflicts ignored: a knapsack cover on a grid of lengths rounded up and shortfalls
    # rounded down, so every real extension costs at least this much
    cov_d, g_d = _cover_table(cs, nxt, price, days, 0.0 if byh else reqd - base.D)
    cov_h, g_h = _cover_table(cs, nxt, price, hours, reqh - base.H)
    return Tables(cs, nxt, rho_d, rho_h, minp, cov_d, g_d, cov_h, g_h)


@njit(cache=True)
def _one_class(ar, cs, price, base, any_bonus, budget_left, best, out):
    """No requirement: one class at most is worth having (for an overdue cadre's bonus). The
    best such class, written to `out` when it beats `best`; returns the best value."""
    cost, fixed, nf, C0, P0 = ar.cost, base.fixed, base.nf, base.C, base.P
    bj = -1
    for k in range(len(cs)):
        j = cs[k]
        if C0 + cost[j] <= budget_left + 1e-9 and _compatible(ar, j, fixed, nf, fixed, 0):
            v = any_bonus - P0 - price[j]
            if v > best + 1e-12:
                best = v
                bj = j
    if bj >= 0:
        out[0] = bj
        out[1] = -1
    return best


@njit(cache=True)
def _cover_plan(ar, i, b, price, base, budget_left, best, best_set):
    """The set of the tighter cover (days or hours) at position 0, when its classes fit
    together: the first plan to prune against. Returns (its value, its size) when it beats
    `best` (the set in `best_set`), else (best, 0)."""
    days, hours, cost = ar.days, ar.hours, ar.cost
    byh, reqd, reqh, w, any_bonus = ar.c_byh[i], ar.c_reqd[i], ar.c_reqh[i], ar.c_w[i], ar.c_any[i]
    cov, gl, ln = (b.cov_h, b.g_h, hours) if byh or b.cov_h[0, -1] < b.cov_d[0, -1] else (b.cov_d, b.g_d, days)
    m = cov.shape[1] - 1
    cs, nxt, fixed, nf = b.cs, b.nxt, base.fixed, base.nf
    K = len(cs)
    stack = np.empty(MAX_DEPTH, dtype=np.int64)
    D, H, P, C = base.D, base.H, base.P, base.C
    d = 0
    ok = True
    k = 0
    while k < K and m > 0:
        if cov[k, m] == cov[k + 1, m]:
            k += 1
            continue
        j = cs[k]
        if d >= MAX_DEPTH or C + cost[j] > budget_left + 1e-9 or \
                not _compatible(ar, j, fixed, nf, stack, d):
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
        v = _req_value(D, H, True, byh, reqd, reqh, w, ar.w_met, ar.w_short) + any_bonus - P
        if v > best + 1e-12:
            for t in range(d):
                best_set[t] = stack[t]
            return v, d
    return best, 0


@njit(cache=True)
def _branch(ar, i, b, price, base, budget_left, best, best_n, best_set, out):
    """The depth-first search of `_class_dfs` from the best set so far (`best`, the first
    best_n of `best_set`), pruned by a bound on every set that extends the current one (D days,
    H hours, price P) with candidates from position kk on: meeting the requirement costs at
    least the cover, the cheapest price per day (hour) and the cheapest class left; short of it,
    each day (hour) left adds at most (its shortfall weight − that price). Writes the best set
    to `out` (-1 terminated) and returns (value, exact, bound)."""
    days, hours, cost = ar.days, ar.hours, ar.cost
    byh, reqd, reqh, w, any_bonus = ar.c_byh[i], ar.c_reqd[i], ar.c_reqh[i], ar.c_w[i], ar.c_any[i]
    w_met, w_short = ar.w_met, ar.w_short
    cs, nxt, rho_d, rho_h, minp, cov_d, g_d, cov_h, g_h = b
    fixed, nf = base.fixed, base.nf
    K = len(cs)
    R = reqh if byh else reqd
    gain = w_short * w / R  # value of one more day (hour) short of the requirement
    tol = SEARCH_TOL * w_met * w + 1e-9
    stack = np.empty(MAX_DEPTH, dtype=np.int64)
    pos = np.zeros(MAX_DEPTH + 1, dtype=np.int64)
    D, H, P, C = base.D, base.H, base.P, base.C
    nodes = 0
    root_ub = -np.inf
    d = 0
    pos[0] = 0
    while d >= 0:
        kk = pos[d]
        pushed = False
        while kk < K:
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
            if not _compatible(ar, j, fixed, nf, stack, d):
                continue
            pos[d] = kk
            stack[d] = j
            D += days[j]
            H += hours[j]
            P += price[j]
            C += cost[j]
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
        if not pushed:
            d -= 1
            if d >= 0:
                j = stack[d]
                D -= days[j]
                H -= hours[j]
                P -= price[j]
                C -= cost[j]
    for t in range(best_n):
        out[t] = best_set[t]
    out[best_n] = -1
    return best, True, best + tol


@njit(cache=True)
def _class_dfs(ar, i, cands, price, base, budget_left, out):
    """The best set of classes from `cands` added to the pinned ones (`base`): the
    requirement's value, the overdue bonus, minus the prices. Depth-first over the candidates
    grouped by topic (one class per topic; topics in increasing best price per day, per hour
    for an hours requirement), pruned by bounds that hold for every extension from position k
    on: to meet the requirement it still costs at least the knapsack cover of the missing days
    (hours) by whole classes of the topics left (`_cover_table`; dates ignored), at least (days
    missing) × the cheapest price per day left, and at least the cheapest single class left;
    short of it, each day left adds at most (shortfall weight per day − that price). The
    cover's own set, when its dates fit, is the first plan to prune against. (The cheapest-class
    bound, the cover and the grouping by topic cut the nodes per cadre several-fold on a county
    with every class windowed.) Returns (value, exact, bound); `out` gets the chosen positions,
    -1 terminated."""
    hasreq, byh, reqd, reqh, w, any_bonus = ar.c_hasreq[i], ar.c_byh[i], ar.c_reqd[i], ar.c_reqh[i], ar.c_w[i], \
        ar.c_any[i]
    cs, nxt = _topic_order(ar, cands, price, byh)
    best = _req_value(base.D, base.H, hasreq, byh, reqd, reqh, w, ar.w_met, ar.w_short) - base.P + \
        (any_bonus if base.n > 0 else 0.0)
    out[0] = -1
    if not hasreq:
        if base.n == 0 and any_bonus > 0:
            best = _one_class(ar, cs, price, base, any_bonus, budget_left, best, out)
        return best, True, best
    b = _tables(ar, i, cs, nxt, price, base)
    best_set = np.empty(MAX_DEPTH, dtype=np.int64)
    best, best_n = _cover_plan(ar, i, b, price, base, budget_left, best, best_set)
    return _branch(ar, i, b, price, base, budget_left, best, best_n, best_set, out)


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
def _own(ar, i, usable):
    """Cadre i's `usable` positions by kind (see `Own`)."""
    s, e = ar.ptr[i], ar.ptr[i + 1]
    n_all = e - s
    cls_all = np.empty(n_all, dtype=np.int64)
    rot_all = np.empty(n_all, dtype=np.int64)
    pin_pos = np.empty(n_all, dtype=np.int64)
    pin, rot = ar.pin, ar.rot
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
    return Own(cls_all, nc, rot_all, nr, pin_pos, npn)


@njit(cache=True)
def _pinned_acts(ar, i, own):
    """The distinct activities of cadre i's usable pinned options, and their number."""
    pin_acts = np.empty(max(1, ar.c_npin[i]), dtype=np.int64)
    act, pin_pos = ar.act, own.pin
    na = 0
    for t in range(own.npn):
        a = act[pin_pos[t]]
        seen = False
        for u in range(na):
            if pin_acts[u] == a:
                seen = True
        if not seen:
            pin_acts[na] = a
            na += 1
    return pin_acts, na


@njit(cache=True)
def _pick_pins(ar, own, pin_acts, na, choice, fixed):
    """The pinned options of one combination (the choice[u]-th option of pinned activity u)
    into `fixed`; returns (their number, whether they go together)."""
    act, pin_pos, npn = ar.act, own.pin, own.npn
    nf = 0
    valid = True
    for u in range(na):
        cnt = 0
        for t in range(npn):
            if act[pin_pos[t]] == pin_acts[u]:
                if cnt == choice[u]:
                    j = pin_pos[t]
                    if not _compatible(ar, j, fixed, nf, fixed, 0):
                        valid = False
                    fixed[nf] = j
                    nf += 1
                cnt += 1
    return nf, valid


@njit(cache=True)
def _next_choice(ar, own, pin_acts, na, choice):
    """The next combination of pinned options (odometer order); False after the last."""
    act, pin_pos, npn = ar.act, own.pin, own.npn
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
    return u < na


@njit(cache=True)
def _pinned_base(ar, price, fixed, nf):
    """What the first nf of `fixed` hold together (see `Base`)."""
    cost, rot, reward, days, hours = ar.cost, ar.rot, ar.reward, ar.days, ar.hours
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
    return Base(fixed, nf, D0, H0, P0, C0, n0, R0, nrot0)


@njit(cache=True)
def _combo(ar, i, price, own, base, budget_left, best, exact, wk):
    """The best set for cadre i with the pinned options of `base`: the best classes with no
    rotation, then rotations in decreasing reward − price while they can still beat the best
    (a rotation compatible with the no-rotation classes ends it). Records a better set in
    wk.best_set; returns (best value, exact so far, upper bound of this combination)."""
    opt, overlap, reward, max_rot = ar.opt, ar.overlap, ar.reward, ar.max_rot
    fixed, nf = base.fixed, base.nf
    cand, tmp, rgain, best_set = wk.cand, wk.tmp, wk.rgain, wk.best_set
    cls_all, nc, rot_all, nr = own.cls, own.nc, own.rot, own.nr
    R0, nrot0 = base.R, base.nrot
    k = 0
    for t in range(nc):
        j = cls_all[t]
        if _compatible(ar, j, fixed, nf, fixed, 0):
            cand[k] = j
            k += 1
    v0, ok, ub0 = _class_dfs(ar, i, cand[:k], price, base, budget_left, tmp)
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
        # with more than one rotation a year allowed, the search takes one; the bound adds the
        # best further gains
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
            if not _compatible(ar, r, fixed, nf, fixed, 0):
                continue
            if _compatible(ar, r, s0, n_s0, fixed, 0):
                vr = v0 + g
                for u in range(n_s0):
                    tmp[u] = s0[u]
                tmp[n_s0] = -1
            else:
                k = 0
                for u in range(nc):
                    j = cls_all[u]
                    if not overlap[opt[j], opt[r]] and _compatible(ar, j, fixed, nf, fixed, 0):
                        cand[k] = j
                        k += 1
                vr, ok, ubr = _class_dfs(ar, i, cand[:k], price, base, budget_left, tmp)
                exact = exact and ok
                vr += R0 + g
            combo_best = max(combo_best, vr)
            if vr > best:
                best = vr
                _record(best_set, fixed, nf, tmp, r)
            if _compatible(ar, r, s0, n_s0, fixed, 0):
                break  # the best classes and the best rotation left go together
        if exact and extra == 0.0:
            combo_ub = combo_best + (ub0 - v0)  # the search tolerance
    elif exact:
        combo_ub = ub0
    return best, exact, combo_ub


@njit(cache=True)
def _search(ar, i, price, usable, budget_left, out):
    """The best set for cadre i at `price` among its `usable` positions: every way of honouring
    its `must` pins (one dated option per pinned activity), each with the best classes and
    rotations that go with it (`_combo`). Writes the chosen positions to `out` (-1
    terminated); returns (value, exact, upper bound on the value)."""
    own = _own(ar, i, usable)
    pin_acts, na = _pinned_acts(ar, i, own)
    best = -np.inf
    best_ub = -np.inf
    exact = np.bool_(True)  # typed bool, not the literal True (one compiled _combo)
    wk = Work(np.empty(MAX_DEPTH + 1, dtype=np.int64), np.empty(own.nc, dtype=np.int64),
              np.empty(MAX_DEPTH + 1, dtype=np.int64), np.empty(own.nr))
    wk.best_set[0] = -1
    if na < ar.c_npin[i]:
        out[0] = -1
        return best, True, best  # a pinned activity has no usable option
    fixed = np.empty(max(1, na), dtype=np.int64)
    choice = np.zeros(max(1, na), dtype=np.int64)
    while True:
        nf, valid = _pick_pins(ar, own, pin_acts, na, choice, fixed)
        if valid:
            base = _pinned_base(ar, price, fixed, nf)
            if base.nrot <= ar.max_rot and base.C <= budget_left + 1e-9:
                best, exact, combo_ub = _combo(ar, i, price, own, base, budget_left, best, exact, wk)
                best_ub = max(best_ub, combo_ub)
        if not _next_choice(ar, own, pin_acts, na, choice):
            break
    best_set = wk.best_set
    t = 0
    while best_set[t] >= 0:
        out[t] = best_set[t]
        t += 1
    out[t] = -1
    return best, exact, max(best, best_ub)


@njit(cache=True, parallel=True)
def _solve_all(ar, price, usable, x):
    """Every cadre's best set at `price` among the `usable` positions, cadres in parallel
    (each writes only its own positions): x[position] = 1 if chosen; returns the values and
    the number of searches stopped by the node limit."""
    n = len(ar.ptr) - 1
    z = np.empty(n)
    flags = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        out = np.empty(MAX_DEPTH + 1, dtype=np.int64)
        v, ok, ub = _search(ar, np.int64(i), price, usable, np.inf, out)  # prange counts in uint64
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


def _solve(data: LagrangeData, price: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    x = np.zeros(len(price), dtype=np.bool_)
    z, inexact = _solve_all(data.arrays, price, usable, x)
    return x, z, inexact


def set_threads(threads: int) -> None:
    """Threads for the per-cadre searches (at most what numba was started with)."""
    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
