"""Every encoding of the rules and the objective agrees, on random small instances and random plans.

The rules and the objective are written down in several places on purpose or for speed: the
PuLP model (`model/rules.py`, read back by `model/values.py`), the Lagrangian core's arrays and
scorer (`model/lagrange/`), the ejection search's Scorer (`model/ejection.py`), the plan
builder every heuristic uses (`model/greedy.PlanBuilder`), the bounds (`model/bounds.py`) and,
separate on purpose, the independent checker (`planning/check.py`). For each seed a small
random county is written (`conftest.write_dataset`) and many plans are formed — built under
the rules in random order, random sets of pairs that break them, the heuristics' plans and the
exact MIP's optimum — and then:

* validity: the PuLP constraints (on `complete_values`), the plan builder and the checker say
  the same thing about every plan;
* objective: on every valid plan the PuLP objective, the Lagrangian scorer and the ejection
  Scorer (plus rotations) are equal, with and without a re-plan's extra term (`pair_value`);
* bounds: the best-case bound and the Lagrangian bound lie above the exact optimum, and every
  valid plan (the heuristics' too) lies below it.

Seeds are fixed: the test is deterministic.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pulp
import pytest

from conftest import write_dataset
from planning.check import check_plan
from planning.data.load import load_dataset
from planning.errors import DataError
from planning.model import lagrange
from planning.model.bounds import best_case_bound
from planning.model.build import build_model
from planning.model.diagnose import pin_conflicts
from planning.model.ejection import Scorer, eject_search
from planning.model.greedy import PlanBuilder, bundle_plan, greedy_plan
from planning.model.problem import PlanningProblem, build_problem
from planning.model.solve import SolveResult, solve_highs
from planning.model.values import chosen_pairs, complete_values, objective_of
from planning.pipeline import SolveInfo, extract_result, solve_plan, write_plan
from planning.policy import load_policy

YEAR = 2027
SEEDS = list(range(16))
TOPICS = ["Party history", "Law", "Economics", "Digital government", "Ecology"]
LEVELS = ["staff", "section", "deputy_section", "division"]
TOL = 1e-6  # between encodings: the same arithmetic
SOLVER_TOL = 1e-4  # against the solver's optimum (HiGHS holds its rows to 1e-6 or so)


# --------------------------------------------------------------------------- random instances
def _date(rng: random.Random, lo: str = "2027-02-01", hi: str = "2027-12-10") -> dt.date:
    a, b = dt.date.fromisoformat(lo).toordinal(), dt.date.fromisoformat(hi).toordinal()
    return dt.date.fromordinal(rng.randint(a, b))


def random_tables(rng: random.Random) -> tuple[dict, dict]:
    """A small county: 2–3 units, 5–10 cadres, 3–6 classes (some windowed, some sharing a topic,
    some with a minimum size or a cost), 0–2 rotation posts, history, busy periods, a blackout,
    maybe a budget and a must_not pin. Returns (tables for write_dataset, policy overrides)."""
    n_units = rng.randint(2, 3)
    units = [{"unit_id": f"U{k}", "district": "East",
              "max_absent_share": rng.choice(["", "", 0.34, 0.5])} for k in range(n_units)]
    cadres, history, busy = [], [], []
    for k in range(rng.randint(5, 10)):
        cid = f"C{k}"
        cadres.append({"cadre_id": cid, "unit_id": f"U{rng.randrange(n_units)}", "level": rng.choice(LEVELS),
                       "birth_year": rng.randint(1965, 2000), "is_reserve": rng.choice(["yes", "no", "no"]),
                       "is_key_post": rng.choice(["yes", "no", "no"]),
                       "promoted_on": rng.choice(["", "", "2026-06-01"]), "grassroots_years": rng.randint(0, 4)})
        for _ in range(rng.choice([0, 0, 1, 2])):  # no history: overdue
            y = rng.randint(2022, 2026)
            history.append({"cadre_id": cid, "year": y, "activity_id": f"H{len(history)}", "topic": rng.choice(TOPICS),
                            "kind": "class", "days": rng.randint(2, 10), "hours": rng.randint(16, 80)})
        if rng.random() < 0.3:
            s = _date(rng)
            busy.append({"cadre_id": cid, "start_date": s, "end_date": s + dt.timedelta(days=rng.randint(3, 20)),
                         "reason": "audit"})
    classes = []
    for k in range(rng.randint(3, 6)):
        days = rng.choice([3, 5, 6, 8, 10, 12])
        capacity = rng.randint(1, 4)
        row = {"class_id": f"K{k}", "title": f"Class {k}", "topic": rng.choice(TOPICS[:4]),
               "mode": rng.choice(["full_time", "full_time", "weekend"]), "days": days,
               "hours": days * rng.choice([6, 7, 8]), "capacity": capacity,
               "min_size": rng.choice(["", "", 2]) if capacity >= 2 else "",
               "levels": rng.choice(["", "", "staff; section", "division; deputy_section"]),
               "cost_per_trainee": rng.choice(["", 800, 2500])}
        if rng.random() < 0.35:
            s = _date(rng, "2027-02-01", "2027-09-01")
            row.update(start_date="", end_date="", window_start=s, window_end=s + dt.timedelta(days=rng.randint(30, 80)))
        else:
            s = _date(rng)
            span = days + 4 if row["mode"] == "full_time" else days * 4
            row.update(start_date=s, end_date=min(s + dt.timedelta(days=span), dt.date(2027, 12, 31)))
        classes.append(row)
    rotations = []
    for k in range(rng.choice([0, 1, 2])):
        s = _date(rng, "2027-02-01", "2027-08-01")
        rotations.append({"post_id": f"R{k}", "title": f"Post {k}", "direction": rng.choice(["grassroots", "higher_level"]),
                          "start_date": s, "end_date": s + dt.timedelta(days=rng.randint(30, 120)),
                          "slots": rng.randint(1, 2), "levels": ""})
    s = _date(rng)
    blackouts = [{"start_date": s, "end_date": s + dt.timedelta(days=rng.randint(2, 10)),
                  "scope": rng.choice(["region", "U0"]), "reason": "key work"}]
    pins = [{"cadre_id": rng.choice(cadres)["cadre_id"], "activity_id": rng.choice(classes)["class_id"],
             "rule": "must_not"}] if rng.random() < 0.4 else None
    tables = {"units": units, "cadres": cadres, "classes": classes, "rotations": rotations or None,
              "history": history or None, "busy": busy or None, "blackouts": blackouts, "pins": pins}
    policy = {"budget.total": rng.choice([None, None, 4000, 10000])}
    return tables, policy


def random_problem(tmp_path: Path, seed: int) -> PlanningProblem:
    rng = random.Random(seed)
    tables, policy = random_tables(rng)
    path = write_dataset(tmp_path, folder=f"data{seed}", **tables)
    ds = load_dataset(path, YEAR)
    prob = build_problem(ds, YEAR, load_policy(None, policy))
    assert not pin_conflicts(prob)
    if seed % 2:  # the extra linear term a re-plan adds (PlanningProblem.pair_value: changes cost)
        prob.pair_value = np.array([-rng.choice([0.0, 0.0, 5.0, 40.0]) for _ in range(prob.n_pairs)])
    return prob


# --------------------------------------------------------------------------- plans
def built_plan(prob: PlanningProblem, rng: random.Random, share: float) -> set[int]:
    """Pairs taken in random order wherever the plan builder says they fit; classes below their
    minimum size cancelled: a valid plan."""
    b = PlanBuilder(prob)
    for p in rng.sample(range(prob.n_pairs), prob.n_pairs):
        if rng.random() < share:
            b.try_take(p)
    b.cancel_small_classes()
    return b.plan()


def builder_valid(prob: PlanningProblem, chosen: set[int]) -> bool:
    """The plan builder's rules (fits, in any order: every rule is an upper limit) plus minimum sizes."""
    b = PlanBuilder(prob)
    for p in sorted(chosen):
        if not b.try_take(p):
            return False
    return all(not (0 < b.act_enrolled[a.activity_id] < a.min_size)
               for a in prob.activities.values() if a.kind == "class")


