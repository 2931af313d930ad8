"""The subgradient optimisation of the Lagrangian dual and its coordination with the master LP
(`master.py`): the prices, the proven bound and the plans the prices build (`relax`)."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from planning.model.lagrange import master
from planning.model.lagrange.construct import _Best, construct
from planning.model.lagrange.data import LagrangeData, objective, prepare
from planning.model.lagrange.dates import _date_descent, _dates_by_demand, activity_options
from planning.model.lagrange.kernels import _solve
from planning.model.lagrange.repair import repair
from planning.model.problem import PlanningProblem

DEFLECT = 0.5  # share of the last direction in each subgradient step
SMOOTH = 0.5  # master rounds price halfway between the best prices so far and the master's duals
POOL_STEPS = 10  # subgradient steps whose bundles seed the master LP
MASTER_THETA = 0.1  # step length after the master rounds: near the optimum, short steps
LARGE_POOL_STEPS = 2  # large rosters: steps whose bundles seed the first master LP


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
    repair_moves: int = 0  # seat-repair moves kept on the best plan, and the objective they added
    repair_gain: float = 0.0


def relax(prob: PlanningProblem, *, iterations: int, target: float, deadline: float | None = None,
          heuristic_every: int = 10, date_share: float = 0.4, date_sweeps: int = 2, master_rounds: int = 0,
          master_after: int = 60, master_time: float = 30.0, master_max_bundles: int = 40_000,
          master_smooth: float = SMOOTH, master_patience: int = 2, master_points: int = 1, master_tol: float = 0.0,
          master_large_cadres: int = 10 ** 9, master_deadline: float | None = None, threads: int = 1,
          rotation_start_cadres: int = 10 ** 9, data: LagrangeData | None = None, solo_deadline: float | None = None,
          repair_passes: int = 0, repair_tries: int = 0, repair_deadline: float | None = None) -> LagrangeResult:
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
    seconds per LP, at `deadline` (large rosters: `master_deadline`, if later, while the master
    runs), or at once when the pool holds more than `master_max_bundles` bundles. From
    `rotation_start_cadres` cadres up the steps start from `rotation_prices` instead of zero
    (large rosters, where the steps are few). From `master_large_cadres` up the master starts
    after 2 steps, prices the unit days at the best prices instead of rows, tries `master_points`
    prices a round and stops once the bound lies within `master_tol` of the master's value (only
    its first LP is held to the bundle limit). Then each windowed class is given the date most
    in demand at those prices, and phase 2 goes on pricing that fixed-date problem (its L bounds
    only that choice of dates), so that the plans are built with prices that fit the dates. Every
    `heuristic_every` steps the current prices build a plan (with free dates and with the
    dates most in demand). Last, `date_sweeps` passes of coordinate descent on the dates
    (`_date_descent`) and up to `repair_passes` of the seat repair (`repair.py`; none begins after
    `repair_deadline`) on the best plan, which is returned. Stops after the step count
    (repeatable) or at `deadline` (perf_counter)."""
    data = data or prepare(prob)
    n_opt = len(data.opt_act)
    act_opts, multi = activity_options(data)
    state = _Dual(data, act_opts, multi)
    if data.n_cadres >= rotation_start_cadres:
        state.lam = rotation_prices(data, act_opts)
    phase1 = max(1, int(round(iterations * (1 - date_share)))) if multi else iterations
    best = _Best()
    # large rosters (`master_large_cadres` up): the steps before the master do not lower the
    # bound (6,000 cadres: 100 steps from the rotation prices, not one below the first L), so
    # the master starts after LARGE_POOL_STEPS steps, and its LP prices the unit days at the
    # best prices so far instead of holding a row per unit day (13,196 of its 19,782 rows at
    # 6,000 cadres, interior point: 10–54 s a round with them, 3–10 s without, to about the
    # same bound)
    large = data.n_cadres >= master_large_cadres
    pre = min(LARGE_POOL_STEPS if large else master_after, phase1) if master_rounds > 0 else phase1
    pool_steps = min(LARGE_POOL_STEPS if large else POOL_STEPS, pre) if master_rounds > 0 else 0
    # time, a safety stop only: when the clock would cut the steps, phase 1 may use at most
    # (1 − date_share) of it, and phase 2 half of the rest, so that the dated steps and the date
    # descent (where most of the plan is made on windowed counties) always get their share
    # (large rosters: `master_deadline`, later, master or not: their plans come from the steps)
    t0 = time.perf_counter()

    def split(end: float | None) -> tuple[float | None, float | None]:
        if end is None or not multi or iterations <= phase1:
            return end, end
        d1 = t0 + (1 - date_share) * (end - t0)
        return d1, d1 + 0.5 * (end - d1)

    if large and master_rounds > 0 and master_deadline is not None and deadline is not None:
        deadline = max(deadline, master_deadline)
    deadline1, deadline2 = split(deadline)
    bound, inexact, iters, hist = state.run(pre - pool_steps, target, deadline1, heuristic_every, None, best)
    rounds, first = 0, 1  # master rounds solved; the number of the rest of the steps' first step (plan count)
    if pool_steps and (deadline1 is None or time.perf_counter() < deadline1):
        state.pool = master.Pool(data)
        if best.x is not None:
            state.pool.add(best.x)
        bound, inexact, done, h = state.run(pool_steps, target, deadline1, heuristic_every, None, best)
        iters += done
        hist += h
        # Wentges smoothing: the prices tried lie between the best prices so far and the
        # master's duals: on large rosters `master_points` of them evenly spaced, from (n − 1)/n
        # of the way back to the best prices down to the duals alone (1 point: `master_smooth`
        # of the way). Each is a proven bound; the lowest becomes the new best, and their
        # bundles join the pool
        alphas = [master_smooth] if master_points <= 1 or not large else \
            [1 - (k + 1) / master_points for k in range(master_points)]
        steps_prices = (state.lam.copy(), state.mu.copy(), state.beta)
        rounds, done, h = _master_rounds(state, act_opts, best, rounds=master_rounds, alphas=alphas, large=large,
                                         target=target, deadline=deadline1, master_time=master_time,
                                         max_bundles=master_max_bundles, tol=master_tol, patience=master_patience,
                                         threads=threads)
        iters += done
        hist += h
        bound, inexact = state.best_L, state.best_inexact
        state.pool = None
        if large and rounds:
            # large rosters: the master's prices are the bound; the plans come from the steps,
            # which go on from where they were before the master (6,000 cadres: steps on from the
            # master's best prices built plans 0.9 % worse — 2.167 against 2.187 million)
            state.set_prices(*steps_prices)
            state.reset_step()
        elif not large:
            # the rest of phase 1 refines the best prices with short steps
            state.set_prices(*state.best_prices)
            state.theta = MASTER_THETA
        else:
            # large rosters without a master round (20,000 cadres): the steps go on as they were, all
            # steps, no dated phase, until `solo_deadline`; so does their plan count (`first`)
            phase1, deadline1 = iterations, max((d for d in (deadline, solo_deadline) if d is not None), default=None)
            first = iters + 1
        if phase1 > pre:
            b, i, done, h = state.run(phase1 - pre, target, deadline1, heuristic_every, None, best, first=first)
            bound, inexact = (b, i) if b <= bound else (bound, inexact)
            iters += done
            hist += h
    dated_bound = None
    if multi and iterations - phase1 > 0 and state.avg_usage is not None:
        dated_bound, done2, hist2 = _dated_phase(state, best, iterations - phase1, max(target, best.obj), deadline2,
                                                 deadline, heuristic_every, date_sweeps, threads)
        iters += done2
        hist += hist2
    moves, gained = _repair_best(data, best, repair_passes, repair_tries, repair_deadline)
    plan = None if best.x is None else {int(p) for p in data.order[best.x]}
    return LagrangeResult(bound, plan, best.obj, iters, inexact, hist, dated_bound, state.last_price,
                          state.last_options, rounds, moves, gained)


