"""Prices from a master LP over the bundles the Lagrangian search has proposed.

Subgradient steps find good prices slowly on large rosters: each step moves every price by
the same rule, and thousands of seats, unit days and rotation posts zigzag. The bundles the
per-cadre searches return along the way are columns of the Dantzig–Wolfe master problem —
each cadre picks one bundle (or none), seats, rotation slots, a windowed class's one date,
unit-day absence caps and the budget hold on average — and the duals of that LP are prices
that fit all the rules at once. Any prices ≥ 0 give a valid Lagrangian bound (see
`lagrange/__init__.py`), so the master may be as partial as is convenient: only the bundles seen, only
the unit days those bundles could overfill. Its duals are handed back to the search, whose
answer is both a proven bound and new bundles for the next round (column generation).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import highspy
import numpy as np

from planning.model.lagrange.data import LagrangeData, _req_value_np
from planning.model.solve import _new_highs

IPM_TOL = 1e-6  # the duals are prices to try, not a certificate: the search proves the bound


@dataclass
class Prices:
    lam: np.ndarray  # per option
    mu: np.ndarray  # units × days
    beta: float
    value: float  # the master LP's objective


class Pool:
    """Distinct bundles per cadre, as they come from the searches (deterministic order)."""

    def __init__(self, data: LagrangeData, seed: int = 7):
        self.data = data
        rng = np.random.default_rng(seed)
        self.hash = rng.integers(1, 2 ** 62, size=len(data.opt), dtype=np.int64).astype(np.uint64)
        self.cad = np.repeat(np.arange(data.n_cadres), np.diff(data.ptr))
        self.seen: set[int] = set()
        self.col_cadre: list[int] = []
        self.col_pos: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.col_cadre)

    def add(self, x: np.ndarray) -> int:
        """Add each cadre's bundle in the position mask `x` (empty bundles are implicit)."""
        pos = np.flatnonzero(x)
        if not len(pos):
            return 0
        c = self.cad[pos]
        h = np.zeros(self.data.n_cadres, dtype=np.uint64)
        np.add.at(h, c, self.hash[pos])
        cads = np.unique(c)
        cut = np.searchsorted(c, np.append(cads, self.data.n_cadres))
        added = 0
        for k, i in enumerate(cads):
            key = int(h[i])
            if key in self.seen:
                continue
            self.seen.add(key)
            self.col_cadre.append(int(i))
            self.col_pos.append(pos[cut[k]:cut[k + 1]])
            added += 1
        return added


