"""Dates of windowed classes: one date per class by demand at the current prices, and the
coordinate descent that moves one class at a time to the date that makes the whole plan best."""
from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from planning.model.lagrange.construct import _Best, construct
from planning.model.lagrange.data import LagrangeData, objective


def _dates_by_demand(usage: np.ndarray, act_opts: list[np.ndarray], multi: list[int], n_opt: int) -> np.ndarray:
    """One date per windowed class: the option most in demand at the current prices."""
    keep = np.ones(n_opt, dtype=np.bool_)
    for k in multi:
        o = act_opts[k]
        keep[o] = False
        keep[o[int(np.argmax(usage[o]))]] = True
    return keep


def _date_descent(data: LagrangeData, price: np.ndarray, dates: np.ndarray, act_opts: list[np.ndarray],
                  multi: list[int], best: _Best, *, sweeps: int, deadline: float | None, threads: int = 1) -> None:
    """Move one windowed class at a time to each of its other dates, rebuild the plan at the
    last prices, and keep the move when the plan's objective rises; `sweeps` passes over the
    classes, stopped early by `deadline`. This is where the choice of dates answers to the
    whole plan rather than to the demand of the moment.

    A class's trial plans differ only in that class's date (the other classes keep theirs while
    its dates are tried), so `threads` of them are built at once and then judged in order: the
    same moves as one at a time, in less time (6,000 cadres: the descent is cut by the clock)."""
    dates = dates.copy()
    x = construct(data, price, None, dates)
    cur = objective(data, x) if x is not None else -math.inf
    best.offer(x, cur)
    step = max(1, threads)
    pool = ThreadPoolExecutor(max_workers=step) if step > 1 else None

    def trial_plan(trial: np.ndarray) -> np.ndarray | None:
        return construct(data, price, None, trial)

    try:
        for _ in range(sweeps):
            moved = 0
            for k in multi:
                o = act_opts[k]
                now = o[dates[o]]
                alts = [alt for alt in o if not (len(now) and alt == now[0])]
                for c in range(0, len(alts), step):
                    if deadline is not None and time.perf_counter() > deadline:
                        return
                    chunk = alts[c:c + step]
                    trials = []
                    for alt in chunk:
                        trial = dates.copy()
                        trial[o] = False
                        trial[alt] = True
                        trials.append(trial)
                    plans = list(pool.map(trial_plan, trials)) if pool is not None and len(trials) > 1 \
                        else [trial_plan(t) for t in trials]
                    for trial, xp in zip(trials, plans):
                        # judged one by one on this thread: the objective's temporaries are
                        # 8 bytes a position (100 MB each at 20,000 cadres), one at a time
                        v = objective(data, xp) if xp is not None else -math.inf
                        if v > cur + 1e-9:
                            dates, cur = trial, v
                            best.offer(xp, v)
                            moved += 1
            if not moved:
                return
    finally:
        if pool is not None:
            pool.shutdown()
