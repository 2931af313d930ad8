"""Run the baseline, the scenarios and the budget sweep in parallel; gather the comparison."""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from planning.compare import tables as T
from planning.data.load import Dataset, load_dataset
from planning.errors import InfeasiblePlan, PlanningError, PolicyError
from planning.io import atomic_dir, check_output_target, hold_output, write_csv, write_json
from planning.pipeline import filter_district, resolve_policy, run_plan
from planning.policy import Policy
from planning.scenarios import BASE, Scenario, ScenarioError, apply_scenario, load_scenario

DEFAULT_SWEEP = (0.6, 0.7, 0.8, 0.9)
SWEEP_DIR = "sweep"
WORKBOOK = "comparison.xlsx"
HANDOUT = "comparison.pdf"


@dataclass
class Comparison:
    out: Path
    year: int
    names: list[str]                       # "base" first, then the scenarios in the order given
    scenarios: dict[str, Scenario | None]
    summaries: dict[str, dict]             # read back from <out>/<name>/summary.json
    table: pd.DataFrame                    # KPI × scenarios (+ Δ columns)
    diff: pd.DataFrame                     # per scenario: the assignment diff's counts
    changes: pd.DataFrame                  # per scenario and cadre: what changed
    sweep: pd.DataFrame                    # budget sweep: budget, share met, cost, status
    runs: pd.DataFrame                     # every run: name, folder, status, seconds, error
    wall_seconds: float = 0.0
    files: dict[str, Path] = field(default_factory=dict)
    jobs: int | None = None
    shown: Path | None = None              # where `out` will be once complete (it is written elsewhere first)
    lang: str = "en"                       # the handout's, workbook's and console's language

    def folder(self, name: str) -> Path:
        return self.out / name


def _run_one(job: dict) -> dict:
    """One plan in a worker process: apply the scenario to the data, plan, write <folder>."""
    t = time.perf_counter()
    ds, pol = job["data"], job["policy"]
    try:
        if job.get("budget") is not None:
            pol = pol.with_overrides({"budget.total": job["budget"]}, "budget sweep")
        # a scenario (a Scenario) is applied inside the recipe; the baseline and a sweep run are only named
        run_plan(ds, job["year"], job["folder"], policy=pol, district=job["district"],
                 scenario=job["scenario"] if job["scenario"] is not None else job["name"])
        status, error = "done", ""
    except InfeasiblePlan as e:
        status, error = "infeasible", str(e)
    except PlanningError as e:
        status, error = "error", str(e)
    except Exception as e:  # noqa: BLE001 — one failed plan must not lose the others; reported in the table
        status, error = "error", f"{type(e).__name__}: {e}"
    return {"name": job["name"], "kind": job["kind"], "folder": str(job["folder"]), "run": status, "error": error,
            "budget": job.get("budget"), "fraction": job.get("fraction"),
            "seconds": round(time.perf_counter() - t, 2)}


def run_comparison(data: str | Path | Dataset, year: int, scenarios: list[str | Path | Scenario], out: str | Path, *,
                   policy: Policy | str | Path | None = None, time_limit: float | None = None,
                   solver: str | None = None, district: str | None = None, jobs: int | None = None,
                   sweep: list[float] | tuple[float, ...] | None = DEFAULT_SWEEP,
                   sweep_time_limit: float | None = None, workbook: bool = True, handout: bool = True,
                   progress: Callable[[str], None] | None = None, lang: str | None = None) -> Comparison:
    """Plan the baseline and every scenario (and the budget sweep) in parallel, then compare.

    Every scenario is parsed and applied before anything is solved, so a bad scenario stops the
    run at once with its file and edit named (ScenarioError / PolicyError). `out` is checked
    first and written as a whole (planning.io: a new, empty or planner-written folder). `lang`
    ("en"/"zh") is the handout's, workbook's and progress lines' language; None = the data's
    (planning.messages.data_lang: most cadre and unit names Chinese -> "zh")."""
    t0 = time.perf_counter()
    target = check_output_target(out, [data, policy, *scenarios], kind="comparison")
    with hold_output(target), atomic_dir(target, kind="comparison") as tmp:
        cmp = _compare(data, year, scenarios, tmp, target, t0, policy=policy, time_limit=time_limit, solver=solver,
                       district=district, jobs=jobs, sweep=sweep, sweep_time_limit=sweep_time_limit,
                       workbook=workbook, handout=handout, progress=progress, lang=lang)
        if len(cmp.runs):  # the folders as they will be once `tmp` is in place
            cmp.runs["folder"] = [str(target / Path(f).relative_to(tmp)) for f in cmp.runs["folder"]]
        cmp.wall_seconds = round(time.perf_counter() - t0, 1)
        write_json({"wall_seconds": cmp.wall_seconds, "jobs": cmp.jobs, "names": cmp.names,
                    "runs": cmp.runs.to_dict("records")}, tmp / "runs.json")
    cmp.files = {k: target / Path(v).relative_to(tmp) for k, v in cmp.files.items()}
    cmp.out, cmp.shown = target, None
    return cmp


