"""The adversarial generator profile and the large-neighbourhood search (planning/model/lns.py)."""
from __future__ import annotations

from planning.data.generate import generate


def test_adversarial_profile_is_hard_and_standard_unchanged():
    adv = generate(120, seed=3, profile="adversarial")
    std = generate(120, seed=3)
    assert (adv["classes"]["window_start"] != "").all()  # every class windowed
    assert (adv["classes"]["start_date"] == "").all()
    busy = adv["busy"]
    assert len(busy["cadre_id"].unique()) > 2 * len(std["busy"]["cadre_id"].unique())
    assert busy["start_date"].str[5:7].isin(["03", "04", "05"]).all()  # busy springs
    # the standard profile is the default, byte for byte
    again = generate(120, seed=3, profile="standard")
    for name, frame in std.items():
        assert frame.equals(again[name]), name


# --------------------------------------------------------------------------- the large-neighbourhood search
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from planning.check import check_plan  # noqa: E402
from planning.data.load import load_dataset  # noqa: E402
from planning.model import lagrange  # noqa: E402
from planning.model.greedy import greedy_plan  # noqa: E402
from planning.model.lns import lns  # noqa: E402

SMALL = Path(__file__).resolve().parents[1] / "data" / "small"
from planning.model.problem import build_problem  # noqa: E402
from planning.pipeline import extract_result, plan_policy, run_plan, write_plan  # noqa: E402

QUICK = {"search.full_mip_pairs": 0, "lagrange.iterations": 30, "lagrange.master_rounds": 0,
         "lagrange.date_sweeps": 1, "search.passes": 1, "lns.max_neighbourhoods": 3, "lns.max_pairs": 600,
         "lns.district_max_pairs": 600, "solver.time_limit": 300}


def _policy(**more):
    return plan_policy(None).with_overrides({**QUICK, **more})


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory):
    from planning.data.generate import write_dataset

    folder = tmp_path_factory.mktemp("adv") / "data"
    write_dataset(generate(90, seed=5, profile="adversarial"), folder)
    return folder


def test_lns_is_repeatable_checked_and_never_worse(adversarial, tmp_path):
    off = run_plan(adversarial, 2027, tmp_path / "off", policy=_policy(**{"lns.enabled": False}))
    a = run_plan(adversarial, 2027, tmp_path / "a", policy=_policy())
    b = run_plan(adversarial, 2027, tmp_path / "b", policy=_policy(), check=False)
    # written only after the independent checker passed; checked again here on the files
    for r in (off, a):
        assert check_plan(r.data, r.out_dir, 2027, r.policy) == []
    assert (tmp_path / "a" / "plan.csv").read_bytes() == (tmp_path / "b" / "plan.csv").read_bytes()
    assert a.summary["objective"] >= off.summary["objective"] - 1e-6
    lay = a.summary["layers"]
    assert {"construction", "lagrange", "search", "bound"} <= set(lay)
    assert set(a.summary["layer_seconds"]) == set(lay) and all(v >= 0 for v in a.summary["layer_seconds"].values())
    assert off.summary["gap"] > a.policy["solver.gap"]  # the instance leaves a gap for the search
    assert lay["lns"]["neighbourhoods"] == 3 and a.summary["lns_stop"] == "count"
    assert lay["lns"]["objective_gain"] == pytest.approx(a.summary["objective"] - off.summary["objective"], abs=1e-4)
    assert "lns" not in off.summary["layers"] and off.summary["lns_stop"] is None


