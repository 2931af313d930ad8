"""Seat repair of a plan from prices, compiled with numba: a cadre short of the requirement
takes a set of classes that meets it even where a class is full, each full class giving up
the trainee who loses least by moving to another set of their own (an ejection chain, one
blocker per full class). A move is kept only when every rule still holds (seats, dates, unit
absence caps, budget, minimum class sizes) and the objective rises.

The plans from prices hand out seats in one order; cadres of a higher weight with many
alternatives take the seats that cadres with few alternatives needed (at 20,000 cadres an LP
over the seats meets every requirement the plans leave unmet)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from planning.model.lagrange.construct import Fill, _apply, _mark, cadre_value, construct, met
from planning.model.lagrange.data import LagrangeData
from planning.model.lagrange.kernels import MAX_DEPTH, _search, _solve


class Moves(NamedTuple):
    """The plan under repair: its fill (the fields of `Fill`, so that `_apply` and `_mark` take
    it), the chosen positions of each activity (members), the yuan spent (one cell) and a log of
    the changes since the move began (to undo it)."""

    enrolled: np.ndarray
    act_opt: np.ndarray
    closed: np.ndarray
    absent: np.ndarray
    x: np.ndarray
    mem: np.ndarray  # members: positions, activity a's in mem[mptr[a]:mptr[a] + nmem[a]]
    mptr: np.ndarray
    nmem: np.ndarray
    spent: np.ndarray
    log: np.ndarray  # position * 2 + (1 if added else 0)
    nlog: np.ndarray


@njit(cache=True)
def _put(ar, mv, j, sign):
    """Add (sign 1) or remove (-1) position j, keeping members, spending and the log."""
    a = ar.act[j]
    mv.spent[0] += _apply(ar, mv, j, sign)
    mv.x[j] = sign > 0
    base = mv.mptr[a]
    if sign > 0:
        mv.mem[base + mv.nmem[a]] = j
        mv.nmem[a] += 1
    else:
        for t in range(base, base + mv.nmem[a]):
            if mv.mem[t] == j:
                mv.nmem[a] -= 1
                mv.mem[t] = mv.mem[base + mv.nmem[a]]
                break
    mv.log[mv.nlog[0]] = j * 2 + (1 if sign > 0 else 0)
    mv.nlog[0] += 1


@njit(cache=True)
def _undo(ar, mv, mark):
    """Undo the changes logged after `mark`."""
    while mv.nlog[0] > mark:
        e = mv.log[mv.nlog[0] - 1]
        _put(ar, mv, e // 2, -1 if e % 2 == 1 else 1)
        mv.nlog[0] -= 2  # the undo's own entry and the one it undid


@njit(cache=True)
def _drop_cadre(ar, mv, i):
    """Take out every position of cadre i."""
    for j in range(ar.ptr[i], ar.ptr[i + 1]):
        if mv.x[j]:
            _put(ar, mv, j, -1)


@njit(cache=True)
def _best_set(ar, mv, i, cost_price, allowed, usable, out, seats, avoid):
    """Cadre i's best set at cost among the positions open to it (`_mark`: a class only if it
    reaches its minimum size with the newcomer; with `seats` False a full class counts as open)."""
    _mark(ar, mv, i, mv.spent[0], allowed, usable, seats, avoid, 1)
    v, ok, ub = _search(ar, i, cost_price, usable, ar.budget - mv.spent[0], out)
    return v


@njit(cache=True)
def _blocker(ar, mv, a, u, cost_price, allowed, usable, out, best_out, avoid):
    """The trainee of full activity a (not u, not pinned) who loses least by taking their best
    set outside the activities marked in `avoid` (u's): (their cadre, the loss) with that set in
    best_out; (-1, inf) when none can move. Stops at the first who loses nothing."""
    best_k = -1
    best_loss = np.inf
    base = mv.mptr[a]
    n = mv.nmem[a]
    cand = mv.mem[base:base + n].copy()
    for t in range(n):
        q = cand[t]
        k = np.searchsorted(ar.ptr, q, side="right") - 1
        if k == u or ar.c_npin[k] > 0:
            continue
        old = cadre_value(ar, k, mv.x, cost_price)
        mark = mv.nlog[0]
        _drop_cadre(ar, mv, k)
        v = _best_set(ar, mv, k, cost_price, allowed, usable, out, True, avoid)
        _undo(ar, mv, mark)
        if v > -np.inf and old - v < best_loss:
            best_loss = old - v
            best_k = k
            s = 0
            while out[s] >= 0:
                best_out[s] = out[s]
                s += 1
            best_out[s] = -1
            if best_loss <= 0.0:
                break
    return best_k, best_loss


@njit(cache=True)
def _min_sizes_ok(ar, mv, mark):
    """Every class the move touched is empty or at its minimum size."""
    for t in range(mark, mv.nlog[0]):
        a = ar.act[mv.log[t] // 2]
        n = mv.enrolled[a]
        if not ar.rot[mv.log[t] // 2] and 0 < n < ar.act_min[a]:
            return False
    return True


@njit(cache=True)
def _try(ar, mv, u, cost_price, allowed, usable, out, tgt, bset, involved, avoid):
    """One move for cadre u (short of the requirement); returns the objective it adds (0: undone)."""
    mark = mv.nlog[0]
    x = mv.x
    before = cadre_value(ar, u, x, cost_price)
    _drop_cadre(ar, mv, u)
    v = _best_set(ar, mv, u, cost_price, allowed, usable, tgt, False, avoid)
    if v <= before + 1e-9:
        _undo(ar, mv, mark)
        return 0.0
    t = 0
    while tgt[t] >= 0:
        avoid[ar.act[tgt[t]]] = True
        t += 1
    g = _eject(ar, mv, u, cost_price, allowed, usable, out, tgt, bset, involved, avoid, v - before, before, mark)
    t = 0
    while tgt[t] >= 0:
        avoid[ar.act[tgt[t]]] = False
        t += 1
    return g


@njit(cache=True)
def _eject(ar, mv, u, cost_price, allowed, usable, out, tgt, bset, involved, avoid, room, before, mark):
    """u's set `tgt` in, each full class's blocker out to their best other set; kept when every
    rule holds and the objective rises (`room`: what u gains), else undone to `mark`."""
    x = mv.x
    ninv = 0
    old_sum = before
    t = 0
    while tgt[t] >= 0:
        j = tgt[t]
        a = ar.act[j]
        if not ar.rot[j] and mv.enrolled[a] >= ar.act_cap[a]:
            k, loss = _blocker(ar, mv, a, u, cost_price, allowed, usable, out, bset, avoid)
            if k < 0 or loss >= room - 1e-9:
                _undo(ar, mv, mark)
                return 0.0
            old_sum += cadre_value(ar, k, x, cost_price)
            involved[ninv] = k
            ninv += 1
            _drop_cadre(ar, mv, k)
            s = 0
            while bset[s] >= 0:
                _put(ar, mv, bset[s], 1)
                s += 1
            room -= loss
        t += 1
    t = 0
    while tgt[t] >= 0:
        avoid[ar.act[tgt[t]]] = False
        t += 1
    _mark(ar, mv, u, mv.spent[0], allowed, usable, True, avoid, 1)
    t = 0
    while tgt[t] >= 0:
        avoid[ar.act[tgt[t]]] = True
        if not usable[tgt[t]]:
            _undo(ar, mv, mark)
            return 0.0
        t += 1
    t = 0
    while tgt[t] >= 0:
        _put(ar, mv, tgt[t], 1)
        t += 1
    if mv.spent[0] > ar.budget + 1e-9:
        _undo(ar, mv, mark)
        return 0.0
    new_sum = cadre_value(ar, u, x, cost_price)
    for s in range(ninv):
        new_sum += cadre_value(ar, involved[s], x, cost_price)
    if new_sum <= old_sum + 1e-9 or not _min_sizes_ok(ar, mv, mark):
        _undo(ar, mv, mark)
        return 0.0
    return new_sum - old_sum


@njit(cache=True)
def _repair(ar, order, cost_price, allowed, x, passes):
    """Ejection moves for the cadres short of the requirement, in `order`, for up to `passes`
    passes (stops early when a pass keeps none); returns the moves kept and the objective added."""
    n_act = len(ar.act_cap)
    st = Fill(np.zeros(n_act, dtype=np.int64), -np.ones(n_act, dtype=np.int64), np.zeros(n_act, dtype=np.bool_),
              np.zeros((len(ar.unit_cap), ar.n_days), dtype=np.int64))
    count = np.zeros(n_act, dtype=np.int64)
    for j in range(len(x)):
        if x[j]:
            count[ar.act[j]] += 1
    slots = np.maximum(np.minimum(ar.act_cap, len(ar.ptr)), count) + 1
    mptr = np.zeros(n_act + 1, dtype=np.int64)
    mptr[1:] = np.cumsum(slots)
    # the log of one move: the cadre's positions out and their set in, and per full class the
    # blocker's out and in, and while a blocker is tried its positions out and back
    log = np.empty(4 * (MAX_DEPTH + 1) * (MAX_DEPTH + 2), dtype=np.int64)
    mv = Moves(st.enrolled, st.act_opt, st.closed, st.absent, x, np.empty(mptr[-1], dtype=np.int64), mptr,
               np.zeros(n_act, dtype=np.int64), np.zeros(1), log, np.zeros(1, dtype=np.int64))
    for j in range(len(x)):
        if x[j]:
            x[j] = False
            _put(ar, mv, j, 1)
            mv.nlog[0] = 0
    usable = np.zeros(len(x), dtype=np.bool_)
    out = np.empty(MAX_DEPTH + 1, dtype=np.int64)
    tgt = np.empty(MAX_DEPTH + 1, dtype=np.int64)
    bset = np.empty(MAX_DEPTH + 1, dtype=np.int64)
    involved = np.empty(MAX_DEPTH + 1, dtype=np.int64)
    avoid = np.zeros(n_act, dtype=np.bool_)
    moves = 0
    gain = 0.0
    for _ in range(passes):
        kept = 0
        for u in order:
            if not ar.c_hasreq[u] or ar.c_npin[u] > 0 or met(ar, u, x):
                continue
            mv.nlog[0] = 0
            g = _try(ar, mv, u, cost_price, allowed, usable, out, tgt, bset, involved, avoid)
            if g > 0.0:
                kept += 1
                gain += g
        moves += kept
        if kept == 0:
            break
    return moves, gain


def repair(data: LagrangeData, x: np.ndarray, order: np.ndarray | None = None, options: np.ndarray | None = None,
           passes: int = 2) -> tuple[np.ndarray, int, float]:
    """The plan x (position mask, not changed) after the seat-repair moves; the moves kept and the
    objective they added."""
    y = x.copy()
    allowed = np.ones(len(x), dtype=np.bool_) if options is None else options[data.opt]
    cost_price = data.per_yuan * data.cost
    moves, gain = _repair(data.arrays, data.weight_order if order is None else order, cost_price, allowed, y, passes)
    return y, int(moves), float(gain)


def warm_up(data: LagrangeData) -> None:
    """Compile the kernels (or load them from numba's cache) on an empty selection, so that
    compiling never counts against a time limit."""
    none = np.zeros(len(data.opt), dtype=np.bool_)
    price = data.per_yuan * data.cost
    _solve(data, price, none)
    no_options = np.zeros(len(data.opt_act), dtype=np.bool_)
    construct(data, price, None, no_options)
    repair(data, none, options=no_options, passes=1)
