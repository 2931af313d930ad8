"""The Lagrangian relaxation (planning/model/lagrange/): its per-cadre search is exact, its
objective is the PuLP model's, its bound lies above the exact MIP optimum, and the plans its
prices build keep every rule (the independent checker says so)."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from conftest import write_dataset
from planning.check import check_plan
from planning.data.generate import generate, write_dataset as write_generated
from planning.data.load import load_dataset
from planning.model import lagrange
from planning.model.lagrange.dates import activity_options
from planning.model.build import build_model
from planning.model.greedy import bundle_plan, greedy_plan
from planning.model.problem import build_problem
from planning.model.values import complete_values, objective_of
from planning.pipeline import extract, run_plan, write_plan, PlanResult, coverage_table
from planning.policy import load_policy

YEAR = 2027
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def windowed(tmp_path_factory):
    """A generated county of 120 cadres where every class has a window instead of dates."""
    path = tmp_path_factory.mktemp("windowed") / "data"
    write_generated(generate(120, year=YEAR, seed=5, windowed_share=1.0), path)
    return path


def _problem(path, **policy):
    return build_problem(load_dataset(path, YEAR), YEAR, load_policy(None, policy))


def _brute_force(data: lagrange.LagrangeData, i: int, price: np.ndarray) -> float:
    """Every subset of cadre i's pairs, checked rule by rule: the exact per-cadre optimum."""
    s, e = data.ptr[i], data.ptr[i + 1]
    best = -np.inf
    for r in range(0, min(e - s, 6) + 1):
        for subset in itertools.combinations(range(s, e), r):
            ok = sum(bool(data.rot[j]) for j in subset) <= data.max_rot
            for a, b in itertools.combinations(subset, 2):
                if data.overlap[data.opt[a], data.opt[b]] or (not data.rot[a] and not data.rot[b]
                                                              and data.topic[a] == data.topic[b]):
                    ok = False
            pinned = {data.act[j] for j in subset if data.pin[j]}
            if not ok or len(pinned) < data.c_npin[i]:
                continue
            x = np.zeros(len(price), dtype=bool)
            x[list(subset)] = True
            mask = np.zeros(len(price), dtype=bool)
            mask[s:e] = True
            # the cadre's own objective: the full objective restricted to this cadre
            v = _cadre_value(data, i, x) - float(price[list(subset)].sum()) if subset else _cadre_value(data, i, x)
            best = max(best, v)
    return best


def _cadre_value(data, i, x):
    s, e = data.ptr[i], data.ptr[i + 1]
    cls = x[s:e] & ~data.rot[s:e]
    D, H = float(data.days[s:e][cls].sum()), float(data.hours[s:e][cls].sum())
    v = lagrange._req_value(D, H, data.c_hasreq[i], data.c_byh[i], data.c_reqd[i], data.c_reqh[i], data.c_w[i],
                            data.w_met, data.w_short)
    if cls.any():
        v += data.c_any[i]
    return v + float((x[s:e] * data.reward[s:e]).sum())


def test_per_cadre_search_is_exact(windowed):
    """At random prices, the depth-first search finds what enumerating every subset finds (to
    within its stated tolerance), and the value it hands the bound is never below it."""
    prob = _problem(windowed)
    data = lagrange.prepare(prob)
    rng = np.random.default_rng(3)
    small = [i for i in range(data.n_cadres) if 0 < data.ptr[i + 1] - data.ptr[i] <= 14][:25]
    assert len(small) >= 10
    for scale in (0.0, 20.0, 200.0):
        price = rng.uniform(0, scale, len(data.opt)) + data.per_yuan * data.cost
        x, z, inexact = lagrange._solve(data, price, np.ones(len(price), dtype=bool))
        assert inexact == 0
        for i in small:
            exact = _brute_force(data, i, price)
            tol = lagrange.SEARCH_TOL * data.w_met * data.c_w[i] + 1e-6
            s, e = data.ptr[i], data.ptr[i + 1]
            found = _cadre_value(data, i, x) - float(price[s:e][x[s:e]].sum())
            # the set found is within the search tolerance of the best; the value used in the
            # bound is never below the best
            assert exact - tol <= found <= exact + 1e-6, (scale, i)
            assert exact - 1e-6 <= z[i] <= exact + tol, (scale, i)