def test_lns_improves_a_greedy_plan_into_a_valid_one(tmp_path):
    pol = _policy()
    ds = load_dataset(SMALL, 2027)
    prob = build_problem(ds, 2027, pol)
    data = lagrange.prepare(prob)
    score = lambda pairs: lagrange.objective(data, lagrange.positions(data, pairs))  # noqa: E731
    start = greedy_plan(prob)
    best, log = lns(prob, start, score, bound=None, gap=0.0, deadline=time.perf_counter() + 600, seed=1,
                    max_pairs=400, node_limit=50, sub_time_limit=300, max_neighbourhoods=5)
    assert log.neighbourhoods == 5 and log.stop == "count"
    assert log.improved >= 1 and score(best) == pytest.approx(score(start) + log.gain)
    # the plan it hands back passes the independent checker
    from planning.model.solve import SolveResult
    from planning.pipeline import SolveInfo

    res = SolveResult("feasible", score(best), None, None, "highs", 0.0, None)
    result = extract_result(prob, best, res, SolveInfo(greedy_chosen=start), year=2027, label="small")
    write_plan(result, tmp_path / "plan")
    assert len(pd.read_csv(tmp_path / "plan" / "plan.csv")) == len(best)


def test_a_district_gets_its_own_pair_budget(monkeypatch):
    """lns.district_max_pairs: a district's sub-problem is cut to its own pair budget, every other
    kind to lns.max_pairs."""
    import planning.model.lns as L

    pol = _policy()
    prob = build_problem(load_dataset(SMALL, 2027), 2027, pol)
    data = lagrange.prepare(prob)
    score = lambda pairs: lagrange.objective(data, lagrange.positions(data, pairs))  # noqa: E731
    seen = []
    real = L.sub_problem

    def spy(prob_, nb, inc, prepared, max_pairs):
        seen.append((nb.kind, max_pairs))
        return real(prob_, nb, inc, prepared, max_pairs)

    monkeypatch.setattr(L, "sub_problem", spy)
    L.lns(prob, greedy_plan(prob), score, bound=None, gap=0.0, deadline=time.perf_counter() + 600, seed=1,
          max_pairs=400, node_limit=1, sub_time_limit=300, max_neighbourhoods=12, kind_max_pairs={"district": 150})
    kinds = {k for k, _ in seen}
    assert "district" in kinds and kinds - {"district"}
    assert all(mp == (150 if k == "district" else 400) for k, mp in seen)


def test_the_sub_gap_tightens_after_a_run_without_a_gain(monkeypatch):
    """lns.tighten_after: the sub-MIPs start at lns.sub_gap; after that many sub-MIPs in a row
    without a gain their gap is divided by 3 (never below 1e-4), and only then; 0 never tightens."""
    import planning.model.lns as L

    prob = build_problem(load_dataset(SMALL, 2027), 2027, _policy())
    data = lagrange.prepare(prob)
    score = lambda pairs: lagrange.objective(data, lagrange.positions(data, pairs))  # noqa: E731
    real_solve, real_log = L.solve_highs, L.LnsLog
    for after in (0, 2):
        logs, calls = [], []  # calls: (the gap given, the gains so far)
        monkeypatch.setattr(L, "LnsLog", lambda: logs.append(real_log()) or logs[-1])
        monkeypatch.setattr(L, "solve_highs", lambda m, **kw: calls.append((kw["gap"], logs[-1].improved))
                            or real_solve(m, **kw))
        _, log = L.lns(prob, greedy_plan(prob), score, bound=None, gap=0.0, deadline=time.perf_counter() + 600,
                       seed=1, max_pairs=400, node_limit=1, sub_time_limit=300, max_neighbourhoods=14, sub_gap=0.01,
                       tighten_after=after)
        assert len(calls) == log.neighbourhoods == 14
        if not after:
            assert {g for g, _ in calls} == {0.01} and log.sub_gap == 0.01
            continue
        # the rule replayed from the gains: a sub-MIP with a gain ends a dry run
        gained = [b > a for (_, a), (_, b) in zip(calls, calls[1:] + [(0, log.improved)])]
        gap, dry = 0.01, 0
        for (given, _), won in zip(calls, gained):
            assert given == pytest.approx(gap)
            dry += 1
            if dry >= after:
                gap, dry = max(1e-4, gap / 3), 0
            if won:
                dry = 0
        assert log.sub_gap == pytest.approx(gap) and gap < 0.01  # the run held dry stretches: the rule was exercised


