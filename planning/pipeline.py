"""The recipe every caller uses (CLI, notebooks, tests, batch):
validate → build → solve → extract → check → write."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planning.data.load import Dataset, load_dataset
from planning.errors import InfeasiblePlan, PlanningError
from planning.io import atomic_dir, check_output_target, hold_output, num, write_csv, write_json
from planning.model.bounds import best_case_bound
from planning.model.build import build_model
from planning.model.diagnose import elastic_diagnosis, pin_conflicts
from planning.model.explain import explain_shortfall
from planning.model.greedy import bundle_plan, greedy_plan
from planning.model import lagrange
from planning.model.ejection import eject_search
from planning.model.search import improve
from planning.model.problem import PlanningProblem, build_problem
from planning.model.solve import SOLVERS, SolveResult, relative_gap
from planning.model.values import chosen_pairs, complete_values
from planning.policy import Policy, load_policy

GROUPS = ("overdue", "reserve", "young", "newly_promoted", "key_post")
LEVEL_ORDER = ("division", "section", "deputy_section", "staff")


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

    @property
    def status(self) -> str:
        return self.summary["status"]


def resolve_policy(policy: Policy | str | Path | None, overrides: dict[str, Any] | None = None) -> Policy:
    if isinstance(policy, Policy):
        return policy.with_overrides(overrides) if overrides else policy
    return load_policy(policy, overrides)


def filter_district(ds: Dataset, district: str | None) -> Dataset:
    """Keep only the units of one district and their cadres (the class offer stays whole)."""
    if not district:
        return ds
    out = ds.copy()
    units = out.units[out.units["district"] == district]
    if units.empty:
        from planning.errors import DataError, Problem

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


def solve_plan(prob: PlanningProblem, policy: Policy, *, msg: bool = False) -> tuple[set[int], SolveResult, dict]:
    """Build and solve; never worse than the greedy baseline.

    1. the greedy baseline and the all-or-nothing bundle heuristic;
    2. Lagrangian prices on seats, unit days and budget (`model/lagrange.py`): a proven bound
       and the plans the prices build, windowed classes dated by the demand at those prices;
    3. the ejection-chain search from the best plan so far;
    4. small instances (up to `search.full_mip_pairs` pairs): the exact PuLP MIP, warm-started
       from it, for the rest of the time. Larger ones keep the plan of step 3, with the tighter
       of the Lagrangian and best-case bounds."""
    t0 = time.perf_counter()
    conflicts = pin_conflicts(prob)
    if conflicts:
        raise InfeasiblePlan(conflicts)
    exact = prob.n_pairs <= policy["search.full_mip_pairs"]
    m = build_model(prob) if exact else None
    build_s = time.perf_counter() - t0
    limit = float(policy["solver.time_limit"])
    data = lagrange.prepare(prob)
    lagrange.set_threads(policy["solver.threads"])
    lagrange.warm_up(data)
    t_search = time.perf_counter()
    score = lambda pairs: lagrange.objective(data, lagrange.positions(data, pairs))  # noqa: E731
    greedy = greedy_plan(prob)
    gobj = score(greedy)
    start, sobj, origin = greedy, gobj, "greedy baseline"
    bundle = bundle_plan(prob)
    bobj = score(bundle)
    if bobj > sobj:
        start, sobj, origin = bundle, bobj, "bundle heuristic"
    t_lag = time.perf_counter()
    lag = lagrange.relax(prob, iterations=int(policy["lagrange.iterations"]), target=sobj, data=data,
                         date_share=float(policy["lagrange.date_share"]),
                         heuristic_every=int(policy["lagrange.heuristic_every"]),
                         date_sweeps=int(policy["lagrange.date_sweeps"]),
                         master_rounds=int(policy["lagrange.master_rounds"]),
                         master_after=int(policy["lagrange.master_after"]),
                         master_time=float(policy["lagrange.master_time"]),
                         master_max_bundles=int(policy["lagrange.master_max_bundles"]), threads=int(policy["solver.threads"]),
                         deadline=t_search + policy["lagrange.time_share"] * limit)
    if lag.plan is not None and lag.plan_objective > sobj + 1e-9:
        start, sobj, origin = lag.plan, lag.plan_objective, "Lagrangian prices"
    info = {"build_seconds": build_s, "greedy_objective": gobj, "start_objective": sobj, "used_greedy": False,
            "variables": len(m.lp.variables()) if m else prob.n_pairs, "constraints": len(m.lp.constraints) if m else None,
            "greedy_chosen": greedy, "start_origin": origin, "lagrange_bound": lag.bound,
            "lagrange_iterations": lag.iterations, "lagrange_plan_objective": lag.plan_objective,
            "lagrange_dated_bound": lag.dated_bound,
            "lagrange_seconds": round(time.perf_counter() - t_lag, 3), "lagrange_inexact": lag.inexact,
            "lagrange_master_rounds": lag.master_rounds,
            "method": "heuristics + Lagrangian prices + ejection search + exact MIP", "search_rounds": 0,
            "search_improvements": 0}
    # with an exact MIP to follow, the search leaves it the rest of the time; without one
    # (large instances) nothing else needs it
    share = policy["search.search_share"] if exact else policy["search.heuristic_share"]
    search_deadline = t_search + share * limit
    start, moves = eject_search(prob, start, deadline=search_deadline, passes=int(policy["search.passes"]))
    sobj = score(start)
    info.update(ejection_moves=moves)
    if not exact and policy["search.rounds"] > 0:
        start, log = improve(prob, start, rounds=int(policy["search.rounds"]), size=int(policy["search.neighbourhood_cadres"]),
                             seed=int(policy["solver.seed"]), sub_time_limit=float(policy["search.sub_time_limit"]),
                             node_limit=int(policy["search.sub_node_limit"]), deadline=search_deadline, msg=msg)
        sobj = score(start)
        info.update(search_rounds=log.rounds,
                    search_improvements=log.improved, search_seconds=round(log.seconds, 3))
    name = policy["solver.name"]
    kw = dict(gap=policy["solver.gap"], threads=policy["solver.threads"], seed=policy["solver.seed"], msg=msg)
    remaining = max(5.0, limit - (time.perf_counter() - t_search))
    if exact:
        svals = complete_values(m, start)
        res = SOLVERS[name](m, warm_start=svals, time_limit=remaining, **kw)
        if res.status != "infeasible" and (res.best_bound is None or lag.bound < res.best_bound):
            # the Lagrangian bound is proven too: report the tighter one
            res.best_bound = lag.bound
            if res.objective is not None:
                res.gap = relative_gap(res.objective, lag.bound)
                res.status = "optimal" if res.gap is not None and res.gap <= policy["solver.gap"] + 1e-12 else res.status
            res.message = (res.message + "; bound from the Lagrangian prices").strip("; ")
    else:
        info["method"] = "heuristics + Lagrangian prices + ejection search" \
            + (" + neighbourhood search" if info["search_rounds"] else "")
        best_case = best_case_bound(prob)
        bound, bound_kind = lag.bound, f"the Lagrangian prices ({lag.iterations} steps)"
        if best_case < bound:
            bound, bound_kind = best_case, "each cadre's best case (tighter than the Lagrangian bound)"
        gap = relative_gap(sobj, bound)
        status = "optimal" if gap is not None and gap <= policy["solver.gap"] else "feasible"
        res = SolveResult(status, sobj, bound, gap, name, 0.0, None, f"bound from {bound_kind}")
    res.solve_seconds = time.perf_counter() - t_search
    if res.status == "infeasible":
        raise InfeasiblePlan(elastic_diagnosis(prob, lambda em: SOLVERS[name](em, time_limit=limit, **kw)))
    if res.values is None or (res.objective is not None and res.objective < sobj - 1e-6):
        # the solver stopped before matching the start plan (or was not run): keep that plan
        info["used_greedy"] = start is greedy
        gap = relative_gap(sobj, res.best_bound)
        status = "optimal" if gap is not None and gap <= policy["solver.gap"] else "feasible"
        note = "" if not exact else "; the start plan was better and is kept"
        res = SolveResult(status, sobj, res.best_bound, gap, res.solver, res.solve_seconds, None,
                          (res.message + note).strip("; "))
        chosen = start
    else:
        chosen = chosen_pairs(m, res.values)
    return chosen, res, info


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
    req_h = f["required_hours"].to_numpy()
    met = []
    for k, r in enumerate(cov.itertuples()):
        if r.measure == "hours":
            met.append(r.planned_hours >= req_h[k] - 1e-9)
        else:
            met.append(r.planned_days >= r.required - 1e-9 or r.planned_hours >= req_h[k] - 1e-9)
    cov["met"] = met
    cov["planned_days"] = cov["planned_days"].map(num)
    cov["planned_hours"] = cov["planned_hours"].map(num)
    cov["required"] = cov["required"].map(num)
    return cov


def build_summary(prob: PlanningProblem, res: SolveResult, info: dict, tables: dict[str, pd.DataFrame],
                  cov: pd.DataFrame, year: int, data_label: str, district: str | None, scenario: str | None) -> dict:
    acts = prob.activities
    plan, classes = tables["plan"], tables["classes"]
    n = len(cov)
    share = lambda mask: float(cov.loc[mask, "met"].mean()) if mask.any() else None  # noqa: E731
    cls_rows = plan[plan["kind"] == "class"]
    cost = float(sum(acts[a].cost for a in cls_rows["activity_id"]))
    g = cov["overdue"]
    overdue_covered = int(cov.loc[g, "cadre_id"].isin(set(cls_rows["cadre_id"])).sum())
    greedy_cov = coverage_table(prob, extract(prob, info["greedy_chosen"])["plan"])
    weights = cov["weight"]
    return {
        "status": res.status,
        "objective": None if res.objective is None else round(res.objective, 6),
        "best_bound": None if res.best_bound is None else round(res.best_bound, 6),
        "gap": None if res.gap is None else round(res.gap, 8),
        "solver": res.solver,
        "solve_seconds": round(res.solve_seconds, 3),
        "build_seconds": round(info["build_seconds"], 3),
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
        "greedy_objective": round(info["greedy_objective"], 6),
        "used_greedy_plan": info["used_greedy"],
        "start_objective": round(info["start_objective"], 6),
        "start_origin": info.get("start_origin"),
        "lagrange_bound": None if info.get("lagrange_bound") is None else round(info["lagrange_bound"], 6),
        "lagrange_iterations": info.get("lagrange_iterations"),
        "lagrange_dated_bound": None if info.get("lagrange_dated_bound") is None else round(info["lagrange_dated_bound"], 6),
        "lagrange_seconds": info.get("lagrange_seconds"),
        "lagrange_inexact": info.get("lagrange_inexact"),  # cadres whose search hit its node limit (their best case counted)
        "lagrange_master_rounds": info.get("lagrange_master_rounds"),  # column-generation rounds solved
        "method": info["method"],
        "search_rounds": info["search_rounds"],
        "search_improvements": info["search_improvements"],
        "ejection_moves": info.get("ejection_moves", 0),
        "variables": info["variables"],
        "constraints": info["constraints"],
        "solver_message": res.message,
        "year": year,
        "data": data_label,
        "district": district,
        "scenario": scenario,
        "warnings": [str(w) for w in prob.data.warnings] + list(prob.warnings),
    }


def run_plan(data: str | Path | Dataset, year: int, out: str | Path | None = None, *,
             policy: Policy | str | Path | None = None, solver: str | None = None, time_limit: float | None = None,
             gap: float | None = None, district: str | None = None, scenario: str | None = None,
             check: bool = True, msg: bool = False) -> PlanResult:
    """Plan the year: validate → build → solve → extract → check → write.

    Raises DataError (bad input, nothing written), InfeasiblePlan (hard rules in conflict;
    only summary.json is written to `out`), PlanningError (the plan failed its check)."""
    if out is None:
        return _run_plan(data, year, None, policy=policy, solver=solver, time_limit=time_limit, gap=gap,
                         district=district, scenario=scenario, check=check, msg=msg)
    # the output is checked and held before any work: a refused --out costs nothing, a second
    # run on the same folder stops at once instead of after its solve
    target = check_output_target(out, [data, policy], kind="plan")
    with hold_output(target):
        return _run_plan(data, year, target, policy=policy, solver=solver, time_limit=time_limit, gap=gap,
                         district=district, scenario=scenario, check=check, msg=msg)


def _run_plan(data, year, out, *, policy, solver, time_limit, gap, district, scenario, check, msg) -> PlanResult:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    overrides = {k: v for k, v in {"solver.name": solver, "solver.time_limit": time_limit, "solver.gap": gap}.items()
                 if v is not None}
    pol = resolve_policy(policy, overrides)
    ds = data if isinstance(data, Dataset) else load_dataset(data, year)
    label = ds.source
    ds = filter_district(ds, district)
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    prob = build_problem(ds, year, pol)
    timings["problem"] = time.perf_counter() - t
    try:
        chosen, res, info = solve_plan(prob, pol, msg=msg)
    except InfeasiblePlan as e:
        if out is not None:
            write_infeasible(out, e, pol, year, label, len(ds.cadres))
        raise
    timings["build"] = info["build_seconds"]
    timings["solve"] = res.solve_seconds
    t = time.perf_counter()
    tables = extract(prob, chosen)
    cov = coverage_table(prob, tables["plan"])
    unmet = [k for k, m in enumerate(cov["met"]) if not m]
    reasons = explain_shortfall(prob, chosen, _running(prob, chosen), unmet)
    short = cov.loc[unmet, ["cadre_id", "unit_id", "measure", "required"]].copy()
    short["planned"] = [cov.at[k, "planned_hours"] if cov.at[k, "measure"] == "hours" else cov.at[k, "planned_days"] for k in unmet]
    short["reasons"] = ["; ".join(reasons[k]) for k in unmet]
    short = short.reset_index(drop=True)
    summary = build_summary(prob, res, info, tables, cov, year, label, district, scenario)
    timings["extract"] = time.perf_counter() - t
    result = PlanResult(summary, tables["plan"], tables["classes"], short, cov, ds, pol, prob, None, timings)
    if out is not None:
        result.out_dir = write_plan(result, out, check=check, year=year)
    return result


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


def write_plan(result: PlanResult, out: str | Path, *, check: bool = True, year: int | None = None) -> Path:
    """Write the plan folder atomically; with `check`, the independent checker must pass first.
    `out` must be new, empty or a folder the planner wrote (planning.io.check_output_target)."""
    out = check_output_target(out, [result.data], kind="plan")
    with atomic_dir(out, kind="plan") as tmp:
        _files(result, tmp)
        if check:
            from planning.check import check_plan

            violations = check_plan(result.data, tmp, year or result.summary["year"], result.policy)
            if violations:
                raise PlanningError("the plan failed its independent check:\n" + "\n".join(violations))
    return out


def write_infeasible(out: str | Path, err: InfeasiblePlan, policy: Policy, year: int, label: str, n: int) -> None:
    summary = {"status": "infeasible", "objective": None, "best_bound": None, "gap": None,
               "solver": policy["solver.name"], "solve_seconds": 0.0, "cadres": n, "requirement_met_share": None,
               "diagnosis": err.diagnosis, "year": year, "data": label}
    with atomic_dir(out, kind="plan") as tmp:
        write_json(summary, tmp / "summary.json")