def test_objective_is_the_models(windowed):
    for path in (windowed, ROOT / "data" / "small"):
        prob = _problem(path)
        data = lagrange.prepare(prob)
        m = build_model(prob)
        for chosen in (greedy_plan(prob), bundle_plan(prob)):
            assert lagrange.objective(data, lagrange.positions(data, chosen)) == pytest.approx(
                objective_of(m, complete_values(m, chosen)), abs=1e-6)


def test_bound_lies_above_the_exact_optimum(tmp_path):
    """Nine cadres, two small classes and a rotation: HiGHS proves the optimum; the Lagrangian
    bound is above it and, being each cadre's whole-bundle problem, below the best case."""
    from planning.model.bounds import best_case_bound

    full = {"days": 12, "hours": 90, "start_date": "2027-03-08", "end_date": "2027-03-23"}
    autumn = {"days": 12, "hours": 90, "start_date": "2027-09-06", "end_date": "2027-09-21"}
    data = write_dataset(tmp_path, units=[{"unit_id": f"U{k}", "district": "East"} for k in (1, 2, 3)], pins=None,
                         cadres=[{"cadre_id": f"A{k}", "unit_id": f"U{k % 3 + 1}", "level": "staff",
                                  "is_reserve": "yes" if k < 3 else "no"} for k in range(9)],
                         classes=[{"class_id": "K1", "capacity": 3, **full},
                                  {"class_id": "K2", "topic": "Law", "capacity": 2, **autumn}],
                         rotations=[{"post_id": "R1", "levels": "", "slots": 2, "direction": "grassroots",
                                     "start_date": "2027-05-01", "end_date": "2027-06-30"}])
    res = run_plan(data, YEAR, tmp_path / "plan")
    assert res.summary["status"] == "optimal"
    prob = build_problem(load_dataset(data, YEAR), YEAR, load_policy())
    lag = lagrange.relax(prob, iterations=200, target=-1e9)
    assert lag.bound >= res.summary["objective"] - 1e-6
    assert lag.bound <= best_case_bound(prob) + 1e-6
    # the steps started from the rotation posts' clearing prices (large rosters) prove a valid bound too
    started = lagrange.relax(prob, iterations=200, target=-1e9, rotation_start_cadres=0)
    assert res.summary["objective"] - 1e-6 <= started.bound <= best_case_bound(prob) + 1e-6


def test_rotation_start_prices_clear_the_slots(windowed):
    """Each rotation post with more eligible cadres than slots starts at the reward of its best
    cadre beyond the slots; classes start at 0."""
    from planning.model.lagrange.dual import rotation_prices

    data = lagrange.prepare(_problem(windowed))
    act_opts, _ = activity_options(data)
    lam = rotation_prices(data, act_opts)
    rot = np.flatnonzero(data.rot)
    priced = 0
    for o in sorted(set(data.opt[rot].tolist())):
        gains = sorted((data.reward[rot] - data.per_yuan * data.cost[rot])[data.opt[rot] == o].tolist(), reverse=True)
        cap = int(data.act_cap[data.opt_act[o]])
        assert lam[o] == pytest.approx(max(0.0, gains[cap]) if len(gains) > cap else 0.0)
        priced += lam[o] > 0
    assert priced > 0 and lam[~np.isin(np.arange(len(lam)), data.opt[rot])].sum() == 0


def test_bound_on_small_sample_is_close_and_valid():
    """data/small: the exact MIP's optimum lies below the Lagrangian bound, within 1 %."""
    res = run_plan(ROOT / "data" / "small", YEAR, None, time_limit=60)
    prob = build_problem(load_dataset(ROOT / "data" / "small", YEAR), YEAR, load_policy())
    lag = lagrange.relax(prob, iterations=300, target=res.summary["objective"])
    assert lag.bound >= res.summary["objective"] - 1e-6
    assert lag.bound <= res.summary["objective"] * 1.01


