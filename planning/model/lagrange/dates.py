"""Dates of windowed classes: one date per class by demand at the current prices, and the
coordinate descent that moves one class at a time to the date that makes the whole plan best."""
from __future__ import annotations

import math
import time

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
                  multi: list[int], best: _Best, *, sweeps: int, deadline: float | None) -> None:
    """Move one windowed class at a time to each of its other dates, rebuild the plan at the
    last prices, and keep the move when the plan's objective rises; `sweeps` passes over the
    classes, stopped early by `deadline`. This is where the choice of dates answers to the
    whole plan rather than to the demand of the moment."""
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
