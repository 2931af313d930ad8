"""Plans from prices: cadres in priority order take the bundle that is best for them at the
current prices among what still fits (seats, unit days, budget, minimum sizes), compiled with
numba; and the best plan found so far."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from planning.model.lagrange.data import LagrangeData
from planning.model.lagrange.kernels import MAX_DEPTH, _req_value, _search


class Fill(NamedTuple):
    """What a plan under construction uses: trainees per activity, the dated option each
    activity runs on (-1 none yet), cancelled activities, and people away per (unit, day)."""

    enrolled: np.ndarray
    act_opt: np.ndarray
    closed: np.ndarray
    absent: np.ndarray


@njit(cache=True)
def _mark(ar, st, i, spent, allowed, usable, seats, avoid, grow):
    """Marks in `usable` the positions of cadre i that still fit the plan `st` with `spent` yuan
    spent: allowed, their activity not cancelled nor marked in `avoid`, with a seat left (with
    `seats` False a full class counts as open, a full rotation never does), on the date the
    class already runs on, within the budget and the unit's absence cap on each of its days;
    with `grow` >= 0 a class only if it reaches its minimum size with `grow` more trainees.
    One call per cadre: a compiled call per position cost more than the check (8.8 million
    class positions: 0.84 s checked by a call each, 0.033 s with the check written in the loop)."""
    opt, act, cost, unit, rot, act_cap, act_min, unit_cap, day_ptr, day_idx, budget = ar.opt, ar.act, ar.cost, \
        ar.unit, ar.rot, ar.act_cap, ar.act_min, ar.unit_cap, ar.day_ptr, ar.day_idx, ar.budget
    enrolled, act_opt, closed, absent = st.enrolled, st.act_opt, st.closed, st.absent
    for j in range(ar.ptr[i], ar.ptr[i + 1]):
        usable[j] = False
        if not allowed[j]:
            continue
        a = act[j]
        o = opt[j]
        if closed[a] or avoid[a]:
            continue
        if (seats or rot[j]) and enrolled[a] >= act_cap[a]:
            continue
        if act_opt[a] >= 0 and act_opt[a] != o:
            continue
        if grow >= 0 and not rot[j] and enrolled[a] + grow < act_min[a]:
            continue
        if spent + cost[j] > budget + 1e-9:
            continue
        u = unit[j]
        cap = unit_cap[u]
        ok = True
        for t in range(day_ptr[o], day_ptr[o + 1]):
            if absent[u, day_idx[t]] >= cap:
                ok = False
                break
        usable[j] = ok


@njit(cache=True)
def _apply(ar, st, j, sign):
    """Add (sign 1) or remove (-1) position j in the plan `st`; returns the yuan it adds."""
    opt, act, cost, unit, day_ptr, day_idx = ar.opt, ar.act, ar.cost, ar.unit, ar.day_ptr, ar.day_idx
    enrolled, act_opt, absent = st.enrolled, st.act_opt, st.absent
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
def cadre_value(ar, i, x, cost_price):
    """Cadre i's share of the objective in plan x at `cost_price` (rewards less priced cost, the
    requirement's value, the overdue bonus for any class): `data.objective` is its sum."""
    D = 0.0
    H = 0.0
    v = 0.0
    ncls = 0
    for j in range(ar.ptr[i], ar.ptr[i + 1]):
        if x[j]:
            v += ar.reward[j] - cost_price[j]
            if not ar.rot[j]:
                D += ar.days[j]
                H += ar.hours[j]
                ncls += 1
    v += _req_value(D, H, ar.c_hasreq[i], ar.c_byh[i], ar.c_reqd[i], ar.c_reqh[i], ar.c_w[i], ar.w_met, ar.w_short)
    if ncls > 0:
        v += ar.c_any[i]
    return v


@njit(cache=True)
def met(ar, i, x):
    """Cadre i meets the requirement in plan x."""
    D = 0.0
    H = 0.0
    for j in range(ar.ptr[i], ar.ptr[i + 1]):
        if x[j] and not ar.rot[j]:
            D += ar.days[j]
            H += ar.hours[j]
    return _req_value(D, H, True, ar.c_byh[i], ar.c_reqd[i], ar.c_reqh[i], 1.0, 1.0, 0.0) > 0.0