def test_price_built_plans_pass_the_checker(windowed, tmp_path):
    prob = _problem(windowed)
    lag = lagrange.relax(prob, iterations=60, target=-1e9)
    assert lag.plan is not None
    tables = extract(prob, lag.plan)
    cov = coverage_table(prob, tables["plan"])
    import pandas as pd

    result = PlanResult({"year": YEAR}, tables["plan"], tables["classes"], pd.DataFrame(columns=["cadre_id"]), cov,
                        prob.data, prob.policy)
    write_plan(result, tmp_path / "plan", check=False, year=YEAR)
    # every rule of the plan holds (the shortfall and summary are left out here, so their lines are not asked)
    assert [v for v in check_plan(prob.data, tmp_path / "plan", YEAR, prob.policy) if "shortfall" not in v and "summary.json" not in v] == []
    # windowed classes that run have one set of dates
    running = tables["classes"][tables["classes"]["status"] == "running"]
    assert running["windowed"].all() and len(running) > 0
    assert lag.plan_objective == pytest.approx(lagrange.objective(lagrange.prepare(prob),
                                                                  lagrange.positions(lagrange.prepare(prob), lag.plan)))


def test_relaxation_is_repeatable(windowed):
    prob = _problem(windowed)
    a = lagrange.relax(prob, iterations=40, target=0.0)
    b = lagrange.relax(prob, iterations=40, target=0.0)
    assert a.bound == b.bound and a.plan == b.plan and a.history == b.history


def test_must_pin_is_honoured_by_the_search(tmp_path):
    """A pin on the dearer class: the per-cadre search takes it even though another class is cheaper."""
    full = {"days": 12, "hours": 90, "start_date": "2027-03-08", "end_date": "2027-03-23"}
    autumn = {"days": 12, "hours": 90, "start_date": "2027-09-06", "end_date": "2027-09-21"}
    data = write_dataset(tmp_path, units=[{"unit_id": "U1", "district": "East"}], cadres=[{"cadre_id": "A"}],
                         classes=[{"class_id": "K1", **full, "cost_per_trainee": 100},
                                  {"class_id": "K2", "topic": "Law", **autumn, "cost_per_trainee": 9000}],
                         pins=[{"cadre_id": "A", "activity_id": "K2", "rule": "must"}])
    prob = build_problem(load_dataset(data, YEAR), YEAR, load_policy())
    d = lagrange.prepare(prob)
    x, z, _ = lagrange._solve(d, d.per_yuan * d.cost, np.ones(len(d.opt), dtype=bool))
    chosen = {prob.options[prob.pair_option[p]].activity_id for p in d.order[x]}
    assert chosen == {"K2"}
    res = run_plan(data, YEAR, tmp_path / "plan")
    assert set(res.plan["activity_id"]) == {"K2"}


def _joint_optimum(tmp_path, settings: dict):
    """A 30-cadre county, every class windowed, and HiGHS's proven optimum of its joint model
    (dates and attendance together) under the default policy with `settings`."""
    path = tmp_path / "data"
    write_generated(generate(30, year=YEAR, seed=3, windowed_share=1.0), path)
    pol = load_policy(None, {"search.full_mip_pairs": 10 ** 9, "solver.gap": 0.0, "solver.time_limit": 120,
                             **settings})
    res = run_plan(path, YEAR, tmp_path / "plan", policy=pol)
    assert res.summary["status"] == "optimal"
    return path, res


def test_master_rounds_tighten_the_bound_and_keep_it_valid(tmp_path):
    """A 30-cadre county, every class windowed: HiGHS solves the joint model (dates and
    attendance together) to optimality; the bound with master-LP rounds lies above that
    optimum and below the bound of the subgradient steps alone. The joint MIP runs first on
    two threads, the master LP after it on one: HiGHS's shared thread pool must not make the
    master fail."""
    path, res = _joint_optimum(tmp_path, {"solver.threads": 2})
    prob = _problem(path)
    plain = lagrange.relax(prob, iterations=200, target=-1e9)
    cg = lagrange.relax(prob, iterations=200, target=-1e9, master_rounds=8, master_after=40)
    assert cg.master_rounds >= 1
    assert cg.bound >= res.summary["objective"] - 1e-6
    assert cg.bound <= plain.bound + 1e-6


