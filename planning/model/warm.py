"""A given plan as the start of the search (warm start): re-plan and the what-if start from a plan.

`warm_pairs` finds the plan's rows among the problem's admissible pairs (a row whose cadre,
activity or dates the problem no longer admits is left out); `warm_plan` turns them into a
valid plan through `PlanBuilder` — the one place that knows whether a pair fits: `must` pins
first, then the given pairs in date order (earlier starts keep their seats), classes below
their minimum size cancelled, then cadres who lost an assignment and now fall short of their
requirement, and rotation slots left empty, filled as the greedy baseline fills them.
Deterministic: the same problem and plan give the same pairs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from planning.io import read_plan_csv
from planning.model.greedy import PlanBuilder, _fill_classes, _fill_rotations, _pins_first, priority_order
from planning.model.problem import PlanningProblem


def plan_rows(plan: Any) -> pd.DataFrame:
    """A plan as its rows: a DataFrame (plan.csv's columns), a PlanResult, a plan folder or plan.csv."""
    if isinstance(plan, pd.DataFrame):
        return plan
    if hasattr(plan, "plan") and isinstance(plan.plan, pd.DataFrame):
        return plan.plan
    path = Path(plan)
    return read_plan_csv(path / "plan.csv" if path.is_dir() else path)


def pair_index(prob: PlanningProblem) -> dict[tuple[str, str, str], int]:
    """(cadre_id, activity_id, start date ISO) -> admissible pair."""
    return {(prob.cadre_ids[int(i)], prob.options[int(o)].activity_id, prob.options[int(o)].start.isoformat()): p
            for p, (i, o) in enumerate(zip(prob.pair_cadre, prob.pair_option))}


def warm_pairs(prob: PlanningProblem, plan: Any) -> set[int]:
    """The plan's rows that are admissible pairs of the problem (same cadre, activity and start date;
    a row without a start date takes the activity's first option)."""
    rows = plan_rows(plan)
    index = pair_index(prob)
    first = {a.activity_id: prob.options[a.options[0]].start.isoformat() for a in prob.activities.values() if a.options}
    starts = rows["start_date"].astype(str) if "start_date" in rows.columns else pd.Series([""] * len(rows))
    out = set()
    for c, a, s in zip(rows["cadre_id"], rows["activity_id"], starts):
        p = index.get((str(c), str(a), str(s)[:10] if s and s != "nan" else first.get(str(a), "")))
        if p is not None:
            out.add(p)
    return out


def warm_plan(prob: PlanningProblem, pairs: set[int]) -> set[int]:
    """A valid plan that keeps as many of `pairs` as the rules allow (see the module docstring)."""
    b = PlanBuilder(prob)
    by_cadre = prob.pairs_of_cadre()
    opts = prob.options
    # a class keeps the dates the given plan runs it on; pins of a class the plan does not run take its first
    dates = {opts[int(prob.pair_option[p])].activity_id: int(prob.pair_option[p]) for p in sorted(pairs)}
    first = {a.activity_id: dates.get(a.activity_id, a.options[0]) for a in prob.activities.values() if a.options}
    musts = _pins_first(b, by_cadre, first)
    for p in sorted(pairs, key=lambda p: (opts[int(prob.pair_option[p])].start, p)):
        b.try_take(int(p))
    b.cancel_small_classes(musts)
    had = {int(prob.pair_cadre[p]) for p in pairs}
    lost = [i for i in priority_order(prob) if i in had and not b.met(i)]
    _fill_classes(b, lost, by_cadre, lambda oi: b.act_option.get(opts[oi].activity_id, first.get(opts[oi].activity_id)) == oi)
    b.cancel_small_classes(musts)
    _fill_rotations(b)
    return b.plan()