def test_an_expired_deadline_runs_no_neighbourhood():
    pol = _policy()
    prob = build_problem(load_dataset(SMALL, 2027), 2027, pol)
    data = lagrange.prepare(prob)
    score = lambda pairs: lagrange.objective(data, lagrange.positions(data, pairs))  # noqa: E731
    start = greedy_plan(prob)
    best, log = lns(prob, start, score, bound=None, gap=0.0, deadline=time.perf_counter() - 1, seed=1,
                    max_pairs=1500, node_limit=100, sub_time_limit=300)
    assert best == start and log.neighbourhoods == 0 and log.stop == "time"


def test_no_bundle_heuristic_above_its_pair_limit(adversarial, tmp_path, monkeypatch):
    """search.bundle_max_pairs: above it the bundle heuristic is not run (20,000 cadres spent most
    of their time limit on it); the plan still passes the checker and beats the greedy baseline."""
    import planning.pipeline as pipeline

    def refuse(prob):
        raise AssertionError("the bundle heuristic ran")

    monkeypatch.setattr(pipeline, "bundle_plan", refuse)
    r = run_plan(adversarial, 2027, tmp_path / "nb", policy=_policy(**{"search.bundle_max_pairs": 0}))
    assert check_plan(r.data, r.out_dir, 2027, r.policy) == []
    assert r.summary["start_origin"] != "bundle heuristic"
    assert r.summary["objective"] >= r.summary["greedy_objective"] - 1e-6


# --------------------------------------------------------------------------- the exact path (small instances)
EXACT = {**QUICK, "search.full_mip_pairs": 10**9}


def test_exact_path_still_proves_tiny_instances_optimal(tmp_path):
    """lns.exact_mip_share: on a tiny county the exact MIP still proves its plan optimal within its
    share, the search does not run, and the plan is the MIP-only plan's (lns.exact_mip_share 1)."""
    a = run_plan(SMALL, 2027, tmp_path / "a", policy=_policy(**EXACT))
    b = run_plan(SMALL, 2027, tmp_path / "b", policy=_policy(**EXACT, **{"lns.exact_mip_share": 1.0}))
    assert a.summary["status"] == "optimal" and "lns" not in a.summary["layers"] and a.summary["lns_stop"] is None
    assert "mip" in a.summary["layers"]
    assert a.summary["objective"] == pytest.approx(b.summary["objective"], abs=1e-6)
    assert check_plan(a.data, a.out_dir, 2027, a.policy) == []


def test_exact_path_stopped_unproven_hands_over_to_the_search(adversarial, tmp_path, monkeypatch):
    """An exact MIP stopped unproven at its share (here: stubbed to hand back its start plan with
    the Lagrangian bound) is followed by the large-neighbourhood search from its plan: repeatable,
    checked, never below the MIP's plan."""
    import planning.pipeline as pipeline
    from planning.model.solve import SolveResult

    def stalled(m, start, lag, policy, *, time_limit, **kw):
        assert time_limit <= 0.3 * policy["solver.time_limit"] + 5.0  # its share of the time left
        from planning.model.values import complete_values, objective_of

        vals = complete_values(m, start)
        obj = objective_of(m, vals)
        return SolveResult("feasible", obj, lag.bound, (lag.bound - obj) / obj, "highs", 1.0, vals, "Time limit reached")

    monkeypatch.setattr(pipeline, "_exact_mip", stalled)
    pol = _policy(**EXACT, **{"lns.exact_mip_share": 0.3})
    a = run_plan(adversarial, 2027, tmp_path / "a", policy=pol)
    b = run_plan(adversarial, 2027, tmp_path / "b", policy=pol, check=False)
    assert check_plan(a.data, a.out_dir, 2027, a.policy) == []
    assert (tmp_path / "a" / "plan.csv").read_bytes() == (tmp_path / "b" / "plan.csv").read_bytes()
    lay = a.summary["layers"]
    assert lay["lns"]["neighbourhoods"] == 3 and a.summary["lns_stop"] == "count"
    assert a.summary["objective"] >= lay["mip"]["objective"] - 1e-6
    assert a.summary["objective"] == pytest.approx(lay["mip"]["objective"] + lay["lns"]["objective_gain"], abs=1e-4)