def test_master_pool_keeps_each_bundle_once(windowed):
    from planning.model.lagrange import master

    data = lagrange.prepare(_problem(windowed))
    pool = master.Pool(data)
    x = np.zeros(len(data.opt), dtype=np.bool_)
    x[data.ptr[0]] = x[data.ptr[1]] = True
    assert pool.add(x) == 2
    assert pool.add(x) == 0
    x[data.ptr[1]] = False
    assert pool.add(x) == 0 and len(pool) == 2


def test_master_rounds_are_repeatable(windowed):
    prob = _problem(windowed)
    a = lagrange.relax(prob, iterations=120, target=0.0, master_rounds=3, master_after=40)
    b = lagrange.relax(prob, iterations=120, target=0.0, master_rounds=3, master_after=40)
    assert a.bound == b.bound and a.plan == b.plan and a.history == b.history


def test_master_is_skipped_above_its_bundle_limit(windowed):
    """A master LP over more bundles than lagrange.master_max_bundles is not solved."""
    prob = _problem(windowed)
    capped = lagrange.relax(prob, iterations=120, target=0.0, master_rounds=3, master_after=40, master_max_bundles=0)
    free = lagrange.relax(prob, iterations=120, target=0.0, master_rounds=3, master_after=40)
    assert capped.master_rounds == 0 and free.master_rounds >= 1


def test_large_roster_master_keeps_the_bound_valid_and_repeats(tmp_path):
    """The large-roster master (lagrange.master_large_cadres: 2 steps, then the master LP with
    the unit days priced at the best prices, several prices tried per round) on a 30-cadre
    county, every class windowed, unit caps tight: its bound lies above the joint MIP's proven
    optimum, and two runs give the same bound, plan and steps."""
    path, res = _joint_optimum(tmp_path, {"absence.max_absent_share": 0.1})
    prob = _problem(path, **{"absence.max_absent_share": 0.1})
    kw = dict(iterations=120, target=-1e9, master_rounds=6, master_points=4, master_tol=0.0,
              master_large_cadres=0, rotation_start_cadres=0)
    a = lagrange.relax(prob, **kw)
    b = lagrange.relax(prob, **kw)
    assert a.master_rounds >= 1
    assert a.bound >= res.summary["objective"] - 1e-6
    assert a.bound == b.bound and a.plan == b.plan and a.history == b.history


def test_master_with_unit_days_priced_gives_a_value_below_its_bound(windowed):
    """Given μ, the master LP holds no unit-day rows: each bundle pays for its days at μ and
    the caps come back in the value (Σ cap · μ). With μ fixed, L at the master's prices can
    only lie above the master's value (weak duality); a value that left out the caps, or
    prices that dropped μ, would break it."""
    from planning.model.lagrange import master
    from planning.model.lagrange.construct import _Best
    from planning.model.lagrange.dual import _Dual

    prob = _problem(windowed, **{"absence.max_absent_share": 0.1})
    data = lagrange.prepare(prob)
    act_opts, multi = activity_options(data)
    state = _Dual(data, act_opts, multi)
    state.pool = master.Pool(data)
    state.run(5, 0.0, None, 10, None, _Best())
    mu = np.random.default_rng(1).uniform(0.0, 3.0, size=state.mu.shape)
    prices = master.solve_master(data, state.pool, act_opts, mu=mu)
    assert prices is not None and np.array_equal(prices.mu, mu)
    state.pool = None
    state.set_prices(prices.lam, prices.mu, prices.beta)
    state.reset_step()
    _, _, _, hist = state.run(1, 0.0, None, 1000, None, _Best())
    assert hist[0] >= prices.value - 1e-6 * abs(prices.value)