def _values(data: LagrangeData, cadre: np.ndarray, col_of: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The objective (rules.set_objective) of each column: cadre `cadre[j]` taking positions
    `pos[col_of == j]`."""
    n = len(cadre)
    cls = ~data.rot[pos]
    D = np.bincount(col_of, weights=data.days[pos] * cls, minlength=n)
    H = np.bincount(col_of, weights=data.hours[pos] * cls, minlength=n)
    n_cls = np.bincount(col_of, weights=cls.astype(float), minlength=n)
    pairs = np.bincount(col_of, weights=data.reward[pos] - data.per_yuan * data.cost[pos], minlength=n)
    req = _req_value_np(data, cadre, D, H)
    return req + np.where(n_cls > 0, data.c_any[cadre], 0.0) + pairs


def solve_master(data: LagrangeData, pool: Pool, act_opts: list[np.ndarray], *, time_limit: float = 60.0,
                 threads: int = 1, mu: np.ndarray | None = None) -> Prices | None:
    """The master LP over the pool's bundles, and its duals as prices (None: no valid duals in
    `time_limit`). Given `mu` (units × days), the unit days are priced at it instead of holding
    a row each; the prices returned then carry that μ."""
    n_c = data.n_cadres
    n_opt = len(data.opt_act)
    n_units, n_days = len(data.unit_cap), data.occ.shape[1]
    # columns: the pool's bundles, then one empty bundle per cadre, then y per windowed option
    cadre = np.array(pool.col_cadre + list(range(n_c)), dtype=np.int64)
    n_b = len(pool)
    lens = np.array([len(p) for p in pool.col_pos] + [0] * n_c, dtype=np.int64)
    pos = np.concatenate(pool.col_pos) if n_b else np.zeros(0, dtype=np.int64)
    col_of = np.repeat(np.arange(len(cadre)), lens)
    value = _values(data, cadre, col_of, pos)
    multi = [k for k, o in enumerate(act_opts) if len(o) > 1]
    y_opt = np.concatenate([act_opts[k] for k in multi]) if multi else np.zeros(0, dtype=np.int64)
    n_y = len(y_opt)
    # rows: convexity (n_c), seats (options), one date per windowed class, unit days, budget
    opt = data.opt[pos]
    # unit-day usage of each column: unit of the cadre, days of each option
    dptr, didx = data.opt_day_ptr, data.opt_day_idx
    nd = dptr[opt + 1] - dptr[opt]
    ud_col = np.repeat(col_of, nd)
    starts = np.repeat(dptr[opt], nd)
    offs = np.arange(nd.sum()) - np.repeat(np.cumsum(nd) - nd, nd)
    ud_day = didx[starts + offs]
    # a unit's count can only rise on the first day of an occupied run: those days suffice
    first = np.zeros(n_days, dtype=bool)
    first[ud_day] = False
    prev = np.concatenate([[-2], didx[:-1]])
    run_start = didx != prev + 1
    run_start[dptr[:-1][np.diff(dptr) > 0]] = True
    first[didx[run_start]] = True
    on = first[ud_day]
    ud_col, ud_day, starts = ud_col[on], ud_day[on], starts[on]
    nd_pos = np.repeat(np.arange(len(pos)), nd)[on]
    ud_key = data.unit[pos][nd_pos] * n_days + ud_day
    # keep the unit days the pool could overfill: the most each cadre could add there
    ck = cadre[ud_col] * (n_units * n_days) + ud_key
    uniq_ck = np.unique(ck)
    most = np.bincount(uniq_ck % (n_units * n_days), minlength=n_units * n_days)
    cap_ud = np.repeat(data.unit_cap, n_days)
    tight = np.flatnonzero(most > cap_ud) if mu is None else np.zeros(0, dtype=np.int64)
    if mu is not None:
        # the unit days priced at the given μ (not rows): each column pays for its days
        value = value - np.bincount(col_of, weights=(mu @ data.occ.T)[data.unit[pos], opt], minlength=len(cadre))
    ud_row = -np.ones(n_units * n_days, dtype=np.int64)
    r0 = n_c + n_opt + len(multi)
    ud_row[tight] = r0 + np.arange(len(tight))
    has_budget = math.isfinite(data.budget)
    n_rows = r0 + len(tight) + (1 if has_budget else 0)
    # entries (row, col, val)
    rows = [cadre, data.n_cadres + opt]
    cols = [np.arange(len(cadre)), col_of]
    vals = [np.ones(len(cadre)), np.ones(len(pos))]
    keep = ud_row[ud_key] >= 0
    rows.append(ud_row[ud_key[keep]])
    cols.append(ud_col[keep])
    vals.append(np.ones(int(keep.sum())))
    if has_budget:
        cost = np.bincount(col_of, weights=data.cost[pos], minlength=len(cadre))
        nz = np.flatnonzero(cost)
        rows.append(np.full(len(nz), n_rows - 1))
        cols.append(nz)
        vals.append(cost[nz])
    if n_y:
        yc = len(cadre) + np.arange(n_y)
        k_of = np.concatenate([np.full(len(act_opts[k]), t) for t, k in enumerate(multi)])
        rows += [n_c + y_opt, n_c + n_opt + k_of]
        cols += [yc, yc]
        vals += [-data.act_cap[data.opt_act[y_opt]].astype(float), np.ones(n_y)]
    R = np.concatenate(rows)
    C = np.concatenate(cols)
    V = np.concatenate(vals)
    n_cols = len(cadre) + n_y
    order = np.lexsort((R, C))
    R, C, V = R[order], C[order], V[order]
    start = np.searchsorted(C, np.arange(n_cols + 1))
    seat_up = data.act_cap[data.opt_act].astype(float)
    is_y = np.zeros(n_opt, dtype=bool)
    is_y[y_opt] = True
    seat_up[is_y] = 0.0
    lo = np.concatenate([np.ones(n_c), np.full(n_opt + len(multi) + len(tight) + has_budget, -highspy.kHighsInf)])
    up = np.concatenate([np.ones(n_c), seat_up, np.ones(len(multi)), cap_ud[tight].astype(float),
                         [data.budget] if has_budget else []])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = np.concatenate([value, np.zeros(n_y)])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.ones(n_cols)
    lp.row_lower_, lp.row_upper_ = lo, up
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = R.astype(np.int32)
    lp.a_matrix_.value_ = V
    lp.sense_ = highspy.ObjSense.kMaximize
    # interior point without crossover: prices need not sit at a vertex, and IPM copes far
    # better than simplex with this degenerate LP at thousands of cadres. `_new_highs` resets
    # HiGHS's global thread pool: a MIP solved before with another thread count would
    # otherwise make this run fail without a word
    h = _new_highs(time_limit, threads, 0, False,
                   {"solver": "ipm", "run_crossover": "off", "ipm_optimality_tolerance": IPM_TOL})
    h.passModel(lp)
    h.run()
    # any duals will do (the search proves the bound at whatever prices it is given): an
    # interior point stopped by its time limit or short of its tolerance still prices well
    status = h.getModelStatus()
    if not h.getSolution().dual_valid or status in (highspy.HighsModelStatus.kInfeasible,
                                                    highspy.HighsModelStatus.kUnbounded):
        return None
    return _prices(data, h, r0, tight, has_budget, mu)


def _prices(data: LagrangeData, h: highspy.Highs, r0: int, tight: np.ndarray, has_budget: bool,
            mu: np.ndarray | None) -> Prices:
    """The solved master's duals as prices: λ per option, μ per unit day (its rows from `r0`,
    one per `tight` unit day; or the `mu` it was given), β for the budget."""
    n_c, n_opt = data.n_cadres, len(data.opt_act)
    n_units, n_days = len(data.unit_cap), data.occ.shape[1]
    dual = np.asarray(h.getSolution().row_dual)
    # maximisation: a binding ≤ row has a dual ≥ 0 in HiGHS's convention for max problems? take
    # the sign that makes the prices of over-demanded seats positive
    sgn = 1.0 if dual[n_c:n_c + n_opt].sum() >= 0 else -1.0
    lam = np.maximum(0.0, sgn * dual[n_c:n_c + n_opt])
    value = float(h.getInfo().objective_function_value)
    if mu is None:
        mu = np.zeros(n_units * n_days)
        mu[tight] = np.maximum(0.0, sgn * dual[r0:r0 + len(tight)])
    else:
        # the caps at the given prices (Σ cap · μ), as in L
        mu = mu.reshape(-1).copy()
        value += float((data.unit_cap.astype(float) @ mu.reshape(n_units, n_days)).sum())
    beta = max(0.0, sgn * dual[-1]) if has_budget else 0.0
    return Prices(lam, mu.reshape(n_units, n_days), beta, value)
