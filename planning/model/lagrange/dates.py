"""Dates of windowed classes: one date per class by demand at the current prices, and the
coordinate descent that moves one class at a time to the date that makes the whole plan best."""
from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from planning.model.lagrange.construct import _Best, construct
from planning.model.lagrange.data import LagrangeData, objective


def activity_options(data: LagrangeData) -> tuple[list[np.ndarray], list[int]]:
    """The options of each activity, and the activities with more than one (windowed classes)."""
    act_opts = [np.flatnonzero(data.opt_act == a) for a in range(len(data.act_cap))]
    return act_opts, [k for k, o in enumerate(act_opts) if len(o) > 1]


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

    The trials are built `threads` at a time from the dates as they stand and judged in order:
    the same moves as one at a time. A kept move changes one class's date, so the trials still
    to be judged for that class stay valid (they differ from the new dates only in that class);
    a trial for another class is built again from the new dates (6,000 cadres, where the clock
    cuts the descent: about one trial in ten is kept)."""
    dates = dates.copy()
    x = construct(data, price, None, dates)
    cur = objective(data, x) if x is not None else -math.inf
    best.offer(x, cur)
    step = max(1, threads)
    pool = ThreadPoolExecutor(max_workers=step) if step > 1 else None
    build = map if pool is None else pool.map

    def trial_dates(k: int, alt: int) -> np.ndarray:
        trial = dates.copy()
        trial[act_opts[k]] = False
        trial[alt] = True
        return trial

    def trial_plan(trial: np.ndarray) -> np.ndarray | None:
        return construct(data, price, None, trial)

    try:
        for _ in range(sweeps):
            # (class, other date) in order; a class's date changes only while its own dates are
            # tried, so its other dates are known at the start of the sweep
            todo = [(k, int(alt)) for k in multi for alt in act_opts[k] if not dates[alt]]
            moved, i = 0, 0
            while i < len(todo):
                if deadline is not None and time.perf_counter() > deadline:
                    return
                batch = todo[i:i + step]
                trials = [trial_dates(k, alt) for k, alt in batch]
                plans = list(build(trial_plan, trials))
                kept = None  # the class whose move was kept in this batch
                for (k, _), trial, xp in zip(batch, trials, plans):
                    if kept is not None and k != kept:
                        break  # built from the dates before the move: built again next round
                    i += 1
                    # judged one by one on this thread: the objective's temporaries are 8 bytes a
                    # position (100 MB each at 20,000 cadres)
                    v = objective(data, xp) if xp is not None else -math.inf
                    if v > cur + 1e-9:
                        dates, cur, kept = trial, v, k
                        best.offer(xp, v)
                        moved += 1
            if not moved:
                return
    finally:
        if pool is not None:
            pool.shutdown()