def test_date_descent_on_two_threads_makes_the_same_moves(windowed):
    """The date descent builds its trial plans several at a time (threads 2, 3) and judges them
    in order, rebuilding those a kept move made stale: the same moves, the same plan as the rule
    written out one trial at a time."""
    from planning.model.lagrange.construct import _Best
    from planning.model.lagrange.dates import _date_descent, _dates_by_demand

    data = lagrange.prepare(_problem(windowed))
    act_opts, multi = activity_options(data)
    assert len(multi) > 5
    for seed in range(4):
        rng = np.random.default_rng(seed)
        lam = rng.uniform(0, 40, len(data.opt_act))  # prices under which the dates matter
        price = lam[data.opt] + data.per_yuan * data.cost
        dates = _dates_by_demand(rng.uniform(0, 1, len(data.opt_act)), act_opts, multi, len(data.opt_act))
        start = lagrange.objective(data, lagrange.construct(data, price, None, dates))
        # the rule, one trial at a time: each class to each other date, kept when the plan improves
        ref, cur, ref_x = dates.copy(), start, None
        for _ in range(2):
            moved = 0
            for k in multi:
                o = act_opts[k]
                for alt in o:
                    if ref[alt]:
                        continue
                    trial = ref.copy()
                    trial[o] = False
                    trial[alt] = True
                    xp = lagrange.construct(data, price, None, trial)
                    v = lagrange.objective(data, xp) if xp is not None else -np.inf
                    if v > cur + 1e-9:
                        ref, cur, ref_x, moved = trial, v, xp, moved + 1
            if not moved:
                break
        assert cur > start + 1  # the descent moved classes: the rule is exercised
        for threads in (1, 2, 3):
            best = _Best()
            _date_descent(data, price, dates, act_opts, multi, best, sweeps=2, deadline=None, threads=threads)
            assert best.obj == cur and np.array_equal(best.x, ref_x), (seed, threads)


def test_large_roster_without_a_master_round_goes_on_with_its_steps(windowed, monkeypatch):
    """A large roster whose first master LP is refused (its pool above master_max_bundles, as at
    20,000 cadres): the rest of phase 1 goes on from the steps' own prices and step length, not
    back to the best prices with short steps (where the plans did not rise)."""
    from planning.model.lagrange import dual
    calls = []
    real = dual._Dual.run

    deadlines = []

    firsts = []

    def spy(self, steps, target, deadline, *a, **k):
        entry = (self.lam.copy(), self.theta)
        deadlines.append(deadline)
        firsts.append(k.get("first", 1))
        out = real(self, steps, target, deadline, *a, **k)
        calls.append((steps, entry, (self.lam.copy(), self.theta)))
        return out
    monkeypatch.setattr(dual._Dual, "run", spy)
    prob = _problem(windowed)
    t = dual.time.perf_counter()
    res = lagrange.relax(prob, iterations=120, target=0.0, master_rounds=3, master_large_cadres=0,
                         master_max_bundles=0, rotation_start_cadres=0, deadline=t + 1000,
                         master_deadline=t + 2000, solo_deadline=t + 3000)
    assert res.master_rounds == 0
    # until the master's deadline (when the pool steps run), then the later one of rosters without a master
    assert deadlines[1] < t + 2000 and deadlines[2] == t + 3000
    # the steps before the pool (none at large rosters), the pool's 2 steps, the rest of phase 1
    (_, _, _), (n2, _, (lam2, theta2)), (n3, (lam3, theta3), _) = calls[:3]
    assert n2 == 2 and n3 > 0
    assert theta3 == theta2 and np.array_equal(lam3, lam2)
    # every step is theirs: no dated phase (and no date descent) after them
    assert len(calls) == 3 and n3 == 120 - 2 and res.dated_bound is None
    # and so does the plan count: the rest of the steps is counted from step 3
    assert firsts[:3] == [1, 1, 3]


