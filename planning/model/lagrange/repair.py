"""Seat repair of a plan from prices, compiled with numba: each cadre in turn takes the set
that is best for them with full classes counted open, each full class giving up the trainee
who loses least by moving to another set of their own (an ejection chain, one blocker per full
class). For a cadre short of the requirement, where no trainee can simply move, one may take a
set in other full classes in turn, whose own least-losing trainees move out (a chain one level
deeper, a few trainees tried). A move is kept only when every rule still holds (seats, dates,
unit absence caps, budget, minimum class sizes) and the objective rises.

The plans from prices hand out seats in one order; cadres of a higher weight with many
alternatives take the seats that cadres with few alternatives needed (at 20,000 cadres an LP
over the seats meets every requirement the plans leave unmet)."""
from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from numba import njit

from planning.model.lagrange.construct import Fill, _apply, _mark, cadre_value, construct, met
from planning.model.lagrange.data import LagrangeData
from planning.model.lagrange.kernels import MAX_DEPTH, _search, _solve


# The helpers of `_pass` are inlined into it (numba's own inlining): on a fresh cache the repair
# compiled in 27.6 s as separate functions, 19.6 s inlined (the same moves). `_try` and `_eject`
# both free the seats of a set's full classes; they stay two functions because `_try` falls back
# on `_chain`, which calls `_eject`: one function would call itself, which inlining cannot do.


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
    if mv.nlog[0] >= len(mv.log):
        raise IndexError("repair: a move outgrew its log")
    mv.log[mv.nlog[0]] = j * 2 + (1 if sign > 0 else 0)
    mv.nlog[0] += 1


