"""The neighbourhood sub-MIPs by whole units (planning/model/search.py, `search.rounds`): the
sub-problem keeps everyone else fixed, the search only improves, and its plans pass the
independent checker."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning.data.load import load_dataset
from planning.model import lagrange
from planning.model.core import core_of
from planning.model.greedy import greedy_plan
from planning.model.problem import build_problem
from planning.model.search import improve, restrict, unmet_mask
from planning.model.solve import SolveResult
from planning.pipeline import SolveInfo, extract_result, plan_policy, run_plan, write_plan

SMALL = Path(__file__).resolve().parents[1] / "data" / "small"
QUICK = {"search.full_mip_pairs": 0, "lagrange.iterations": 30, "lagrange.master_rounds": 0,
         "lagrange.date_sweeps": 1, "search.passes": 1, "lns.enabled": False, "solver.time_limit": 300}


@pytest.fixture(scope="module")
def small():
    pol = plan_policy(None).with_overrides(QUICK)
    return build_problem(load_dataset(SMALL, 2027), 2027, pol)


def _fixed_trainees(prob, plan, free) -> dict[str, int]:
    count: dict[str, int] = {}
    for p in plan:
        if not free[prob.pair_cadre[p]]:
            a = prob.options[prob.pair_option[p]].activity_id
            count[a] = count.get(a, 0) + 1
    return count


def test_restrict_frees_whole_units_and_keeps_the_rest_as_planned(small):
    prob = small
    start = greedy_plan(prob)
    units = np.asarray(prob.cadre_unit)
    free = units == sorted(set(prob.cadre_unit))[0]
    sub, keep = restrict(prob, free, start)
    assert sub.cadre_ids == [prob.cadre_ids[i] for i in np.flatnonzero(free)]
    assert len(keep) and all(free[prob.pair_cadre[p]] for p in keep)
    fixed = _fixed_trainees(prob, start, free)
    for aid, act in prob.activities.items():  # the seats the fixed cadres hold are taken
        assert sub.activities[aid].capacity == act.capacity - fixed.get(aid, 0), aid
    none, kept = restrict(prob, np.zeros(len(prob.cadre_ids), dtype=bool), start)
    assert none.n_pairs == 0 and len(kept) == 0


def test_unmet_cadres_are_those_short_of_the_requirement(small):
    prob = small
    core = core_of(prob)
    assert (unmet_mask(prob, set()) == core.has_req).all()  # nothing planned: everyone with a requirement
    start = greedy_plan(prob)
    unmet = unmet_mask(prob, start)
    for i in range(len(prob.cadre_ids)):
        days = sum(prob.options[prob.pair_option[p]].days for p in start
                   if prob.pair_cadre[p] == i and prob.options[prob.pair_option[p]].kind == "class")
        hours = sum(prob.options[prob.pair_option[p]].hours for p in start
                    if prob.pair_cadre[p] == i and prob.options[prob.pair_option[p]].kind == "class")
        assert unmet[i] == (not core.met(i, days, hours)), prob.cadre_ids[i]
    assert 0 < unmet.sum() < len(unmet)


def test_improve_makes_a_greedy_plan_better_and_valid(small, tmp_path):
    prob = small
    data = lagrange.prepare(prob)
    score = lambda pairs: lagrange.objective(data, lagrange.positions(data, pairs))  # noqa: E731
    start = greedy_plan(prob)
    best, log = improve(prob, start, rounds=1, size=40, seed=1, sub_time_limit=120, node_limit=500)
    assert log.rounds == 1 and log.improved >= 1
    assert score(best) > score(start) + 1.0
    # the plan it hands back passes the independent checker (write_plan runs it)
    res = SolveResult("feasible", score(best), None, None, "highs", 0.0, None)
    result = extract_result(prob, best, res, SolveInfo(greedy_chosen=start), year=2027, label="small")
    write_plan(result, tmp_path / "plan")
    assert len(pd.read_csv(tmp_path / "plan" / "plan.csv")) == len(best)


def test_search_rounds_in_the_recipe_never_lose(tmp_path):
    pol = plan_policy(None).with_overrides(QUICK)
    off = run_plan(SMALL, 2027, tmp_path / "off", policy=pol)
    on = run_plan(SMALL, 2027, tmp_path / "on",
                  policy=pol.with_overrides({"search.rounds": 1, "search.neighbourhood_cadres": 40}))
    assert off.summary["search_rounds"] == 0 and on.summary["search_rounds"] == 1
    assert "neighbourhood search" in on.summary["method"]
    assert on.summary["objective"] >= off.summary["objective"] - 1e-6


def test_ejection_gives_an_overdue_cadre_who_cannot_meet_the_requirement_one_class(tmp_path):
    """O is division level and overdue on the five-year cycle; no class can bring O to 550 hours
    this year, so no bundle meets O's requirement. The one class open to O (K1, one seat) is
    held by S, who could equally meet the requirement in K2. The search moves S to K2 and gives
    O K1: one class keeps O's five-year cycle (objective.overdue_any_class)."""
    from conftest import write_dataset
    from planning.model.ejection import eject_search

    fixed = {"days": 12, "hours": 90, "capacity": 1, "min_size": 0}
    data = write_dataset(
        tmp_path,
        units=[{"unit_id": "U1", "district": "East"}],
        cadres=[{"cadre_id": "O", "unit_id": "U1", "level": "division"},
                {"cadre_id": "S", "unit_id": "U1", "level": "staff"}],
        classes=[{"class_id": "K1", "levels": "division;staff", "topic": "Law", "start_date": "2027-03-08",
                  "end_date": "2027-03-23", **fixed},
                 {"class_id": "K2", "levels": "staff", "topic": "Economics", "start_date": "2027-09-06",
                  "end_date": "2027-09-21", **fixed}],
        history=[{"cadre_id": "O", "topic": "Economics", "kind": "class", "year": 2020, "hours": 90},
                 {"cadre_id": "S", "topic": "History", "kind": "class", "year": 2025, "hours": 90}],
        pins=None)
    pol = plan_policy(None).with_overrides(QUICK)
    prob = build_problem(load_dataset(data, 2027), 2027, pol)
    core = core_of(prob)
    o, s = prob.cadre_ids.index("O"), prob.cadre_ids.index("S")
    assert core.overdue[o] and not core.overdue[s]
    pair = {(prob.cadre_ids[int(prob.pair_cadre[p])], prob.options[prob.pair_option[p]].activity_id): int(p)
            for p in range(prob.n_pairs)}
    start = {pair[("S", "K1")]}
    best, moves = eject_search(prob, start, deadline=float("inf"), passes=1)
    assert moves == 1
    assert best == {pair[("O", "K1")], pair[("S", "K2")]}
    data_ = lagrange.prepare(prob)
    score = lambda pairs: lagrange.objective(data_, lagrange.positions(data_, pairs))  # noqa: E731
    assert score(best) > score(start) + 1.0