def test_plan_builds_are_counted_from_the_first_step_given(windowed, monkeypatch):
    """run(first=k): plans at the steps whose number counted from k is 1 + a multiple of
    heuristic_every, and at the last step."""
    from planning.model.lagrange import dual
    from planning.model.lagrange.construct import _Best
    prob = _problem(windowed)
    data = lagrange.prepare(prob)
    act_opts, multi = activity_options(data)
    solved = []
    real_solve = dual._solve
    monkeypatch.setattr(dual, "_solve", lambda *a: (solved.append(1), real_solve(*a))[1])
    for first, expected in ((1, [1, 11, 21, 25]), (3, [9, 19, 25])):
        state = dual._Dual(data, act_opts, multi)
        built_at = []
        real_build = state.build
        solved.clear()
        state.build = lambda price, options, best, *f: (built_at.append(len(solved)), real_build(price, options, best, *f))
        _, _, n, _ = state.run(25, 0.0, None, 10, None, _Best(), first=first)
        assert n == 25 and built_at == expected


def test_a_run_stopped_by_the_clock_builds_a_plan_at_its_last_prices(windowed, monkeypatch):
    """When the deadline stops the steps between two plan builds, the prices of the last step
    build one more plan (offered to the best); when the last step built one, none is added."""
    from planning.model.lagrange import dual
    from planning.model.lagrange.construct import _Best

    class Clock:  # one tick per call: the deadline falls after a known number of steps
        t = 0.0

        @classmethod
        def perf_counter(cls):
            cls.t += 1.0
            return cls.t
    monkeypatch.setattr(dual, "time", Clock)
    prob = _problem(windowed)
    data = lagrange.prepare(prob)
    act_opts, multi = activity_options(data)
    # the clock is read once a step from the 2nd on: past 4.5 at the 6th step's check, after 5 steps
    for every in (100, 4):
        state = dual._Dual(data, act_opts, multi)
        built = []
        real_build = state.build
        state.build = lambda price, options, best, *f: (built.append(price), real_build(price, options, best, *f))
        Clock.t = 0.0
        _, _, steps, _ = state.run(50, 0.0, 4.5, every, None, _Best())
        assert steps == 5
        # every 100: a plan at step 1 only, then one at the stop; every 4: plans at steps 1 and 5
        # (the last step), none added
        assert len(built) == 2 and built[-1] is state.last_price


def test_plans_are_built_less_often_on_rosters_of_many_pairs():
    from planning.pipeline import heuristic_interval
    pol = load_policy(None, {"lagrange.heuristic_every": 10, "lagrange.heuristic_pairs": 2_000_000})
    assert [heuristic_interval(pol, n) for n in (1_094_350, 2_000_000, 2_000_001, 12_858_312)] == [10, 10, 20, 70]


def test_flex_order_puts_the_least_flexible_value_first(windowed):
    """`flex_order`, recomputed from the problem itself: pinned cadres first, then what meeting
    the cadre is worth (weight × objective.met, plus the overdue bonus) per admissible class
    pair, highest first, ties in the priority order."""
    from planning.model.core import core_of
    prob = _problem(windowed)
    data = lagrange.prepare(prob)
    core = core_of(prob)
    n = len(prob.cadre_ids)
    is_class = np.array([o.kind == "class" for o in prob.options])
    n_cls = np.array([int(is_class[prob.pair_option[p]].sum()) for p in prob.pairs_of_cadre()])
    worth = (core.met_weight * core.weight * core.has_req + np.where(core.overdue, core.overdue_value, 0.0)) \
        / np.maximum(n_cls, 1)
    rank = np.empty(n, dtype=np.int64)
    rank[data.weight_order] = np.arange(n)
    expected = sorted(range(n), key=lambda i: (not data.pinned_cadres[i], -round(worth[i], 9), rank[i]))
    order = [int(i) for i in data.flex_order]
    assert order == expected
    assert len(set(np.round(worth, 9))) > 3 and order != [int(i) for i in data.weight_order]