def _repair_best(data: LagrangeData, best: _Best, passes: int, tries: int,
                 deadline: float | None) -> tuple[int, float]:
    """Up to `passes` passes of the seat repair on the best plan (`tries` trainees tried per
    chain; no pass begins after `deadline`), offered back (its objective recomputed: kept only
    when higher); the moves kept and the objective added."""
    if passes <= 0 or best.x is None:
        return 0, 0.0
    before = best.obj
    y, moves, _ = repair(data, best.x, passes=passes, tries=tries, deadline=deadline)
    best.offer(y, objective(data, y))
    return moves, best.obj - before


def _dated_phase(state: "_Dual", best: _Best, steps: int, target: float, deadline2: float | None,
                 deadline: float | None, heuristic_every: int, date_sweeps: int,
                 threads: int = 1) -> tuple[float, int, list[float]]:
    """Phase 2: each windowed class at the date most in demand, `steps` steps pricing that
    fixed-date problem (until `deadline2`), then the date descent (until `deadline`). Returns
    the bound of that choice of dates, the steps taken and their L."""
    data, act_opts, multi = state.data, state.act_opts, state.multi
    dates = _dates_by_demand(state.avg_usage, act_opts, multi, len(data.opt_act))
    state.reset_step()
    dated_bound, _, done, hist = state.run(steps, target, deadline2, heuristic_every, dates, best)
    if state.last_price is not None:
        _date_descent(data, state.last_price, dates, act_opts, multi, best, sweeps=date_sweeps, deadline=deadline,
                      threads=threads)
    return dated_bound, done, hist