def mip_valid(m, vals: dict[str, float]) -> bool:
    """Every constraint of the PuLP model holds at `vals` (and every variable within its bounds)."""
    for v in m.lp.variables():
        v.varValue = vals.get(v.name, 0.0)
        if (v.lowBound is not None and v.varValue < v.lowBound - TOL) or \
                (v.upBound is not None and v.varValue > v.upBound + TOL):
            return False
    return all(c.valid(TOL) for c in m.lp.constraints.values())


def checker_valid(prob: PlanningProblem, chosen: set[int], folder: Path, objective: float) -> list[str]:
    """The independent checker's verdict on the plan written as the planner writes it."""
    res = SolveResult("feasible", objective, None, None, "highs", 0.0, None)
    result = extract_result(prob, chosen, res, SolveInfo(greedy_chosen=chosen), year=YEAR, label="random")
    write_plan(result, folder, check=False, year=YEAR)
    return check_plan(prob.data, folder, YEAR, prob.policy)


def scorer_objective(prob: PlanningProblem, chosen: set[int]) -> float:
    """The ejection search's per-cadre Scorer over every cadre, plus the rotations it leaves aside."""
    b = PlanBuilder(prob)
    for p in sorted(chosen):
        b.take(p)
    sc = Scorer(prob)
    classes: dict[int, list[int]] = {}
    for p in chosen:
        if prob.options[prob.pair_option[p]].kind == "class":
            classes.setdefault(int(prob.pair_cadre[p]), []).append(int(p))
    pol, f = prob.policy, prob.facts
    rotations = sum(pol["objective.rotation_filled"] + pol["objective.rotation_reserve_bonus"] * f["reserve"].iat[i]
                    + pol["objective.rotation_young_bonus"] * f["young"].iat[i]
                    for i in (int(prob.pair_cadre[p]) for p in chosen
                              if prob.options[prob.pair_option[p]].kind == "rotation"))
    if prob.pair_value is not None:  # the Scorer values class pairs only
        rotations += sum(prob.pair_value[p] for p in chosen if prob.options[prob.pair_option[p]].kind == "rotation")
    return sum(sc.value(b, i, classes.get(i, [])) for i in range(len(prob.cadre_ids))) + rotations