def test_plans_from_prices_are_built_in_both_orders_and_the_best_kept(windowed, monkeypatch):
    """Every plan build constructs in the priority order and in `flex_order` (as many of each);
    the Lagrangian returns the best plan offered."""
    from planning.model.lagrange import dual
    real = dual.construct
    made = []

    def spy(data, price, order=None, options=None):
        x = real(data, price, order, options)
        made.append((order is data.flex_order, None if x is None else lagrange.objective(data, x)))
        return x
    monkeypatch.setattr(dual, "construct", spy)
    prob = _problem(windowed)
    data = lagrange.prepare(prob)
    res = lagrange.relax(prob, iterations=30, target=0.0, data=data, date_sweeps=0)
    flex = [v for f, v in made if f and v is not None]
    plain = [v for f, v in made if not f and v is not None]
    assert len(flex) == len(plain) > 0
    assert res.plan_objective == pytest.approx(max(flex + plain))
    # the master rounds' price points build in the priority order only
    from planning.model.lagrange.construct import _Best
    made.clear()
    state = dual._Dual(data, *activity_options(data))
    state.run(3, 0.0, None, 2, None, _Best(), flex=False)
    assert made and not any(f for f, _ in made)


def _plan_violations(prob, chosen, out):
    """check_plan's findings on a plan given as pair ids (shortfall and summary lines aside)."""
    import pandas as pd

    tables = extract(prob, chosen)
    cov = coverage_table(prob, tables["plan"])
    result = PlanResult({"year": YEAR}, tables["plan"], tables["classes"], pd.DataFrame(columns=["cadre_id"]), cov,
                        prob.data, prob.policy)
    write_plan(result, out, check=False, year=YEAR)
    return [v for v in check_plan(prob.data, out, YEAR, prob.policy) if "shortfall" not in v and "summary.json" not in v]


def test_seat_repair_moves_the_trainee_who_has_another_class(tmp_path):
    """One seat in K1 and one in K2 (division cadres only). The division cadre holds the K1 seat
    and the section cadre, for whom only K1 is open, has nothing: the repair gives the division
    cadre K2 (more hours towards the division's requirement), then moves them out of K1 for the
    section cadre, who meets the requirement with it."""
    spring = {"days": 12, "hours": 90, "start_date": "2027-03-08", "end_date": "2027-03-23", "capacity": 1}
    autumn = {"days": 12, "hours": 90, "start_date": "2027-09-06", "end_date": "2027-09-21", "capacity": 1}
    path = write_dataset(tmp_path, units=[{"unit_id": "U1", "max_absent_share": 1.0}],  # both may be away at once
                         cadres=[{"cadre_id": "D", "level": "division", "birth_year": 1970},
                                 {"cadre_id": "S", "level": "section"}],
                         classes=[{"class_id": "K1", **spring}, {"class_id": "K2", "topic": "Law", "levels": "division",
                                                                  **autumn}],
                         pins=None, history=None, busy=None)
    prob = _problem(path)
    data = lagrange.prepare(prob)
    act = {prob.options[prob.pair_option[p]].activity_id: int(pos) for pos, p in enumerate(data.order)
           if prob.cadre_ids[prob.pair_cadre[p]] == "D"}
    x = np.zeros(len(data.order), dtype=bool)
    x[act["K1"]] = True  # D in K1, S in nothing
    y, moves, gain = lagrange.repair(data, x, passes=2)
    held = {(prob.cadre_ids[prob.pair_cadre[p]], prob.options[prob.pair_option[p]].activity_id) for p in data.order[y]}
    assert held == {("D", "K2"), ("S", "K1")}
    assert moves == 2 and gain > 0
    assert lagrange.objective(data, y) == pytest.approx(lagrange.objective(data, x) + gain)
    assert x.sum() == 1 and x[act["K1"]]  # the plan given is not changed


