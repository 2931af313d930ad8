"""The recipe every caller uses (CLI, notebooks, batch, compare, what-if, tests), one named
step each, read top to bottom in `_recipe`:

    load (and validate) → apply the scenario → keep the district → build the problem → solve
    → extract the tables → write (checked by the independent checker before it is in place)

`solve_plan` is the solve step: greedy and bundle plans, Lagrangian prices, the ejection
search, and the exact MIP where the instance is small enough; it returns the chosen pairs,
the solver's `SolveResult` and a `SolveInfo` (how the plan was found; summary.json reports it).
Whether a plan is "optimal" is decided in one place, `planning.model.solve.plan_status`.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from planning.check import check_plan
from planning.data.load import Dataset, load_dataset
from planning.errors import DataError, InfeasiblePlan, PlanningError, Problem
from planning.io import atomic_dir, check_output_target, hold_output, num, write_csv, write_json
from planning.model import lagrange
from planning.model.bounds import best_case_bound
from planning.model.build import build_model
from planning.model.core import core_of, requirement_met
from planning.model.diagnose import elastic_diagnosis, pin_conflicts
from planning.model.ejection import eject_search
from planning.messages import join_reasons
from planning.model.explain import explain_shortfall
from planning.model.greedy import bundle_plan, greedy_plan
from planning.model.lns import lns
from planning.model.problem import PlanningProblem, build_problem
from planning.model.rules import Model
from planning.model.search import improve
from planning.model.solve import SOLVERS, SolveResult, plan_status, stop_reason
from planning.model.values import chosen_pairs, complete_values
from planning.model.warm import warm_pairs, warm_plan
from planning.policy import Policy, load_policy
from planning.scenarios import Scenario, apply_scenario, load_scenario

GROUPS = ("overdue", "reserve", "young", "newly_promoted", "key_post")
LEVEL_ORDER = ("division", "section", "deputy_section", "staff")


@dataclass
class SolveInfo:
    """How the solve step found its plan (beside the solver's SolveResult); summary.json reports it.

    Reads like the old dict too (``info["method"]``, ``info.get(...)``, ``info.update(...)``) so
    that callers written against it keep working; keys it does not know go to `extra`."""

    build_seconds: float = 0.0  # building the PuLP model (0 on large instances: none is built)
    variables: int = 0  # of the MIP; the admissible pairs when no MIP is built
    constraints: int | None = None
    greedy_chosen: set[int] = field(default_factory=set)  # the greedy baseline's pairs
    greedy_objective: float = 0.0
    start_origin: str = "greedy baseline"  # which construction the search started from
    start_objective: float = 0.0  # the best constructed plan's objective (greedy, bundle, prices), before the search
    used_greedy: bool = False  # the plan kept is the greedy baseline's
    method: str = "heuristics + Lagrangian prices + ejection search + exact MIP"
    lagrange_bound: float | None = None
    lagrange_iterations: int | None = None
    lagrange_plan_objective: float | None = None
    lagrange_dated_bound: float | None = None
    lagrange_seconds: float | None = None
    lagrange_inexact: int | None = None  # cadres whose search hit its node limit (their best case counted)
    lagrange_master_rounds: int | None = None  # column-generation rounds solved
    lagrange_repair_moves: int | None = None  # seat-repair moves kept on the prices' best plan
    lagrange_repair_gain: float | None = None  # the objective they added
    ejection_moves: int = 0
    search_rounds: int = 0
    search_improvements: int = 0
    search_seconds: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        if key in _INFO_FIELDS:
            return getattr(self, key)
        return self.extra[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key in _INFO_FIELDS:
            setattr(self, key, value)
        else:
            self.extra[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def update(self, values: dict[str, Any] | None = None, **more: Any) -> None:
        for k, v in {**(values or {}), **more}.items():
            self[k] = v


_INFO_FIELDS = frozenset(f.name for f in fields(SolveInfo)) - {"extra"}


@dataclass
class PlanResult:
    """A finished plan: the contract's tables as frames, the summary, and what made them."""

    summary: dict[str, Any]
    plan: pd.DataFrame
    classes: pd.DataFrame
    shortfall: pd.DataFrame
    coverage: pd.DataFrame
    data: Dataset
    policy: Policy
    problem: PlanningProblem | None = None
    out_dir: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    info: SolveInfo | None = None

    @property
    def status(self) -> str:
        return self.summary["status"]


# --------------------------------------------------------------------------- the recipe
def run_plan(data: str | Path | Dataset, year: int, out: str | Path | None = None, *,
             policy: Policy | str | Path | None = None, solver: str | None = None, time_limit: float | None = None,
             gap: float | None = None, district: str | None = None, scenario: Scenario | str | Path | None = None,
             check: bool = True, msg: bool = False, warm: Any = None) -> PlanResult:
    """Plan the year (the recipe in `_recipe`) and, with `out`, write the checked plan folder.

    `warm`: a plan to start the search from (a plan DataFrame, a PlanResult, a plan folder; see
    `solve_plan`).

    `scenario`: a Scenario, or a scenario file (a Path, or a str ending in .yaml/.yml), applied
    to the data and policy inside the recipe; any other str only names the run (its data and
    policy are the scenario's already, as in a budget sweep). Raises DataError (bad input,
    nothing written), ScenarioError, InfeasiblePlan (hard rules in conflict; only summary.json
    is written to `out`), PlanningError (the plan failed its check)."""
    if out is None:
        return _recipe(data, year, None, policy=policy, solver=solver, time_limit=time_limit, gap=gap,
                       district=district, scenario=scenario, check=check, msg=msg, warm=warm)
    # the output is checked and held before any work: a refused --out costs nothing, a second
    # run on the same folder stops at once instead of after its solve
    target = check_output_target(out, [data, policy, _scenario_file(scenario)], kind="plan")
    with hold_output(target):
        return _recipe(data, year, target, policy=policy, solver=solver, time_limit=time_limit, gap=gap,
                       district=district, scenario=scenario, check=check, msg=msg, warm=warm)


def _recipe(data, year, out, *, policy, solver, time_limit, gap, district, scenario, check, msg,
            warm=None) -> PlanResult:
    timings: dict[str, float] = {}
    t_start = time.perf_counter()  # the time limit bounds the whole recipe: loading, checking and writing too
    with _timed(timings, "load"):
        pol = plan_policy(policy, solver=solver, time_limit=time_limit, gap=gap)
        ds = load_data(data, year)
        label = ds.source
        scenario = scenario_of(scenario)
        if isinstance(scenario, Scenario) and scenario.needs_baseline:
            # budget.share_of_baseline: plan the baseline (same data, policy, district) to learn its cost
            base = _recipe(ds, year, None, policy=pol, solver=None, time_limit=None, gap=None, district=district,
                           scenario=None, check=False, msg=msg)
            scenario = scenario.with_baseline_cost(float(base.summary.get("cost") or 0))
            t_start = time.perf_counter()  # the scenario's own plan gets the whole time limit
        ds, pol, name = with_scenario(ds, pol, scenario, year)
        ds = filter_district(ds, district)
    with _timed(timings, "problem"):
        prob = build_problem(ds, year, pol)
    try:
        chosen, res, info = solve_plan(prob, pol, msg=msg, warm=warm,
                                       deadline=t_start + float(pol["solver.time_limit"])
                                       - reserve_seconds(prob, pol, timings["load"] + timings["problem"]))
    except InfeasiblePlan as e:
        if out is not None:
            write_infeasible(out, e, pol, year, label, len(ds.cadres))
        raise
    timings["build"], timings["solve"] = info.build_seconds, res.solve_seconds
    with _timed(timings, "extract"):
        result = extract_result(prob, chosen, res, info, year=year, label=label, district=district, scenario=name)
    result.timings = timings
    if out is not None:
        result.out_dir = write_plan(result, out, check=check, year=year)
    return result


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    t = time.perf_counter()
    yield
    timings[step] = time.perf_counter() - t


# --------------------------------------------------------------------------- the steps before the solve
def resolve_policy(policy: Policy | str | Path | None, overrides: dict[str, Any] | None = None) -> Policy:
    if isinstance(policy, Policy):
        return policy.with_overrides(overrides) if overrides else policy
    return load_policy(policy, overrides)


def plan_policy(policy: Policy | str | Path | None, *, solver: str | None = None, time_limit: float | None = None,
                gap: float | None = None) -> Policy:
    """The policy in force: defaults, the policy file (or Policy), then the caller's solver settings."""
    overrides = {k: v for k, v in {"solver.name": solver, "solver.time_limit": time_limit, "solver.gap": gap}.items()
                 if v is not None}
    return resolve_policy(policy, overrides)


def load_data(data: str | Path | Dataset, year: int) -> Dataset:
    """Load step: read the data set and validate it against the data contract (DataError lists
    every problem). A Dataset already loaded (and so validated) is taken as it is."""
    return data if isinstance(data, Dataset) else load_dataset(data, year)


def scenario_of(scenario: Scenario | str | Path | None) -> Scenario | str | None:
    """A Scenario for a scenario file (a Path, or a str ending in .yaml/.yml); a plain str is a label."""
    if isinstance(scenario, Path) or (isinstance(scenario, str) and scenario.lower().endswith((".yaml", ".yml"))):
        return load_scenario(scenario)
    return scenario


def _scenario_file(scenario) -> Path | None:
    """The scenario's file, an input the output must not overwrite."""
    if isinstance(scenario, Scenario):
        return Path(scenario.source) if Path(scenario.source).is_file() else None
    if isinstance(scenario, Path) or (isinstance(scenario, str) and scenario.lower().endswith((".yaml", ".yml"))):
        return Path(scenario)
    return None


def with_scenario(ds: Dataset, policy: Policy, scenario: Scenario | str | None,
                  year: int) -> tuple[Dataset, Policy, str | None]:
    """Scenario step: (the edited copy of the data, the policy with its settings, its name).
    A str only names the run; None is no scenario."""
    if isinstance(scenario, Scenario):
        ds, policy = apply_scenario(ds, scenario, year, policy)
        return ds, policy, scenario.name
    return ds, policy, scenario


def filter_district(ds: Dataset, district: str | None) -> Dataset:
    """Keep only the units of one district and their cadres (the class offer stays whole)."""
    if not district:
        return ds
    out = ds.copy()
    units = out.units[out.units["district"] == district]
    if units.empty:
        known = ", ".join(sorted(set(ds.units["district"])))
        raise DataError([Problem("units", None, "district", f"no unit belongs to district '{district}' (known: {known})")])
    keep_units = set(units["unit_id"])
    out.tables["units"] = units.reset_index(drop=True)
    cad = out.cadres[out.cadres["unit_id"].isin(keep_units)].reset_index(drop=True)
    out.tables["cadres"] = cad
    ids = set(cad["cadre_id"])
    for t in ("busy", "history", "pins"):
        out.tables[t] = out.tables[t][out.tables[t]["cadre_id"].isin(ids)].reset_index(drop=True)
    bl = out.blackouts
    out.tables["blackouts"] = bl[(bl["scope"] == "region") | bl["scope"].isin(keep_units)].reset_index(drop=True)
    return out


# --------------------------------------------------------------------------- the solve step
def reserve_seconds(prob: PlanningProblem, policy: Policy, before: float = 0.0) -> float:
    """Time kept back from solver.time_limit for what follows the solve (extract, check, write):
    a base, a share per 1,000 cadres and `lns.reserve_load_factor` × the seconds loading and
    building took (`before`: they scale with the data and with the machine's load alike)."""
    return (float(policy["lns.reserve_seconds"]) + float(policy["lns.reserve_per_1000_cadres"]) * len(prob.cadre_ids) / 1000
            + float(policy["lns.reserve_load_factor"]) * before)


def solve_plan(prob: PlanningProblem, policy: Policy, *, msg: bool = False,
               warm: Any = None, deadline: float | None = None) -> tuple[set[int], SolveResult, SolveInfo]:
    """Build and solve; never worse than the greedy baseline (nor than `warm`).

    `warm`: a plan to start from (pair indices, or plan rows / a PlanResult / a plan folder, see
    planning.model.warm): made valid for this problem, it competes with the constructions of step
    1 (ties go to it), and the exact MIP gets the best start as its initial solution.

    1. the greedy baseline and the all-or-nothing bundle heuristic;
    2. Lagrangian prices on seats, unit days and budget (`model/lagrange/`): a proven bound
       and the plans the prices build, windowed classes dated by the demand at those prices,
       the best of them seat-repaired (`lagrange/repair.py`) until the search's share of the time;
    3. the ejection-chain search from the best plan so far;
    4. small instances (up to `search.full_mip_pairs` pairs): the exact PuLP MIP, warm-started
       from it, for the rest of the time. Larger ones keep the plan of step 3, with the tighter
       of the Lagrangian and best-case bounds;
    5. large instances whose proven gap is still above solver.gap: the large-neighbourhood search
       (`model/lns.py`, lns.*) until the gap closes or `deadline` (time.perf_counter(); default:
       solver.time_limit after the solve began; run_plan passes the whole command's deadline).
    `info["layers"]`: seconds, objective gained and bound per layer."""
    t0 = time.perf_counter()
    conflicts = pin_conflicts(prob)
    if conflicts:
        raise InfeasiblePlan(conflicts)
    exact = prob.n_pairs <= policy["search.full_mip_pairs"]
    m = build_model(prob) if exact else None
    info = SolveInfo(build_seconds=time.perf_counter() - t0)
    limit = float(policy["solver.time_limit"])
    if deadline is not None:  # the layers' shares are of the time the solve really has
        limit = max(1.0, min(limit, deadline - time.perf_counter()))
    else:
        deadline = time.perf_counter() + limit
    data = lagrange.prepare(prob)
    lagrange.set_threads(policy["solver.threads"])
    lagrange.warm_up(data)
    t_search = time.perf_counter()
    score = lambda pairs: lagrange.objective(data, lagrange.positions(data, pairs))  # noqa: E731
    layers: dict[str, dict[str, Any]] = {}
    info["layers"] = layers
    t = time.perf_counter()
    start, sobj = _constructions(prob, score, info, warm, bundle=prob.n_pairs <= int(policy["search.bundle_max_pairs"]))
    layers["construction"] = _layer(t, 0.0, sobj, None, None)
    t, before = time.perf_counter(), sobj
    # the search after the prices: the seat repair on their best plan, then the ejection search;
    # with an exact MIP to follow, they leave it the rest of the time; without one (large
    # instances) nothing else needs it
    share = policy["search.search_share"] if exact else policy["search.heuristic_share"]
    start, sobj, lag = _lagrangian(prob, policy, data, start, sobj, info, deadline=t_search + policy["lagrange.time_share"] * limit,
                                   master_deadline=t_search + policy["lagrange.master_time_share"] * limit,
                                   solo_deadline=t_search + policy["lagrange.solo_time_share"] * limit,
                                   repair_deadline=t_search + share * limit)
    layers["lagrange"] = _layer(t, before, sobj, None, lag.bound)
    info.variables = len(m.lp.variables()) if m else prob.n_pairs
    info.constraints = len(m.lp.constraints) if m else None
    t, before = time.perf_counter(), sobj
    start, sobj = _search(prob, policy, start, score, info, exact=exact, deadline=t_search + share * limit, msg=msg)
    layers["search"] = _layer(t, before, sobj, lag.bound, lag.bound)
    name = policy["solver.name"]
    kw = dict(gap=policy["solver.gap"], threads=policy["solver.threads"], seed=policy["solver.seed"], msg=msg)
    t, before = time.perf_counter(), sobj
    if exact:
        remaining = max(5.0, deadline - time.perf_counter())
        share = float(policy["lns.exact_mip_share"]) if policy["lns.enabled"] else 1.0
        res = _exact_mip(m, start, lag, policy, time_limit=max(5.0, share * remaining), **kw)
        if res.objective is not None:
            layers["mip"] = _layer(t, before, max(before, res.objective), lag.bound, res.best_bound)
        if share < 1.0 and res.status not in ("optimal", "infeasible") and res.best_bound is not None:
            # the MIP stopped at its share, unproven: the large-neighbourhood search from its plan
            if res.values is not None and res.objective is not None and res.objective >= sobj - 1e-6:
                start = chosen_pairs(m, res.values)
                sobj = score(start)
            start, sobj, res = _lns(prob, policy, start, sobj, res, score, info, deadline=deadline, msg=msg)
    else:
        res = _heuristic_result(prob, policy, sobj, lag, info)
        layers["bound"] = _layer(t, before, before, lag.bound, res.best_bound)
        start, sobj, res = _lns(prob, policy, start, sobj, res, score, info, deadline=deadline, msg=msg)
    res.solve_seconds = time.perf_counter() - t_search
    if res.status == "infeasible":
        raise InfeasiblePlan(elastic_diagnosis(prob, lambda em: SOLVERS[name](em, time_limit=limit, **kw)))
    return _better_of(m, res, start, sobj, info, policy, exact)


def _layer(t: float, before: float, after: float, bound_before: float | None, bound_after: float | None) -> dict:
    """One layer's line in summary.json's `layers`: the objective it gained, its bound (its seconds
    go to `layer_seconds`, apart, so that `layers` repeats byte for byte)."""
    gain = None if bound_before is None or bound_after is None else round(bound_before - bound_after, 6)
    return {"_seconds": round(time.perf_counter() - t, 3), "objective_gain": round(after - before, 6),
            "objective": round(after, 6), "bound": None if bound_after is None else round(bound_after, 6),
            "bound_gain": gain}


def _lns(prob: PlanningProblem, policy: Policy, start: set[int], sobj: float, res: SolveResult, score,
         info: SolveInfo, *, deadline: float, msg: bool) -> tuple[set[int], float, SolveResult]:
    """Large instances: the large-neighbourhood search while the proven gap is above solver.gap
    and time is left (model/lns.py); the result re-judged against the same bound."""
    if not policy["lns.enabled"] or res.status == "optimal":
        return start, sobj, res
    t = time.perf_counter()
    best, log = lns(prob, start, score, bound=res.best_bound, gap=float(policy["solver.gap"]), deadline=deadline,
                    seed=int(policy["solver.seed"]), max_pairs=int(policy["lns.max_pairs"]),
                    node_limit=int(policy["lns.node_limit"]), sub_time_limit=float(policy["lns.sub_time_limit"]),
                    max_neighbourhoods=int(policy["lns.warm_max_neighbourhoods" if "warm_objective" in info.extra
                                               else "lns.max_neighbourhoods"]),
                    stall_rounds=int(policy["lns.stall_rounds"]), sub_gap=float(policy["lns.sub_gap"]),
                    tighten_after=int(policy["lns.tighten_after"]),
                    heuristic_effort=float(policy["lns.heuristic_effort"]),
                    kind_max_pairs={"district": int(policy["lns.district_max_pairs"])}, msg=msg)
    info["layers"]["lns"] = {**_layer(t, sobj, sobj + log.gain, res.best_bound, res.best_bound),
                             "neighbourhoods": log.neighbourhoods, "improved": log.improved, "stop": log.stop,
                             "timeouts": log.timeouts, "sub_gap": log.sub_gap,
                             "by_kind": {k: {"tried": v[0], "improved": v[1]} for k, v in log.by_kind.items()}}
    info.update(lns_neighbourhoods=log.neighbourhoods, lns_improvements=log.improved, lns_stop=log.stop)
    if log.stop == "time":  # the status line's stopped_by: the clock ended it, not a count
        res.message = (res.message + "; large-neighbourhood search stopped at the time limit").strip("; ")
    if log.improved:
        sobj = score(best)
        info.method += " + large-neighbourhood search"
        status, gap = plan_status(sobj, res.best_bound, policy["solver.gap"])
        res = SolveResult(status, sobj, res.best_bound, gap, res.solver, 0.0, None, res.message)
        start = best
    return start, sobj, res


def _constructions(prob: PlanningProblem, score, info: SolveInfo, warm: Any = None,
                   bundle: bool = True) -> tuple[set[int], float]:
    """The greedy baseline and the bundle heuristic (and the warm plan, when given): the best one
    starts the search. `bundle` False (above search.bundle_max_pairs): no bundle heuristic."""
    greedy = greedy_plan(prob)
    info.greedy_chosen, info.greedy_objective = greedy, score(greedy)
    start, sobj, info.start_origin = greedy, info.greedy_objective, "greedy baseline"
    if bundle:
        plan = bundle_plan(prob)
        bobj = score(plan)
        if bobj > sobj:
            start, sobj, info.start_origin = plan, bobj, "bundle heuristic"
    if warm is not None:
        given = warm_plan(prob, set(warm) if isinstance(warm, (set, frozenset)) else warm_pairs(prob, warm))
        wobj = score(given)
        info["warm_objective"] = round(wobj, 6)
        if wobj >= sobj - 1e-9:
            start, sobj, info.start_origin = given, wobj, "warm start"
    return start, sobj


def _lagrangian(prob: PlanningProblem, policy: Policy, data, start: set[int], sobj: float, info: SolveInfo, *,
                deadline: float, master_deadline: float | None = None, solo_deadline: float | None = None,
                repair_deadline: float | None = None):
    """Lagrangian prices: the proven bound, and the plans the prices build (kept when better)."""
    t = time.perf_counter()
    warm = info.start_origin == "warm start"
    lag = lagrange.relax(prob, iterations=int(policy["lagrange.warm_iterations" if warm else "lagrange.iterations"]),
                         target=sobj, data=data,
                         date_share=float(policy["lagrange.date_share"]),
                         heuristic_every=heuristic_interval(policy, prob.n_pairs),
                         date_sweeps=int(policy["lagrange.date_sweeps"]),
                         master_rounds=int(policy["lagrange.warm_master_rounds" if warm else "lagrange.master_rounds"]),
                         master_after=int(policy["lagrange.master_after"]),
                         master_time=float(policy["lagrange.master_time"]),
                         master_max_bundles=int(policy["lagrange.master_max_bundles"]),
                         master_points=int(policy["lagrange.master_points"]),
                         master_tol=float(policy["lagrange.master_tol"]),
                         master_large_cadres=int(policy["lagrange.master_large_cadres"]),
                         master_deadline=master_deadline, solo_deadline=solo_deadline,
                         rotation_start_cadres=int(policy["lagrange.rotation_start_cadres"]),
                         threads=int(policy["solver.threads"]), deadline=deadline,
                         repair_passes=int(policy["lagrange.repair_passes"]),
                         repair_tries=int(policy["lagrange.repair_chain_tries"]), repair_deadline=repair_deadline)
    lag.price = lag.options = None  # its last prices, one float per position: nothing after reads them
    if lag.plan is not None and lag.plan_objective > sobj + 1e-9:
        start, sobj, info.start_origin = lag.plan, lag.plan_objective, "Lagrangian prices"
    info.start_objective = sobj
    info.update(lagrange_bound=lag.bound, lagrange_iterations=lag.iterations, lagrange_plan_objective=lag.plan_objective,
                lagrange_dated_bound=lag.dated_bound, lagrange_seconds=round(time.perf_counter() - t, 3),
                lagrange_inexact=lag.inexact, lagrange_master_rounds=lag.master_rounds,
                lagrange_repair_moves=lag.repair_moves, lagrange_repair_gain=round(lag.repair_gain, 6))
    return start, sobj, lag


def heuristic_interval(policy: Policy, n_pairs: int) -> int:
    """Steps between the plans the Lagrangian's prices build: `lagrange.heuristic_every`, times
    ⌈pairs ÷ `lagrange.heuristic_pairs`⌉ (a plan costs about three steps at 12.9 million pairs)."""
    per = int(policy["lagrange.heuristic_pairs"])
    return int(policy["lagrange.heuristic_every"]) * max(1, -(-int(n_pairs) // per))


def _search(prob: PlanningProblem, policy: Policy, start: set[int], score, info: SolveInfo, *, exact: bool,
            deadline: float, msg: bool) -> tuple[set[int], float]:
    """The ejection-chain search (and, on large instances with search.rounds, neighbourhood sub-MIPs)."""
    start, info.ejection_moves = eject_search(prob, start, deadline=deadline, passes=int(policy["search.passes"]))
    sobj = score(start)
    if not exact and policy["search.rounds"] > 0:
        start, log = improve(prob, start, rounds=int(policy["search.rounds"]),
                             size=int(policy["search.neighbourhood_cadres"]), seed=int(policy["solver.seed"]),
                             sub_time_limit=float(policy["search.sub_time_limit"]),
                             node_limit=int(policy["search.sub_node_limit"]), deadline=deadline, msg=msg)
        sobj = score(start)
        info.update(search_rounds=log.rounds, search_improvements=log.improved, search_seconds=round(log.seconds, 3))
    return start, sobj


def _exact_mip(m: Model, start: set[int], lag, policy: Policy, *, time_limit: float, **kw) -> SolveResult:
    """The exact MIP warm-started from `start`, with the tighter of its own and the Lagrangian bound."""
    res = SOLVERS[policy["solver.name"]](m, warm_start=complete_values(m, start), time_limit=time_limit, **kw)
    if res.status != "infeasible" and (res.best_bound is None or lag.bound < res.best_bound):
        # the Lagrangian bound is proven too: report the tighter one
        res.best_bound = lag.bound
        if res.objective is not None:
            res.status, res.gap = plan_status(res.objective, lag.bound, policy["solver.gap"])
        res.message = (res.message + "; bound from the Lagrangian prices").strip("; ")
    return res


def _heuristic_result(prob: PlanningProblem, policy: Policy, sobj: float, lag, info: SolveInfo) -> SolveResult:
    """Large instances: the search's plan, bounded by the tighter of the Lagrangian and best-case bounds."""
    info.method = "heuristics + Lagrangian prices + ejection search" \
        + (" + neighbourhood search" if info.search_rounds else "")
    best_case = best_case_bound(prob)
    bound, bound_kind = lag.bound, f"the Lagrangian prices ({lag.iterations} steps)"
    if best_case < bound:
        bound, bound_kind = best_case, "each cadre's best case (tighter than the Lagrangian bound)"
    status, gap = plan_status(sobj, bound, policy["solver.gap"])
    return SolveResult(status, sobj, bound, gap, policy["solver.name"], 0.0, None, f"bound from {bound_kind}")


def _better_of(m: Model | None, res: SolveResult, start: set[int], sobj: float, info: SolveInfo, policy: Policy,
               exact: bool) -> tuple[set[int], SolveResult, SolveInfo]:
    """The solver's plan, unless it stopped before matching the start plan (or was not run)."""
    if res.values is not None and (res.objective is None or res.objective >= sobj - 1e-6):
        return chosen_pairs(m, res.values), res, info
    info.used_greedy = start == info.greedy_chosen
    status, gap = plan_status(sobj, res.best_bound, policy["solver.gap"])
    note = "" if not exact else "; the start plan was better and is kept"
    return start, SolveResult(status, sobj, res.best_bound, gap, res.solver, res.solve_seconds, None,
                              (res.message + note).strip("; ")), info


# --------------------------------------------------------------------------- extracting the tables
def extract_result(prob: PlanningProblem, chosen: set[int], res: SolveResult, info: SolveInfo, *, year: int,
                   label: str, district: str | None = None, scenario: str | None = None) -> PlanResult:
    """Extract step: the contract's tables (plan, classes, shortfall with reasons, coverage) and
    the summary, from the chosen pairs."""
    tables = extract(prob, chosen)
    cov = coverage_table(prob, tables["plan"])
    unmet = [k for k, m in enumerate(cov["met"]) if not m]
    reasons = explain_shortfall(prob, chosen, _running(prob, chosen), unmet)
    short = cov.loc[unmet, ["cadre_id", "unit_id", "measure", "required"]].copy()
    short["planned"] = [cov.at[k, "planned_hours"] if cov.at[k, "measure"] == "hours" else cov.at[k, "planned_days"]
                        for k in unmet]
    short["reasons"] = [join_reasons(reasons[k], "en") for k in unmet]
    # beyond the contract's columns: the reason codes (planning.messages) and the Chinese sentences
    short["reason_codes"] = [";".join(r.code for r in reasons[k]) for k in unmet]
    short["reasons_zh"] = [join_reasons(reasons[k], "zh") for k in unmet]
    short = short.reset_index(drop=True)
    summary = build_summary(prob, res, info, tables, cov, year, label, district, scenario)
    return PlanResult(summary, tables["plan"], tables["classes"], short, cov, prob.data, prob.policy, prob, None, {},
                      info)


def extract(prob: PlanningProblem, chosen: set[int]) -> dict[str, pd.DataFrame]:
    """The contract's plan tables from the chosen pairs."""
    opts, acts = prob.options, prob.activities
    rows = []
    enrolled: dict[str, int] = {}
    dates: dict[str, tuple] = {}
    for p in sorted(chosen):
        i, o = int(prob.pair_cadre[p]), opts[prob.pair_option[p]]
        rows.append({"cadre_id": prob.cadre_ids[i], "activity_id": o.activity_id, "kind": o.kind,
                     "start_date": o.start.isoformat(), "end_date": o.end.isoformat(),
                     "days": num(o.days), "hours": num(o.hours)})
        enrolled[o.activity_id] = enrolled.get(o.activity_id, 0) + 1
        dates[o.activity_id] = (o.start, o.end)
    plan = pd.DataFrame(rows, columns=["cadre_id", "activity_id", "kind", "start_date", "end_date", "days", "hours"])
    plan = plan.sort_values(["cadre_id", "start_date", "activity_id"], kind="stable").reset_index(drop=True)
    crow = []
    for a in acts.values():
        if a.kind != "class":
            continue
        n = enrolled.get(a.activity_id, 0)
        if n:
            s, e = dates[a.activity_id]
        elif not a.windowed:
            o = opts[a.options[0]]
            s, e = o.start, o.end
        else:
            s = e = None
        crow.append({"class_id": a.activity_id, "start_date": s.isoformat() if s else "",
                     "end_date": e.isoformat() if e else "", "status": "running" if n else "cancelled",
                     "enrolled": n, "capacity": a.capacity, "min_size": a.min_size, "title": a.title,
                     "topic": a.topic_key, "mode": a.mode, "windowed": a.windowed,
                     "window_start": a.window[0].isoformat() if a.window else "",
                     "window_end": a.window[1].isoformat() if a.window else "",
                     "note": a.note if a.windowed and not n else ""})
    classes = pd.DataFrame(crow)
    return {"plan": plan, "classes": classes}


def coverage_table(prob: PlanningProblem, plan: pd.DataFrame) -> pd.DataFrame:
    f = prob.facts
    cls = plan[plan["kind"] == "class"]
    days = cls.groupby("cadre_id")["days"].sum()
    hours = cls.groupby("cadre_id")["hours"].sum()
    cov = pd.DataFrame({
        "cadre_id": f["cadre_id"].to_numpy(), "unit_id": f["unit_id"].to_numpy(), "level": f["level"].to_numpy(),
        "weight": f["weight"].to_numpy(), **{g: f[g].to_numpy() for g in GROUPS},
        "measure": f["measure"].to_numpy(),
    })
    cov["required"] = [r.required_hours if r.measure == "hours" else r.required_days for r in f.itertuples()]
    cov["planned_days"] = cov["cadre_id"].map(days).fillna(0.0).to_numpy()
    cov["planned_hours"] = cov["cadre_id"].map(hours).fillna(0.0).to_numpy()
    core = core_of(prob)
    cov["met"] = requirement_met(core.by_hours, cov["planned_days"].to_numpy(), cov["planned_hours"].to_numpy(),
                                 core.req_days, core.req_hours)
    cov["planned_days"] = cov["planned_days"].map(num)
    cov["planned_hours"] = cov["planned_hours"].map(num)
    cov["required"] = cov["required"].map(num)
    return cov


def build_summary(prob: PlanningProblem, res: SolveResult, info: SolveInfo, tables: dict[str, pd.DataFrame],
                  cov: pd.DataFrame, year: int, data_label: str, district: str | None, scenario: str | None) -> dict:
    acts = prob.activities
    plan, classes = tables["plan"], tables["classes"]
    n = len(cov)
    share = lambda mask: float(cov.loc[mask, "met"].mean()) if mask.any() else None  # noqa: E731
    cls_rows = plan[plan["kind"] == "class"]
    cost = float(sum(acts[a].cost for a in cls_rows["activity_id"]))
    g = cov["overdue"]
    overdue_covered = int(cov.loc[g, "cadre_id"].isin(set(cls_rows["cadre_id"])).sum())
    greedy_cov = coverage_table(prob, extract(prob, info.greedy_chosen)["plan"])
    weights = cov["weight"]
    return {
        "status": res.status,
        "objective": _round(res.objective),
        "best_bound": _round(res.best_bound),
        "gap": None if res.gap is None else round(res.gap, 8),
        "solver": res.solver,
        "solve_seconds": round(res.solve_seconds, 3),
        "time_limit": float(prob.policy["solver.time_limit"]),
        "gap_limit": float(prob.policy["solver.gap"]),
        "stopped_by": stop_reason(res.status, res.gap, float(prob.policy["solver.gap"]), res.solve_seconds,
                                  float(prob.policy["solver.time_limit"]), res.message),
        "build_seconds": round(info.build_seconds, 3),
        "cadres": n,
        "requirement_met_share": float(cov["met"].mean()) if n else 1.0,
        "requirement_met": int(cov["met"].sum()),
        "weighted_coverage": float((weights * cov["met"]).sum() / weights.sum()) if n else 1.0,
        "met_by_level": {lv: share(cov["level"] == lv) for lv in LEVEL_ORDER if (cov["level"] == lv).any()},
        "met_by_group": {gname: share(cov[gname]) for gname in GROUPS if cov[gname].any()},
        "overdue_total": int(g.sum()),
        "overdue_covered": overdue_covered,
        "rotations_filled": int((plan["kind"] == "rotation").sum()),
        "rotation_slots": int(sum(a.capacity for a in acts.values() if a.kind == "rotation")),
        "classes_running": int((classes["status"] == "running").sum()) if len(classes) else 0,
        "classes_cancelled": int((classes["status"] == "cancelled").sum()) if len(classes) else 0,
        "seats_used": int(len(cls_rows)),
        "seats_offered": int(sum(a.capacity for a in acts.values() if a.kind == "class")),
        "cost": round(cost, 2),
        "budget": prob.policy["budget.total"],
        "greedy_met_share": float(greedy_cov["met"].mean()) if n else 1.0,
        "greedy_weighted_coverage": float((weights * greedy_cov["met"]).sum() / weights.sum()) if n else 1.0,
        "greedy_objective": round(info.greedy_objective, 6),
        "used_greedy_plan": info.used_greedy,
        "start_objective": round(info.start_objective, 6),
        "start_origin": info.start_origin,
        "lagrange_bound": _round(info.lagrange_bound),
        "lagrange_iterations": info.lagrange_iterations,
        "lagrange_dated_bound": _round(info.lagrange_dated_bound),
        "lagrange_seconds": info.lagrange_seconds,
        "lagrange_inexact": info.lagrange_inexact,  # cadres whose search hit its node limit (their best case counted)
        "lagrange_master_rounds": info.lagrange_master_rounds,  # column-generation rounds solved
        "lagrange_repair_moves": info.lagrange_repair_moves,  # seat-repair moves on the prices' best plan
        "lagrange_repair_gain": _round(info.lagrange_repair_gain),  # the objective they added
        "method": info.method,
        "search_rounds": info.search_rounds,
        "search_improvements": info.search_improvements,
        "ejection_moves": info.ejection_moves,
        "lns_neighbourhoods": info.get("lns_neighbourhoods", 0),  # large-neighbourhood sub-MIPs solved
        "lns_improvements": info.get("lns_improvements", 0),
        "lns_stop": info.get("lns_stop"),  # why it stopped: gap, time, count, stalled, nothing (None: not run)
        "layers": {k: {a: b for a, b in v.items() if a != "_seconds"} for k, v in (info.get("layers") or {}).items()},
        # per layer: objective gained, objective after it, its bound and how much it lowered the bound
        "layer_seconds": {k: v.get("_seconds") for k, v in (info.get("layers") or {}).items()},  # per layer: seconds
        "variables": info.variables,
        "constraints": info.constraints,
        "solver_message": res.message,
        "year": year,
        "data": data_label,
        "district": district,
        "scenario": scenario,
        "warnings": [str(w) for w in prob.data.warnings] + [str(w) for w in prob.warnings],
        # the same warnings by code, for documents in another language (planning.messages.warning_lines)
        "warning_notes": [w.note() for w in prob.data.warnings] + [w.as_dict() if hasattr(w, "as_dict") else {"code": ""} for w in prob.warnings],
    }


def _round(x: float | None, digits: int = 6) -> float | None:
    return None if x is None else round(x, digits)


def _running(prob: PlanningProblem, chosen: set[int]) -> set[int]:
    """Class options that run: those with at least one trainee."""
    return {int(prob.pair_option[p]) for p in chosen}


def _files(result: PlanResult, folder: Path) -> None:
    write_csv(result.plan, folder / "plan.csv")
    write_csv(result.classes, folder / "classes.csv")
    write_csv(result.shortfall, folder / "shortfall.csv")
    write_csv(result.coverage, folder / "coverage.csv")
    (folder / "policy.yaml").write_text(result.policy.to_yaml(), encoding="utf-8")
    write_json(result.summary, folder / "summary.json")


def write_plan(result: PlanResult, out: str | Path, *, check: bool = True, year: int | None = None,
               extra: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write step: the plan folder, atomically; with `check`, the check step must pass on the
    written files before the folder takes its place. `out` must be new, empty or a folder the
    planner wrote (planning.io.check_output_target). `extra`: more tables for the folder
    (file name -> table; re-plan's changes.csv)."""
    out = check_output_target(out, [result.data], kind="plan")
    with atomic_dir(out, kind="plan") as tmp:
        _files(result, tmp)
        for name, table in (extra or {}).items():
            write_csv(table, tmp / name)
        if check:
            check_written(result, tmp, year or result.summary["year"])
    return out


def check_written(result: PlanResult, folder: Path, year: int) -> None:
    """Check step: the independent checker (planning.check) on the files as written; PlanningError
    listing every violation."""
    violations = check_plan(result.data, folder, year, result.policy)
    if violations:
        raise PlanningError("the plan failed its independent check:\n" + "\n".join(violations))


def write_infeasible(out: str | Path, err: InfeasiblePlan, policy: Policy, year: int, label: str, n: int) -> None:
    summary = {"status": "infeasible", "objective": None, "best_bound": None, "gap": None,
               "solver": policy["solver.name"], "solve_seconds": 0.0, "cadres": n, "requirement_met_share": None,
               "diagnosis": err.diagnosis, "year": year, "data": label}
    with atomic_dir(out, kind="plan") as tmp:
        write_json(summary, tmp / "summary.json")