@njit(cache=True)
def _rechoose(ar, st, i, cost_price, allowed, usable, out, x, spent, strict, avoid):
    """Cadre i, if still short of the requirement (and not pinned), gives up its set and takes
    the best set at `cost_price` (the objective's cost tie-break only) among what fits, when
    that is worth more and no class it leaves falls below its minimum size; with `strict`,
    only classes already at their minimum size take newcomers. Returns the yuan spent."""
    ptr, act, rot = ar.ptr, ar.act, ar.rot
    act_min, enrolled = ar.act_min, st.enrolled
    if ar.c_npin[i] > 0 or not ar.c_hasreq[i] or met(ar, i, x):
        return spent
    old_v = cadre_value(ar, i, x, cost_price)
    for j in range(ptr[i], ptr[i + 1]):
        if x[j]:
            spent += _apply(ar, st, j, -1)
    _mark(ar, st, i, spent, allowed, usable, True, avoid, 0 if strict else -1)
    v, ok, ub = _search(ar, i, cost_price, usable, ar.budget - spent, out)
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
            spent += _apply(ar, st, j, 1)
    return spent


@njit(cache=True)
def _cancel_small(ar, st, x, spent):
    """Cancel the classes below their minimum size (not those a pin keeps) and take their
    trainees out of `x`; returns (the yuan spent, whether any trainee was taken out)."""
    act, pin, act_min = ar.act, ar.pin, ar.act_min
    enrolled, closed = st.enrolled, st.closed
    n_act = len(ar.act_cap)
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
            spent += _apply(ar, st, j, -1)
            changed = True
    return spent, changed


@njit(cache=True, nogil=True)  # the date descent builds its trial plans on several threads
def _construct(ar, order, price, cost_price, allowed, x):
    """A plan that keeps every hard rule: cadres in `order` take, one by one, their best set at
    `price` among what still fits; then cadres still short re-choose at `cost_price` (the
    objective's cost tie-break only); classes below their minimum size are cancelled and their
    trainees re-placed. x (positions, bool) is the plan; returns False when a pinned cadre
    could not be placed."""
    ptr, act, rot, act_min = ar.ptr, ar.act, ar.rot, ar.act_min
    n_act = len(ar.act_cap)
    st = Fill(np.zeros(n_act, dtype=np.int64), -np.ones(n_act, dtype=np.int64), np.zeros(n_act, dtype=np.bool_),
              np.zeros((len(ar.unit_cap), ar.n_days), dtype=np.int64))
    usable = np.zeros(len(price), dtype=np.bool_)
    avoid = np.zeros(n_act, dtype=np.bool_)
    out = np.empty(MAX_DEPTH + 1, dtype=np.int64)
    spent = 0.0
    ok_all = True
    for i in order:
        _mark(ar, st, i, spent, allowed, usable, True, avoid, -1)
        v, ok, ub = _search(ar, i, price, usable, ar.budget - spent, out)
        if v == -np.inf:
            ok_all = False
        t = 0
        while out[t] >= 0:
            x[out[t]] = True
            spent += _apply(ar, st, out[t], 1)
            t += 1
    rounds = 6
    for rnd in range(rounds + 1):
        # re-choose at cost only, for every cadre still short (their own classes freed first);
        # in the last round only classes already at their minimum size take newcomers
        strict = rnd == rounds
        for i in order:
            spent = _rechoose(ar, st, i, cost_price, allowed, usable, out, x, spent, strict, avoid)
        spent, changed = _cancel_small(ar, st, x, spent)
        if strict or not changed:
            break
    enrolled = st.enrolled
    for j in range(len(x)):
        if x[j] and not rot[j] and 0 < enrolled[act[j]] < act_min[act[j]]:
            ok_all = False
    return ok_all


def construct(data: LagrangeData, price: np.ndarray, order: np.ndarray | None = None,
              options: np.ndarray | None = None) -> np.ndarray | None:
    """A valid plan (position mask) built at `price`, or None when a pin could not be placed.
    `options` (bool per option) limits the dated options used, e.g. one date per windowed class."""
    x = np.zeros(len(price), dtype=np.bool_)
    allowed = np.ones(len(price), dtype=np.bool_) if options is None else options[data.opt]
    cost_price = data.per_yuan * data.cost
    ok = _construct(data.arrays, data.weight_order if order is None else order, price, cost_price, allowed, x)
    return x if ok else None


@dataclass
class _Best:
    x: np.ndarray | None = None
    obj: float = -math.inf

    def offer(self, x: np.ndarray | None, obj: float) -> None:
        if x is not None and obj > self.obj + 1e-9:
            self.x, self.obj = x, obj