def test_seat_repair_keeps_every_rule_and_adds_what_it_says(windowed, tmp_path):
    """On the windowed county, the plan built at cost prices: the repair makes moves, the plan
    after them passes the checker (seats, dates, unit caps, minimum sizes, budget, topics), its
    objective is the plan's plus the gain reported, and a second run makes the same plan."""
    prob = _problem(windowed)
    data = lagrange.prepare(prob)
    x = lagrange.construct(data, data.per_yuan * data.cost)
    y, moves, gain = lagrange.repair(data, x, passes=3)
    assert moves > 0 and gain > 0
    assert lagrange.objective(data, y) == pytest.approx(lagrange.objective(data, x) + gain, abs=1e-6)
    assert _plan_violations(prob, {int(p) for p in data.order[y]}, tmp_path / "plan") == []
    y2, moves2, gain2 = lagrange.repair(data, x, passes=3)
    assert (y2 == y).all() and moves2 == moves and gain2 == gain


def test_cadre_values_sum_to_the_objective(windowed):
    """The per-cadre value the repair and the re-choice compare is the objective, cadre by cadre."""
    from planning.model.lagrange.construct import cadre_value
    prob = _problem(windowed)
    data = lagrange.prepare(prob)
    x = lagrange.construct(data, data.per_yuan * data.cost)
    cost_price = data.per_yuan * data.cost
    total = sum(cadre_value(data.arrays, i, x, cost_price) for i in range(data.n_cadres))
    assert total == pytest.approx(lagrange.objective(data, x), abs=1e-6)


def test_relaxation_repairs_its_best_plan(windowed):
    """`repair_passes` repairs the prices' best plan: the result reports the moves and the gain,
    and its plan is the plan without repair plus that gain."""
    prob = _problem(windowed)
    plain = lagrange.relax(prob, iterations=30, target=0.0, date_sweeps=0)
    fixed = lagrange.relax(prob, iterations=30, target=0.0, date_sweeps=0, repair_passes=3)
    assert plain.repair_moves == 0 and fixed.repair_moves > 0
    assert fixed.plan_objective == pytest.approx(plain.plan_objective + fixed.repair_gain)
    assert fixed.repair_gain > 0 and fixed.bound == plain.bound


def test_seat_repair_chains_through_a_second_full_class(tmp_path):
    """S can take only K1 (busy in May and September), A holds K1 and can take K2 too (busy in
    May), B holds K2 and can take K3 (May), which is empty. No trainee of K1 can simply move (K2
    is full too): without chains the repair leaves S out; with them A moves to K2 and B to K3."""
    def cls(cid, topic, start, end):
        return {"class_id": cid, "topic": topic, "days": 12, "hours": 90, "start_date": start, "end_date": end,
                "capacity": 1}
    path = write_dataset(tmp_path, units=[{"unit_id": "U1", "max_absent_share": 1.0}],
                         cadres=[{"cadre_id": c} for c in ("S", "A", "B")],
                         classes=[cls("K1", "Party history", "2027-03-08", "2027-03-23"),
                                  cls("K2", "Law", "2027-09-06", "2027-09-21"),
                                  cls("K3", "Economics", "2027-05-10", "2027-05-25")],
                         busy=[{"cadre_id": "S", "start_date": "2027-05-01", "end_date": "2027-05-31"},
                               {"cadre_id": "S", "start_date": "2027-09-01", "end_date": "2027-09-30"},
                               {"cadre_id": "A", "start_date": "2027-05-01", "end_date": "2027-05-31"}],
                         pins=None, history=None)
    prob = _problem(path)
    data = lagrange.prepare(prob)
    pos = {(prob.cadre_ids[prob.pair_cadre[p]], prob.options[prob.pair_option[p]].activity_id): k
           for k, p in enumerate(data.order)}
    x = np.zeros(len(data.order), dtype=bool)
    x[[pos["A", "K1"], pos["B", "K2"]]] = True

    def held(y):
        return {k for k, v in pos.items() if y[v]}
    y, moves, gain = lagrange.repair(data, x, passes=2, tries=0)
    assert held(y) == {("A", "K1"), ("B", "K2")} and moves == 0
    y, moves, gain = lagrange.repair(data, x, passes=2, tries=1)
    assert held(y) == {("S", "K1"), ("A", "K2"), ("B", "K3")} and moves == 1
    assert lagrange.objective(data, y) == pytest.approx(lagrange.objective(data, x) + gain) and gain > 0