@njit(cache=True)
def _undo(ar, mv, mark):
    """Undo the changes logged after `mark`."""
    while mv.nlog[0] > mark:
        e = mv.log[mv.nlog[0] - 1]
        _put(ar, mv, e // 2, -1 if e % 2 == 1 else 1)
        mv.nlog[0] -= 2  # the undo's own entry and the one it undid


@njit(cache=True, inline="always")
def _drop_cadre(ar, mv, i):
    """Take out every position of cadre i."""
    for j in range(ar.ptr[i], ar.ptr[i + 1]):
        if mv.x[j]:
            _put(ar, mv, j, -1)


@njit(cache=True, inline="always")
def _best_set(ar, mv, i, cost_price, allowed, usable, out, seats, avoid):
    """Cadre i's best set at cost among the positions open to it (`_mark`: a class only if it
    reaches its minimum size with the newcomer; with `seats` False a full class counts as open)."""
    _mark(ar, mv, i, mv.spent[0], allowed, usable, seats, avoid, 1)
    v, ok, ub = _search(ar, i, cost_price, usable, ar.budget - mv.spent[0], out)
    return v


@njit(cache=True, inline="always")
def _trainees(ar, mv, a):
    """The cadres holding a seat in activity a (a copy: moves change the members)."""
    base = mv.mptr[a]
    return np.searchsorted(ar.ptr, mv.mem[base:base + mv.nmem[a]], side="right") - 1


@njit(cache=True, inline="always")
def _blocker(ar, mv, a, u, cost_price, allowed, usable, out, best_out, avoid):
    """The trainee of full activity a (not u, not pinned) who loses least by taking their best
    set outside the activities marked in `avoid` (u's): (their cadre, the loss) with that set in
    best_out; (-1, inf) when none can move. Stops at the first who loses nothing."""
    best_k = -1
    best_loss = np.inf
    for k in _trainees(ar, mv, a):
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


@njit(cache=True, inline="always")
def _min_sizes_ok(ar, mv, mark):
    """Every class the move touched is empty or at its minimum size."""
    for t in range(mark, mv.nlog[0]):
        a = ar.act[mv.log[t] // 2]
        n = mv.enrolled[a]
        if not ar.rot[mv.log[t] // 2] and 0 < n < ar.act_min[a]:
            return False
    return True


class Work(NamedTuple):
    """Scratch space of the moves: positions usable by the cadre being placed, search output,
    a blocker's new set, the set being placed at each depth (-1 terminated), and the activities
    the blockers must keep out of (those being placed)."""

    usable: np.ndarray
    out: np.ndarray
    bset: np.ndarray
    tgt: np.ndarray
    tk: np.ndarray
    avoid: np.ndarray


@njit(cache=True, inline="always")
def _set_avoid(ar, avoid, tgt, flag):
    """Mark (or unmark) the activities of the set `tgt` in `avoid`."""
    t = 0
    while tgt[t] >= 0:
        avoid[ar.act[tgt[t]]] = flag
        t += 1


@njit(cache=True, inline="always")
def _move_blocker(ar, mv, wk, a, u, cost_price, allowed, budget):
    """Free a seat in full activity a (for u) by moving the trainee who loses least to their best
    other set, if that loss is below `budget`: returns the change in their value (-inf: none)."""
    k, loss = _blocker(ar, mv, a, u, cost_price, allowed, wk.usable, wk.out, wk.bset, wk.avoid)
    if k < 0 or loss >= budget - 1e-9:
        return -np.inf
    old = cadre_value(ar, k, mv.x, cost_price)
    _drop_cadre(ar, mv, k)
    s = 0
    while wk.bset[s] >= 0:
        _put(ar, mv, wk.bset[s], 1)
        s += 1
    return cadre_value(ar, k, mv.x, cost_price) - old


@njit(cache=True, inline="always")
def _seat(ar, mv, wk, i, tgt, allowed):
    """Put cadre i's set `tgt` in (its activities marked in avoid); False, nothing put, when a
    position no longer fits or the budget would be exceeded."""
    _set_avoid(ar, wk.avoid, tgt, False)
    _mark(ar, mv, i, mv.spent[0], allowed, wk.usable, True, wk.avoid, 1)
    _set_avoid(ar, wk.avoid, tgt, True)
    t = 0
    while tgt[t] >= 0:
        if not wk.usable[tgt[t]]:
            return False
        t += 1
    mark = mv.nlog[0]
    t = 0
    while tgt[t] >= 0:
        _put(ar, mv, tgt[t], 1)
        t += 1
    if mv.spent[0] > ar.budget + 1e-9:
        _undo(ar, mv, mark)
        return False
    return True


@njit(cache=True, inline="always")
def _eject(ar, mv, wk, i, tgt, before, gain, floor, cost_price, allowed, mark):
    """Cadre i (out of the plan) takes `tgt` (worth `gain` more than `before`, its value before),
    the trainee of each full class who loses least moving out to their best other set. Kept when
    every rule holds and i's change plus the blockers' is above `floor`: returns that change,
    else undoes to `mark` and returns -inf."""
    delta = 0.0
    t = 0
    while tgt[t] >= 0:
        a = ar.act[tgt[t]]
        if not ar.rot[tgt[t]] and mv.enrolled[a] >= ar.act_cap[a]:
            d = _move_blocker(ar, mv, wk, a, i, cost_price, allowed, gain + delta - floor)
            if d == -np.inf:
                _undo(ar, mv, mark)
                return -np.inf
            delta += d
        t += 1
    return _close(ar, mv, wk, i, tgt, before, delta, floor, cost_price, allowed, mark)


@njit(cache=True, inline="always")
def _close(ar, mv, wk, i, tgt, before, delta, floor, cost_price, allowed, mark):
    """The end of a move: i's set in, the change (i's and the blockers' `delta`) above `floor`
    and every class touched empty or at its minimum size; else undone to `mark` (-inf)."""
    if not _seat(ar, mv, wk, i, tgt, allowed):
        _undo(ar, mv, mark)
        return -np.inf
    change = cadre_value(ar, i, mv.x, cost_price) - before + delta
    if change <= floor + 1e-9 or not _min_sizes_ok(ar, mv, mark):
        _undo(ar, mv, mark)
        return -np.inf
    return change


@njit(cache=True, inline="always")
def _chain(ar, mv, wk, a, u, cost_price, allowed, budget, tries):
    """Free a seat in full activity a when no trainee can simply move: a trainee takes their best
    set with full classes counted open, each of those classes' own least-losing trainee moving
    out (one level more), at most `tries` trainees tried. Kept when the change in their values
    is above -`budget`: returns it, else -inf (nothing changed)."""
    tried = 0
    for k in _trainees(ar, mv, a):
        if k == u or ar.c_npin[k] > 0:
            continue
        mark = mv.nlog[0]
        old = cadre_value(ar, k, mv.x, cost_price)
        _drop_cadre(ar, mv, k)
        v = _best_set(ar, mv, k, cost_price, allowed, wk.usable, wk.tk, False, wk.avoid)
        if v == -np.inf or old - v >= budget - 1e-9:
            _undo(ar, mv, mark)
            continue
        _set_avoid(ar, wk.avoid, wk.tk, True)
        d = _eject(ar, mv, wk, k, wk.tk, old, v - old, -budget, cost_price, allowed, mark)
        _set_avoid(ar, wk.avoid, wk.tk, False)
        if d > -np.inf:
            return d
        tried += 1
        if tried >= tries:
            break
    return -np.inf


@njit(cache=True, inline="always")
def _try(ar, mv, wk, u, cost_price, allowed, tries):
    """One move for cadre u: its best set with full classes counted open, a seat freed in each
    (`_move_blocker`, else `_chain` when `tries` > 0). Returns the objective it adds (0: undone)."""
    mark = mv.nlog[0]
    before = cadre_value(ar, u, mv.x, cost_price)
    _drop_cadre(ar, mv, u)
    tgt = wk.tgt
    v = _best_set(ar, mv, u, cost_price, allowed, wk.usable, tgt, False, wk.avoid)
    if v <= before + 1e-9:
        _undo(ar, mv, mark)
        return 0.0
    _set_avoid(ar, wk.avoid, tgt, True)
    delta = 0.0
    gain = v - before
    ok = True
    t = 0
    while tgt[t] >= 0:
        a = ar.act[tgt[t]]
        if not ar.rot[tgt[t]] and mv.enrolled[a] >= ar.act_cap[a]:
            d = _move_blocker(ar, mv, wk, a, u, cost_price, allowed, gain + delta)
            if d == -np.inf and tries > 0:
                d = _chain(ar, mv, wk, a, u, cost_price, allowed, gain + delta, tries)
            if d == -np.inf:
                ok = False
                break
            delta += d
        t += 1
    g = _close(ar, mv, wk, u, tgt, before, delta, 0.0, cost_price, allowed, mark) if ok else -np.inf
    if not ok:
        _undo(ar, mv, mark)
    _set_avoid(ar, wk.avoid, tgt, False)
    return max(g, 0.0)


@njit(cache=True)
def _load(ar, x):
    """The plan x (emptied: positions go back in through `_put`) as a `Moves`."""
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
    # the log of one move: the cadre's set out and in; per full class a blocker out and in, or a
    # chain: a trainee out and in and per full class of theirs a blocker out and in; and the
    # trainees tried, out and back
    log = np.empty(2 * (MAX_DEPTH + 1) * (MAX_DEPTH + 2) * (MAX_DEPTH + 3), dtype=np.int64)
    mv = Moves(st.enrolled, st.act_opt, st.closed, st.absent, x, np.empty(mptr[-1], dtype=np.int64), mptr,
               np.zeros(n_act, dtype=np.int64), np.zeros(1), log, np.zeros(1, dtype=np.int64))
    for j in range(len(x)):
        if x[j]:
            x[j] = False
            _put(ar, mv, j, 1)
            mv.nlog[0] = 0
    return mv


@njit(cache=True)
def _work(ar, n_pos):
    """The scratch space of `_pass` (allocated once per repair)."""
    return Work(np.zeros(n_pos, dtype=np.bool_), np.empty(MAX_DEPTH + 1, dtype=np.int64),
                np.empty(MAX_DEPTH + 1, dtype=np.int64), np.empty(MAX_DEPTH + 1, dtype=np.int64),
                np.empty(MAX_DEPTH + 1, dtype=np.int64), np.zeros(len(ar.act_cap), dtype=np.bool_))


@njit(cache=True)
def _pass(ar, mv, wk, order, cost_price, allowed, tries):
    """Moves for the cadres in `order` (pinned ones aside): a cadre short of the requirement with
    chains (`tries`), one who meets it (or has none) with simple ejections only — a seat in a full
    class, a rotation post, a cheaper set. Returns the moves kept and the objective added."""
    x = mv.x
    kept = 0
    gain = 0.0
    for u in order:
        if ar.c_npin[u] > 0:
            continue
        short = ar.c_hasreq[u] and not met(ar, u, x)
        mv.nlog[0] = 0
        g = _try(ar, mv, wk, u, cost_price, allowed, tries if short else 0)
        if g > 0.0:
            kept += 1
            gain += g
    return kept, gain


CHUNK = 1000  # cadres a compiled call moves (the clock is read between calls)


def repair(data: LagrangeData, x: np.ndarray, order: np.ndarray | None = None, options: np.ndarray | None = None,
           passes: int = 2, tries: int = 0, deadline: float | None = None) -> tuple[np.ndarray, int, float]:
    """The plan x (position mask, not changed) after up to `passes` passes of seat-repair moves
    over every cadre (`tries`: trainees tried per chain), fewer when a pass keeps none; at
    `deadline` (perf_counter, read every CHUNK cadres) it stops where it is. Returns the plan,
    the moves kept and the objective they added."""
    y = x.copy()
    allowed = np.ones(len(x), dtype=np.bool_) if options is None else options[data.opt]
    cost_price = data.per_yuan * data.cost
    ar = data.arrays
    order = data.weight_order if order is None else order
    mv = _load(ar, y)
    wk = _work(ar, len(y))
    moves, gain = 0, 0.0
    for _ in range(passes):
        kept = 0
        for lo in range(0, len(order), CHUNK):
            if deadline is not None and time.perf_counter() > deadline:
                return y, int(moves), float(gain)
            k, g = _pass(ar, mv, wk, order[lo:lo + CHUNK], cost_price, allowed, tries)
            kept, moves, gain = kept + k, moves + k, gain + g
        if kept == 0:
            break
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
