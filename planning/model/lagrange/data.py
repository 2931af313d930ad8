"""The Lagrangian's data preparation: the problem laid out as flat arrays, pairs grouped by cadre,
and the objective of a plan given as a position mask (the same numbers the kernels read)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from planning.model.core import core_of
from planning.model.problem import PlanningProblem

EPS = 1e-9


class Arrays(NamedTuple):
    """What the compiled kernels read, by name (the same arrays as `LagrangeData`, built once in
    `prepare`): per position (pairs grouped by cadre), per cadre, per option, activity and unit,
    and the objective's weights."""

    ptr: np.ndarray  # cadre -> first position
    opt: np.ndarray  # per position: option, activity, topic (-1 rotation), rotation?
    act: np.ndarray
    topic: np.ndarray
    rot: np.ndarray
    days: np.ndarray  # class days, hours, cost (yuan); rotation reward
    hours: np.ndarray
    cost: np.ndarray
    reward: np.ndarray
    pin: np.ndarray  # the cadre has a `must` pin on the position's activity
    unit: np.ndarray  # unit index of the position's cadre
    c_w: np.ndarray  # per cadre: weight, requirement (has one, in hours only, days, hours), overdue bonus, pins
    c_hasreq: np.ndarray
    c_byh: np.ndarray
    c_reqd: np.ndarray
    c_reqh: np.ndarray
    c_any: np.ndarray
    c_npin: np.ndarray
    overlap: np.ndarray  # options × options: they share a day
    day_ptr: np.ndarray  # option -> its day columns day_idx[day_ptr[o]:day_ptr[o + 1]]
    day_idx: np.ndarray
    act_cap: np.ndarray  # per activity: seats (slots), minimum size
    act_min: np.ndarray
    unit_cap: np.ndarray  # per unit: people away on one day at most
    n_days: int
    budget: float  # inf when there is none
    w_met: float  # objective weights per unit of priority weight
    w_short: float
    max_rot: int  # rotations a cadre may take in a year


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
    flex_order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # see `flex_order`
    pair_value: np.ndarray | None = None  # per position: PlanningProblem.pair_value (scored, not priced)
    objective_offset: float = 0.0
    arrays: Arrays | None = None  # the kernels' view of the fields above
    inverse: np.ndarray | None = None  # pair index -> position (made by `positions` when first needed)

    def kernel_arrays(self) -> Arrays:
        return Arrays(ptr=self.ptr, opt=self.opt, act=self.act, topic=self.topic, rot=self.rot, days=self.days,
                      hours=self.hours, cost=self.cost, reward=self.reward, pin=self.pin, unit=self.unit,
                      c_w=self.c_w, c_hasreq=self.c_hasreq, c_byh=self.c_byh, c_reqd=self.c_reqd,
                      c_reqh=self.c_reqh, c_any=self.c_any, c_npin=self.c_npin, overlap=self.overlap,
                      day_ptr=self.opt_day_ptr, day_idx=self.opt_day_idx, act_cap=self.act_cap,
                      act_min=self.act_min, unit_cap=self.unit_cap, n_days=int(self.occ.shape[1]),
                      budget=float(self.budget), w_met=float(self.w_met), w_short=float(self.w_short),
                      max_rot=int(self.max_rot))

    @property
    def n_cadres(self) -> int:
        return len(self.ptr) - 1


def _index_type(n: int) -> type:
    """The narrowest of int32 and int64 that holds 0..n (per-position index arrays: half the memory)."""
    return np.int32 if n < np.iinfo(np.int32).max else np.int64