def _master_rounds(state: "_Dual", act_opts: list[np.ndarray], best: _Best, *, rounds: int, alphas: list[float],
                   large: bool, target: float, deadline: float | None, master_time: float, max_bundles: int,
                   tol: float, patience: int, threads: int) -> tuple[int, int, list[float]]:
    """Up to `rounds` rounds of column generation from `state.pool`: the master LP's duals, the
    prices `alphas` of the way back from them to the best prices tried (each a proven bound,
    each step's bundles into the pool). Returns the rounds solved, the steps taken and their L."""
    data = state.data
    done, hist, failed, improved = 0, [], 0, False
    for r in range(rounds):
        left = master_time if deadline is None else min(master_time, deadline - time.perf_counter())
        if left < 1.0 or (len(state.pool) > max_bundles and (not large or r == 0)):
            # a master over more bundles than this takes longer than the steps it saves
            # (5,000 cadres: 64,000 bundles, 25–60 s an LP, a worse bound in the same time;
            # large rosters: only the first LP is held to it — without that, at 20,000 cadres
            # the first LP found no prices in the time: 5 steps in 72 s, against 20 in 53 s)
            return r, done, hist
        prices = master.solve_master(data, state.pool, act_opts, time_limit=left, threads=threads,
                                     mu=state.best_prices[1] if large else None)
        if prices is None:
            return r, done, hist
        before = state.best_L
        bl, bm, bb = state.best_prices
        for a in alphas:
            if deadline is not None and time.perf_counter() > deadline:
                break
            state.set_prices(a * bl + (1 - a) * prices.lam, a * bm + (1 - a) * prices.mu,
                             a * bb + (1 - a) * prices.beta)
            # plans are built at every price tried (6,000 cadres: built at each round's lowest L
            # only, the Lagrangian's plans fell below the bundle heuristic's 2.165 million; at
            # every price the best was 2.182)
            # (in the priority order only: 6,000 cadres, with both orders at every price the master
            # had time for 4 rounds instead of 5, bound 2,243,160 against 2,227,620)
            _, _, n, h = state.run(1, target, deadline, 1, None, best, flex=False)
            done += n
            hist += h
        bound = state.best_L
        # the master's value is a lower end for the best bound these prices can reach: within
        # `tol` of it, more rounds cannot pay
        if bound - prices.value <= tol * abs(bound):
            return r + 1, done, hist
        # the first rounds can price badly (the master has few bundles yet): stop after
        # `patience` rounds in a row that do not lower the bound by 0.01 %
        # (large rosters: not before a round has lowered it — their first rounds never do)
        failed = 0 if bound < before - 1e-4 * abs(before) else failed + 1
        improved = improved or failed == 0
        if failed >= patience and (improved or not large):
            return r + 1, done, hist
    return rounds, done, hist