def _compare(data, year, scenarios, out: Path, shown: Path, t0: float, *, policy, time_limit, solver, district, jobs,
             sweep, sweep_time_limit, workbook, handout, progress, lang=None) -> Comparison:
    from planning.compare.words import Words
    from planning.messages import data_lang

    say = progress or (lambda s: None)
    overrides = {k: v for k, v in {"solver.name": solver, "solver.time_limit": time_limit}.items() if v is not None}
    base_pol = resolve_policy(policy, overrides)
    ds = data if isinstance(data, Dataset) else load_dataset(data, year)
    lang = lang or data_lang(list(ds.cadres["name"]) + list(ds.units["name"]))
    scen: dict[str, Scenario | None] = {BASE: None}
    edited: dict[str, Dataset] = {BASE: filter_district(ds, district)}
    for s in scenarios:
        sc = s if isinstance(s, Scenario) else load_scenario(s)
        if sc.name == BASE:
            raise ScenarioError(f"the name {BASE!r} is the baseline's; give the scenario another name", sc.source)
        if sc.name in scen:
            raise ScenarioError(f"two scenarios are called {sc.name!r}; names must differ (they name the folders)",
                                sc.source)
        sds, _ = apply_scenario(ds, sc, year, base_pol)  # errors now, before any solve
        scen[sc.name] = sc
        edited[sc.name] = filter_district(sds, district)
    w = Words(lang, {n: sc.title(lang) for n, sc in scen.items() if sc is not None})
    fractions = sorted({float(f) for f in (sweep or ())})
    bad = [f for f in fractions if not 0 < f <= 2]
    if bad:
        raise PolicyError(f"budget sweep fractions must lie in (0, 2] (shares of the baseline's cost), not {bad[0]}",
                          "budget sweep")
    sweep_pol = base_pol.with_overrides({"solver.time_limit": sweep_time_limit}, "budget sweep") \
        if sweep_time_limit else base_pol
    cores = os.cpu_count() or 1
    jobs = max(1, int(jobs or cores))
    if jobs > 1 and int(base_pol["solver.threads"]) * jobs > cores:
        # plans solved at once share the cores: more threads than cores slows every LP bound
        threads = {"solver.threads": max(1, cores // jobs)}
        base_pol = base_pol.with_overrides(threads, "compare --jobs")
        sweep_pol = sweep_pol.with_overrides(threads, "compare --jobs")
    common = dict(data=ds, year=year, district=district)
    results: list[dict] = []
    # spawn, not fork: a notebook kernel or a solver may hold threads in the parent
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        # a scenario relative to the baseline (budget.share_of_baseline) waits for the baseline's cost
        later = [n for n in scen if scen[n] is not None and scen[n].needs_baseline]
        pending = {pool.submit(_run_one, dict(common, name=n, kind="scenario" if n != BASE else "baseline",
                                              scenario=scen[n], policy=base_pol, folder=out / n))
                   for n in scen if n not in later}
        say(w("t_planning", n=len(scen), k=len(scen) - 1, jobs=jobs))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                r = f.result()
                results.append(r)
                say(w("t_run", name=w.run_name(r), run=w.run(r["run"]), seconds=r["seconds"]))
                if r["name"] == BASE and r["kind"] == "baseline" and later:
                    cost = float(T.read_summary(out / BASE).get("cost") or 0) if r["run"] == "done" else None
                    for n in later:  # without a baseline cost the run plans its own baseline first
                        sc = scen[n].with_baseline_cost(cost) if cost else scen[n]
                        pending.add(pool.submit(_run_one, dict(common, name=n, kind="scenario", scenario=sc,
                                                               policy=base_pol, folder=out / n)))
                if r["name"] == BASE and r["kind"] == "baseline" and r["run"] == "done" and fractions:
                    cost = float(T.read_summary(out / BASE).get("cost") or 0)
                    if cost > 0:
                        for fr in fractions:
                            label = f"budget-{round(fr * 100):03d}"
                            pending.add(pool.submit(_run_one, dict(
                                common, name=label, kind="sweep", scenario=None, policy=sweep_pol,
                                folder=out / SWEEP_DIR / label, budget=round(fr * cost, 2), fraction=fr)))
                        say(w("t_sweep", n=len(fractions),
                              shares=("、" if lang == "zh" else ", ").join(f"{f:.0%}" for f in fractions)))
    runs = pd.DataFrame(results)
    names = list(scen)
    summaries = {n: T.read_summary(out / n) for n in names}
    extra = {n: T.absence_kpis(out / n, edited[n], year) for n in names}
    table = T.comparison_table(summaries, extra, BASE)
    base_plan, base_cov = T.plan_and_coverage(out / BASE)
    diff_rows, change_frames = [], []
    for n in names[1:]:
        plan, cov = T.plan_and_coverage(out / n)
        counts, changes = T.assignment_diff(base_plan, base_cov, plan, cov)
        diff_rows.append({"scenario": n, **counts})
        change_frames.append(changes.assign(scenario=n))
    diff = pd.DataFrame(diff_rows, columns=["scenario", "cadres_changing_classes", "cadres_changing_rotation",
                                            "gain_requirement", "lose_requirement", "net_requirement"])
    changes = pd.concat(change_frames, ignore_index=True) if change_frames else pd.DataFrame()
    if len(changes):
        changes = changes[["scenario"] + [c for c in changes.columns if c != "scenario"]]
        names_of = dict(zip(ds.cadres["cadre_id"], ds.cadres["name"]))  # ids with names, as every handout shows them
        units_of = dict(zip(ds.units["unit_id"], ds.units["name"]))
        changes.insert(changes.columns.get_loc("cadre_id") + 1, "name", changes["cadre_id"].map(names_of).fillna(""))
        changes.insert(changes.columns.get_loc("unit_id") + 1, "unit", changes["unit_id"].map(units_of).fillna(""))
    sweep_df = _sweep_table(runs, out, summaries.get(BASE, {}))
    cmp = Comparison(out, year, names, scen, summaries, table, diff, changes, sweep_df, runs, shown=shown, lang=lang)
    cmp.jobs = jobs
    cmp.wall_seconds = round(time.perf_counter() - t0, 1)
    _write(cmp, workbook=workbook, handout=handout)
    return cmp


def _sweep_table(runs: pd.DataFrame, out: Path, base: dict) -> pd.DataFrame:
    cols = ["point", "fraction of baseline cost", "budget", "cost", "requirement_met_share", "requirement_met",
            "weighted_coverage", "status", "gap"]
    rows = []
    if len(runs):
        for r in runs[runs["kind"] == "sweep"].sort_values("fraction").to_dict("records"):
            s = T.read_summary(r["folder"])
            rows.append({"point": r["name"], "fraction of baseline cost": r["fraction"], "budget": r["budget"],
                         "cost": s.get("cost"), "requirement_met_share": s.get("requirement_met_share"),
                         "requirement_met": s.get("requirement_met"), "weighted_coverage": s.get("weighted_coverage"),
                         "status": s.get("status", r["run"]), "gap": s.get("gap")})
    if rows and base.get("status") in ("optimal", "feasible"):
        rows.append({"point": "baseline (no budget limit)", "fraction of baseline cost": None, "budget": base.get("budget"),
                     "cost": base.get("cost"), "requirement_met_share": base.get("requirement_met_share"),
                     "requirement_met": base.get("requirement_met"), "weighted_coverage": base.get("weighted_coverage"),
                     "status": base.get("status"), "gap": base.get("gap")})
    return pd.DataFrame(rows, columns=cols)


def _write(cmp: Comparison, *, workbook: bool, handout: bool) -> None:
    out = cmp.out
    flat = cmp.table.reset_index()
    write_csv(flat, out / "comparison.csv")
    write_csv(cmp.diff, out / "assignment_diff.csv")
    if len(cmp.changes):
        write_csv(cmp.changes, out / "cadre_changes.csv")
    if len(cmp.sweep):
        write_csv(cmp.sweep, out / "budget_sweep.csv")
    write_json({"year": cmp.year, "names": cmp.names,
                "table": {k: {n: _plain(v) for n, v in row.items()} for k, row in cmp.table.drop(columns="label").iterrows()},
                "diff": cmp.diff.to_dict("records"), "sweep": [{k: _plain(v) for k, v in r.items()}
                                                               for r in cmp.sweep.to_dict("records")]},
               out / "comparison.json")
    cmp.files.update({"table": out / "comparison.csv", "json": out / "comparison.json"})
    if workbook:
        from planning.compare.handout import write_workbook

        cmp.files["workbook"] = write_workbook(cmp, out / WORKBOOK)
    if handout:
        from planning.compare.handout import write_handout

        cmp.files["handout"] = write_handout(cmp, out / HANDOUT)


def _plain(v: Any):
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    return v
