"""The requirement and the objective as arrays, built once per problem: the one definition the
PuLP model (`rules.add_requirement`, `rules.set_objective`), the plan builder of the heuristics
(`greedy.PlanBuilder`), the ejection search's Scorer, the best-case bound and the read-back of a
plan into the model's variables (`values.complete_values`) all read.

Per cadre: the priority weight, whether anything is required and how it is measured (class hours
only at division level; days or hours below), the days and hours required, and the objective's
value of meeting it, per full requirement still missing, and of an overdue cadre's first class.
Per admissible pair: the reward of a rotation (more for reserve and young cadres) and the cost of
a class. The compiled Lagrangian (`lagrange.prepare`) reads these arrays and lays them out for
its kernels; `tests/test_encodings.py` checks every encoding against the others on random plans.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-9  # "met" allows this much below the requirement (sums of class days and hours)


@dataclass(frozen=True)
class Core:
    weight: np.ndarray  # per cadre: base + the bonus of each priority group
    has_req: np.ndarray  # bool: something is required this year (at division level: hours > 0)
    by_hours: np.ndarray  # bool: measured in class hours only (division level)
    req_days: np.ndarray
    req_hours: np.ndarray
    met_value: np.ndarray  # objective.requirement_met × weight
    short_value: np.ndarray  # objective.shortfall_fraction × weight, per full requirement missing
    overdue: np.ndarray  # bool: overdue on the general cycle
    overdue_value: np.ndarray  # objective.overdue_any_class × weight (the first class of an overdue cadre)
    pair_rotation: np.ndarray  # bool per pair: a rotation post
    pair_reward: np.ndarray  # per pair: the rotation's reward (0 for classes)
    pair_cost: np.ndarray  # per pair: the class's cost in yuan (0 for rotations)
    per_yuan: float  # objective.cost_per_10k_yuan / 10,000
    met_weight: float  # objective.requirement_met, per unit of priority weight (met_value / weight)
    short_weight: float  # objective.shortfall_fraction, per unit of priority weight (short_value / weight)

    def met(self, i: int, days: float, hours: float) -> bool:
        """Cadre i meets the year's requirement with `days` and `hours` of classes (the contract's rule)."""
        if self.by_hours[i]:
            return hours >= self.req_hours[i] - EPS
        return days >= self.req_days[i] - EPS or hours >= self.req_hours[i] - EPS

    def shortfall(self, i: int, days: float, hours: float) -> float:
        """Share of the requirement still missing (0 when met): hours at division level, else days."""
        if self.met(i, days, hours):
            return 0.0
        if self.by_hours[i]:
            return max(0.0, 1 - hours / self.req_hours[i])
        return max(0.0, 1 - days / self.req_days[i])

    def requirement_value(self, i: int, days: float, hours: float) -> float:
        """The objective's requirement term for cadre i: met, or the shortfall's penalty (0 without requirement)."""
        if not self.has_req[i]:
            return 0.0
        if self.met(i, days, hours):
            return float(self.met_value[i])
        return -float(self.short_value[i]) * self.shortfall(i, days, hours)


def requirement_met(by_hours, days, hours, req_days, req_hours) -> np.ndarray:
    """`Core.met` for arrays (coverage tables, reports)."""
    return np.where(by_hours, hours >= req_hours - EPS, (days >= req_days - EPS) | (hours >= req_hours - EPS))


def core_of(prob) -> Core:
    """The problem's Core (built once and kept on the problem)."""
    if prob._core is None:
        prob._core = build_core(prob)
    return prob._core


def build_core(prob) -> Core:
    pol, f = prob.policy, prob.facts
    w = f["weight"].to_numpy()
    by_hours = (f["measure"] == "hours").to_numpy()
    req_hours = f["required_hours"].to_numpy()
    overdue = f["overdue"].to_numpy().astype(bool)
    reserve, young = f["reserve"].to_numpy(), f["young"].to_numpy()
    opts, acts = prob.options, prob.activities
    opt_rot = np.array([o.kind == "rotation" for o in opts], dtype=bool)
    opt_cost = np.array([0.0 if o.kind == "rotation" else float(acts[o.activity_id].cost) for o in opts])
    po, pc = np.asarray(prob.pair_option, dtype=np.int64), np.asarray(prob.pair_cadre, dtype=np.int64)
    rot_reward = (pol["objective.rotation_filled"] + pol["objective.rotation_reserve_bonus"] * reserve
                  + pol["objective.rotation_young_bonus"] * young).astype(float)
    pair_rot = opt_rot[po] if len(opts) else np.zeros(len(po), dtype=bool)
    return Core(weight=w, has_req=~by_hours | (req_hours > 0), by_hours=by_hours,
                req_days=f["required_days"].to_numpy(), req_hours=req_hours,
                met_value=pol["objective.requirement_met"] * w, short_value=pol["objective.shortfall_fraction"] * w,
                overdue=overdue, overdue_value=pol["objective.overdue_any_class"] * w,
                pair_rotation=pair_rot, pair_reward=np.where(pair_rot, rot_reward[pc], 0.0) if len(pc) else
                np.zeros(0), pair_cost=opt_cost[po] if len(opts) else np.zeros(len(po)),
                per_yuan=pol["objective.cost_per_10k_yuan"] / 10000.0,
                met_weight=float(pol["objective.requirement_met"]),
                short_weight=float(pol["objective.shortfall_fraction"]))