def rotation_prices(data: LagrangeData, act_opts: list[np.ndarray]) -> np.ndarray:
    """First prices: each rotation post (of one date) at the reward of its most rewarding
    eligible cadre beyond its slots, every other price 0. At zero prices every eligible cadre
    takes a rotation and the first L lies far above the best-case bound (6,000 cadres: 2.32
    against 2.26 million after 42 steps); at these prices the rotations count about as they do
    in the best case (the slots' most rewarding cadres), so the steps start near that bound and
    go down from there. Any prices >= 0 give a valid bound."""
    lam = np.zeros(len(data.opt_act))
    pos = np.flatnonzero(data.rot)
    if not len(pos):
        return lam
    opt = data.opt[pos]
    gain = data.reward[pos] - data.per_yuan * data.cost[pos]
    order = np.lexsort((-gain, opt))
    opt, gain = opt[order], gain[order]
    starts = np.searchsorted(opt, np.unique(opt))
    ends = np.append(starts[1:], len(opt))
    for a, b in zip(starts, ends):
        o = int(opt[a])
        cap = int(data.act_cap[data.opt_act[o]])
        if len(act_opts[data.opt_act[o]]) == 1 and b - a > cap:
            lam[o] = max(0.0, float(gain[a + cap]))
    return lam


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

    def build(self, price: np.ndarray, options: np.ndarray | None, best: _Best, flex: bool = True) -> None:
        """Plans built at `price` (with free dates and with the dates most in demand), each in the
        priority order and (with `flex`) in `data.flex_order`, offered to `best`; the first order's
        bundles to the pool."""
        dated = options if options is not None else _dates_by_demand(self.avg_usage, self.act_opts, self.multi,
                                                                    len(self.data.opt_act))
        for opts in ((None, dated) if options is None and self.multi else (options,)):
            for order in (None, self.data.flex_order) if flex else (None,):
                xp = construct(self.data, price, order, opts)
                if xp is not None:
                    best.offer(xp, objective(self.data, xp))
                    if self.pool is not None and order is None:
                        # the master's pool: the priority order's plans only (6,000 cadres: with
                        # both orders 41,979 bundles after the 2 pool steps, above master_max_bundles
                        # 40,000, and no master ran; 27,982 with one)
                        self.pool.add(xp)

    def run(self, steps: int, target: float, deadline: float | None, heuristic_every: int,
            options: np.ndarray | None, best: _Best, first: int = 1,
            flex: bool = True) -> tuple[float, int, int, list[float]]:
        """`steps` subgradient steps from the current prices; returns the best L of the phase
        (since `reset_step`), the inexact searches at it, the steps taken and each step's L.
        Plans are built at steps 1, 1 + heuristic_every, … counted from `first` (the number of
        this run's first step when it goes on with an earlier run's steps) and at the last step;
        `flex`: also in `data.flex_order` (see `build`)."""
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
        built = False
        for it in range(1, steps + 1):
            if it > 1 and deadline is not None and time.perf_counter() > deadline:
                it -= 1
                if heuristic_every > 0 and not built and self.last_price is not None:
                    # the clock stops the steps: a plan at the last prices (at 20,000 cadres the
                    # steps' plans rise with the steps, and the clock stops them between builds)
                    self.build(self.last_price, options, best, flex)
                break
            built = False
            lam, mu, beta = self.lam, self.mu, self.beta
            unit_price = mu @ data.occ.T  # units × options
            # lam[opt] + unit_price[unit, opt] + beta * cost + base_price, summed in place in that order
            # (the same numbers; one 8-byte array per position fewer alive), the last step's freed first
            self.last_price = None
            price = lam[data.opt]
            price += unit_price[data.unit, data.opt]
            price += beta * data.cost
            price += base_price
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
            if heuristic_every > 0 and ((first - 1 + it) % heuristic_every == 1 or it == steps):
                self.build(price, options, best, flex)
                built = True
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