def test_plan_builder_keeps_its_full_days_and_full_classes_as_a_recount_would(small):
    """The builder's shortcuts (the days each unit has at its absence cap, the classes without a
    seat, `open_classes`) agree after every take and drop with the counts recounted from scratch,
    and `fits` answers as the rules written out here do."""
    from planning.model.greedy import PlanBuilder
    prob = small
    b = PlanBuilder(prob)
    opts, acts = prob.options, prob.activities
    by_cadre = prob.pairs_of_cadre()
    rng = np.random.default_rng(5)
    order = list(acts)

    def check():
        absent: dict[tuple[str, int], int] = {}
        for p in b.chosen:
            u = prob.cadre_unit[int(prob.pair_cadre[p])]
            for d in opts[prob.pair_option[p]].occ:
                absent[(u, d)] = absent.get((u, d), 0) + 1
        for u, cap in prob.unit_cap.items():
            assert b.full_days[u] == {d for (v, d), n in absent.items() if v == u and n >= cap}, u
        count = {a: sum(opts[prob.pair_option[p]].activity_id == a for p in b.chosen) for a in order}
        assert [bool(x) for x in b.act_full] == [count[a] >= acts[a].capacity for a in order]
        i = int(rng.integers(len(prob.cadre_ids)))
        want = [int(p) for p in by_cadre[i] if opts[prob.pair_option[p]].kind == "class"
                and count[opts[prob.pair_option[p]].activity_id] < acts[opts[prob.pair_option[p]].activity_id].capacity]
        assert b.open_classes(by_cadre[i]) == want
        for p in map(int, by_cadre[i]):  # fits, as the rules read (class pairs and rotations alike)
            j, o = int(prob.pair_cadre[p]), opts[prob.pair_option[p]]
            a = acts[o.activity_id]
            mine = [q for q in b.chosen if int(prob.pair_cadre[q]) == j]
            ok = p not in b.chosen and count[a.activity_id] < a.capacity
            ok = ok and not any(opts[prob.pair_option[q]].occ & o.occ for q in mine)
            ok = ok and not any(absent.get((prob.cadre_unit[j], d), 0) >= prob.unit_cap[prob.cadre_unit[j]] for d in o.occ)
            if o.kind == "class":
                ok = ok and b.act_option.get(a.activity_id, o.index) == o.index
                ok = ok and a.topic_key not in {acts[opts[prob.pair_option[q]].activity_id].topic_key for q in mine
                                                if opts[prob.pair_option[q]].kind == "class"}
            else:
                ok = ok and sum(opts[prob.pair_option[q]].kind == "rotation" for q in mine) < b.max_rot
            assert b.fits(p) == ok, (p, o.activity_id)

    taken = sorted(greedy_plan(prob))  # a full plan first (full classes, unit days at their cap), then moves
    for p in taken:
        b.take(p)
    seen_full = [False, False]  # a unit day at its cap, a class without a seat: the shortcuts were used
    dropped: list[int] = []
    for step in range(800):
        r = rng.random()
        if taken and r < 0.3:
            dropped.append(taken.pop(int(rng.integers(len(taken)))))
            b.drop(dropped[-1])
        else:  # a pair dropped before (it mostly fits again) or any pair
            p = dropped.pop(int(rng.integers(len(dropped)))) if dropped and r < 0.65 else int(rng.integers(prob.n_pairs))
            if b.try_take(p):
                taken.append(p)
        seen_full[0] = seen_full[0] or any(b.full_days.values())
        seen_full[1] = seen_full[1] or bool(b.act_full.any())
        if step % 40 == 0:
            check()
    assert len(taken) > 50 and seen_full == [True, True]
    check()