# --------------------------------------------------------------------------- the property
@pytest.mark.parametrize("seed", SEEDS)
def test_every_encoding_agrees(tmp_path, seed):
    prob = random_problem(tmp_path, seed)
    rng = random.Random(1000 + seed)
    m = build_model(prob)
    data = lagrange.prepare(prob)
    opt = solve_highs(m, time_limit=30, gap=0.0, threads=1, seed=1)
    assert opt.status == "optimal", opt.message
    best = chosen_pairs(m, opt.values)

    plans = {"optimum": best, "greedy": greedy_plan(prob), "bundle": bundle_plan(prob)}
    plans["ejection"] = eject_search(prob, plans["bundle"], deadline=float("inf"), passes=2)[0]
    lag = lagrange.relax(prob, iterations=80, target=-1e9)
    if lag.plan is not None:
        plans["prices"] = lag.plan
    for k in range(4):
        plans[f"built{k}"] = built_plan(prob, rng, rng.choice([0.3, 0.7, 1.0]))
        if prob.n_pairs:  # one pair more: at most one rule broken, often exactly one
            plans[f"plus{k}"] = plans[f"built{k}"] | {rng.randrange(prob.n_pairs)}
    for k in range(4):  # random sets of pairs: mostly breaking some rule
        plans[f"random{k}"] = {p for p in range(prob.n_pairs) if rng.random() < 0.3}
    if prob.n_pairs:
        plans["one_more"] = best | {rng.randrange(prob.n_pairs)}

    bound = best_case_bound(prob)
    assert opt.objective <= bound + SOLVER_TOL, "the best-case bound lies below the optimum"
    assert opt.objective <= lag.bound + SOLVER_TOL, "the Lagrangian bound lies below the optimum"
    valid_seen = 0
    for name, chosen in plans.items():
        vals = complete_values(m, chosen)
        obj = objective_of(m, vals)
        by_mip = mip_valid(m, vals)
        by_builder = builder_valid(prob, chosen)
        violations = checker_valid(prob, chosen, tmp_path / "plans" / name, obj)
        assert by_mip == by_builder == (violations == []), (name, by_mip, by_builder, violations)
        if not by_mip:
            assert not name.startswith(("optimum", "greedy", "bundle", "ejection", "prices", "built")), name
            continue
        valid_seen += 1
        core = lagrange.objective(data, lagrange.positions(data, chosen))
        assert core == pytest.approx(obj, abs=TOL), (name, "Lagrangian scorer vs PuLP objective")
        assert scorer_objective(prob, chosen) == pytest.approx(obj, abs=TOL), (name, "ejection Scorer vs PuLP")
        assert obj <= opt.objective + SOLVER_TOL, (name, "a valid plan above the exact optimum")
        assert obj <= bound + TOL and obj <= lag.bound + TOL, name
    assert objective_of(m, complete_values(m, best)) == pytest.approx(opt.objective, abs=SOLVER_TOL)

    # the solve step down both paths: its plan valid, below the optimum, its bound above it,
    # "optimal" exactly when the proven gap is within solver.gap
    for pairs in (10 ** 9, 0):
        pol = prob.policy.with_overrides({"search.full_mip_pairs": pairs, "lagrange.iterations": 40, "lagrange.master_rounds": 0})
        chosen, res, info = solve_plan(prob, pol)
        vals = complete_values(m, chosen)
        assert mip_valid(m, vals) and builder_valid(prob, chosen), pairs
        assert res.objective == pytest.approx(objective_of(m, vals), abs=SOLVER_TOL), pairs
        assert res.objective <= opt.objective + SOLVER_TOL <= res.best_bound + 2 * SOLVER_TOL, pairs
        assert (res.status == "optimal") == (res.gap is not None and res.gap <= pol["solver.gap"] + 1e-12), pairs
        assert info.greedy_objective <= res.objective + SOLVER_TOL
    assert valid_seen >= 8
    assert len(plans) - valid_seen >= 4, "too few invalid plans to compare the verdicts on"