def prepare(prob: PlanningProblem) -> LagrangeData:
    """The flat arrays. Per position (12.9 million at 20,000 cadres) the index columns are int32
    and nothing is held twice: the cadre of each position is not kept, its unit comes from the
    cadre pointers (positions are grouped by cadre)."""
    pol = prob.policy
    core = core_of(prob)
    n = len(prob.cadre_ids)
    order = np.argsort(prob.pair_cadre, kind="stable")
    ptr = np.searchsorted(prob.pair_cadre[order], np.arange(n + 1)).astype(np.int64)
    order = order.astype(_index_type(len(order)), copy=False)
    act_ids = list(prob.activities)
    act_index = {a: k for k, a in enumerate(act_ids)}
    topics: dict[str, int] = {}
    opts = prob.options
    small = _index_type(max(len(opts), len(act_ids), len(prob.unit_cap)))
    opt_act = np.array([act_index[o.activity_id] for o in opts], dtype=np.int64)
    opt_topic = np.array([-1 if o.kind == "rotation" else topics.setdefault(prob.activities[o.activity_id].topic_key,
                                                                           len(topics)) for o in opts], dtype=np.int64)
    opt_days = np.array([o.days if o.kind == "class" else 0.0 for o in opts])
    opt_hours = np.array([o.hours if o.kind == "class" else 0.0 for o in opts])
    po = prob.pair_option[order].astype(small, copy=False)
    units = sorted(prob.unit_cap)
    unit_index = {u: k for k, u in enumerate(units)}
    c_unit = np.array([unit_index[u] for u in prob.cadre_unit], dtype=small)
    must = {(c, a) for c, a, _ in prob.must}
    index = {c: i for i, c in enumerate(prob.cadre_ids)}
    pinned = np.zeros(n, dtype=np.bool_)
    npin = np.zeros(n, dtype=np.int64)
    pin = np.zeros(len(po), dtype=np.bool_)
    for c, a in must:
        i = index[c]
        pinned[i] = True
        npin[i] += 1
        lo, hi = ptr[i], ptr[i + 1]  # the cadre's positions: those of the pinned activity
        pin[lo:hi] |= opt_act[po[lo:hi]] == act_index.get(a, -1)
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
    w = core.weight.astype(float)
    byh = core.by_hours
    od = core.overdue
    acts = prob.activities
    data = LagrangeData(
        order=order, ptr=ptr, opt=po, act=opt_act.astype(small)[po], topic=opt_topic.astype(small)[po],
        rot=core.pair_rotation[order].astype(np.bool_, copy=False), days=opt_days[po], hours=opt_hours[po],
        cost=core.pair_cost[order].astype(float, copy=False), reward=core.pair_reward[order].astype(float, copy=False),
        pin=pin, unit=np.repeat(c_unit, np.diff(ptr)), c_w=w, c_hasreq=core.has_req.astype(np.bool_),
        c_byh=byh.astype(np.bool_),
        c_reqd=np.where(byh, 1.0, core.req_days.astype(float)),
        c_reqh=np.maximum(core.req_hours.astype(float), EPS),
        c_any=np.where(od, core.overdue_value, 0.0).astype(float), c_npin=npin,
        overlap=np.ascontiguousarray(overlap, dtype=np.bool_), occ=occ,
        opt_day_ptr=np.asarray(day_ptr, dtype=np.int64), opt_day_idx=np.asarray(day_idx, dtype=np.int64),
        opt_act=opt_act, act_cap=np.array([acts[a].capacity for a in act_ids], dtype=np.int64),
        act_min=np.array([acts[a].min_size if acts[a].kind == "class" else 0 for a in act_ids], dtype=np.int64),
        unit_cap=np.array([prob.unit_cap[u] for u in units], dtype=np.int64),
        budget=math.inf if budget is None else float(budget),
        w_met=core.met_weight, w_short=core.short_weight, per_yuan=float(core.per_yuan),
        max_rot=int(pol["rotation.max_per_year"]),
        pinned_cadres=pinned)
    if prob.pair_value is not None:
        data.pair_value = np.asarray(prob.pair_value, dtype=float)[order]
        data.objective_offset = float(prob.objective_offset)
    data.weight_order = np.array(sorted(range(n), key=lambda i: (not pinned[i], -w[i], not od[i], prob.cadre_ids[i])),
                                 dtype=np.int64)
    data.flex_order = flex_order(data)
    data.arrays = data.kernel_arrays()
    return data


def flex_order(data: LagrangeData) -> np.ndarray:
    """The second order the plans from prices are built in: pinned cadres first, then by what
    meeting the cadre is worth (priority weight × objective.met, plus the overdue bonus) per
    class pair open to them, highest first; ties in `weight_order`. Cadres with few admissible
    classes take their seats before those who have many alternatives: in the priority order alone,
    the flexible cadres of a higher weight take the seats the inflexible ones needed (20,000
    cadres, at the prices of 90 subgradient steps: 7,291,296 and 18,555 requirements met, against
    7,248,657 and 18,307 in `weight_order`)."""
    n = data.n_cadres
    cadre = np.repeat(np.arange(n), np.diff(data.ptr))
    n_cls = np.bincount(cadre, weights=(~data.rot).astype(float), minlength=n)
    worth = (data.w_met * data.c_w * data.c_hasreq + data.c_any) / np.maximum(n_cls, 1.0)
    rank = np.empty(n, dtype=np.int64)
    rank[data.weight_order] = np.arange(n)
    return np.lexsort((rank, -worth, ~data.pinned_cadres)).astype(np.int64)


def _req_value_np(data: LagrangeData, cadre: np.ndarray, D: np.ndarray, H: np.ndarray) -> np.ndarray:
    """`_req_value` for arrays: cadre `cadre[k]` with D[k] days and H[k] hours of classes."""
    byh, reqd, reqh, w = data.c_byh[cadre], data.c_reqd[cadre], data.c_reqh[cadre], data.c_w[cadre]
    met = np.where(byh, H >= reqh - 1e-9, (D >= reqd - 1e-9) | (H >= reqh - 1e-9))
    short = np.where(byh, 1 - H / reqh, 1 - D / reqd).clip(0, None)
    return np.where(met, data.w_met * w, -data.w_short * w * short) * data.c_hasreq[cadre]


def objective(data: LagrangeData, x: np.ndarray) -> float:
    """The model's objective (rules.set_objective) of a plan given as a position mask."""
    cadre = np.repeat(np.arange(data.n_cadres), np.diff(data.ptr))
    cls = x & ~data.rot
    D = np.bincount(cadre, weights=data.days * cls, minlength=data.n_cadres)
    H = np.bincount(cadre, weights=data.hours * cls, minlength=data.n_cadres)
    n_cls = np.bincount(cadre, weights=cls.astype(float), minlength=data.n_cadres)
    req = _req_value_np(data, np.arange(data.n_cadres), D, H)
    extra = np.where(n_cls > 0, data.c_any, 0.0)
    gain = data.per_yuan * data.cost  # x * (reward - per_yuan * cost), in one array (in place, the same numbers)
    np.subtract(data.reward, gain, out=gain)
    gain *= x
    pairs = float(gain.sum())
    del gain
    if data.pair_value is not None:
        pairs += float((x * data.pair_value).sum()) + data.objective_offset
    return float(req.sum() + extra.sum() + pairs)


def positions(data: LagrangeData, chosen: set[int]) -> np.ndarray:
    """The position mask of a set of pair ids (the inverse of ``order`` is made once and kept)."""
    inv = data.inverse
    if inv is None:
        inv = np.empty(len(data.order), dtype=data.order.dtype)
        inv[data.order] = np.arange(len(data.order), dtype=data.order.dtype)
        data.inverse = inv
    x = np.zeros(len(data.order), dtype=np.bool_)
    if chosen:
        x[inv[np.fromiter(chosen, dtype=np.int64)]] = True
    return x
