"""One simulated run (`simulate_years`: plan, carry out, close, advance, year after year) and the
whole simulation (`simulate`: the runs in parallel on the batch executors, then kpis.csv,
summary.json and the report), each read top to bottom as a recipe."""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import math
import pickle
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from planning.batch.executors import default_jobs, error_text, open_pool
from planning.data.dataset import Dataset
from planning.data.write import dataset_text, write_tables
from planning.errors import DataError, PlanningError, Problem
from planning.inyear import next_year_data, year_record
from planning.io import (atomic_dir, atomic_path, ensure_output_root, hold_output, sweep_leftovers, write_csv,
                         write_json)
from planning.pipeline import (PlanResult, filter_district, load_data, plan_policy, run_plan, scenario_of,
                               with_scenario, write_plan)
from planning.policy import Policy
from planning.simulate.carry import draw_attendance
from planning.simulate.kpis import year_kpis
from planning.simulate.world import advance
from planning.simulate.words import bar_words

MODES = ("fast", "full")
KPI_COLUMNS = ["run", "year", "kpi", "value", "offer_scale"]


class SimulationError(PlanningError):
    """Bad simulation arguments (exit 2, nothing written)."""

    exit_code = 2


@dataclass
class Spec:
    """Everything a run needs (picklable: it travels to the workers)."""

    data: Dataset
    policy: Policy
    start_year: int
    years: int
    seed: int
    mode: str = "fast"
    keep_years: bool = False
    fingerprint: str = ""
    scales: tuple[float, ...] = (1.0,)
    runs: int = 1
    district: str | None = None
    offers: dict[int, Dataset] = field(default_factory=dict)  # year -> that year's offer, given by the data


def year_policy(policy: Policy, mode: str) -> Policy:
    """The planner's policy for one simulated year: `full` = the annual optimizer, its
    large-neighbourhood search ended by the count simulation_full.lns_neighbourhoods and the
    year by simulation_full.time_limit (a safety stop); `fast` = the heuristic layers with the
    step counts of simulation_fast.* and no exact MIP (search.full_mip_pairs 0). Both end on
    counts, not the clock, so the same seed gives the same plans (unless the safety stop hits)."""
    if mode == "full":
        return policy.with_overrides({
            "lns.max_neighbourhoods": policy["simulation_full.lns_neighbourhoods"],
            "solver.time_limit": policy["simulation_full.time_limit"],
        })
    return policy.with_overrides({
        "search.full_mip_pairs": 0,
        "lagrange.iterations": policy["simulation_fast.lagrange_iterations"],
        "lagrange.master_rounds": policy["simulation_fast.master_rounds"],
        "lagrange.date_sweeps": policy["simulation_fast.date_sweeps"],
        "search.passes": policy["simulation_fast.search_passes"],
        "lagrange.repair_passes": policy["simulation_fast.repair_passes"],
        "solver.time_limit": policy["simulation_fast.time_limit"],
        "solver.threads": policy["simulation_fast.threads"],
        "lns.enabled": False,  # fast mode ends on counts, not on the clock
    })


def scale_offer(ds: Dataset, scale: float) -> Dataset:
    """The offer with class capacities and rotation slots times `scale` (rounded, at least 1; a
    class's min_size at most its new capacity)."""
    if scale == 1.0:
        return ds
    out = ds.copy()
    cls = out.classes.copy()
    cap = [max(1, int(math.floor(int(c) * scale + 0.5))) for c in cls["capacity"]]
    cls["capacity"] = pd.Series(cap, index=cls.index, dtype=object)
    if "min_size" in cls.columns:
        cls["min_size"] = pd.Series([None if m is None else min(int(m), c) for m, c in zip(cls["min_size"], cap)],
                                    index=cls.index, dtype=object)
    out.tables["classes"] = cls
    rot = out.rotations.copy()
    rot["slots"] = pd.Series([max(1, int(math.floor(int(s) * scale + 0.5))) for s in rot["slots"]],
                             index=rot.index, dtype=object)
    out.tables["rotations"] = rot
    return out


def run_name(k: int, scale: float, scales: tuple[float, ...]) -> str:
    """Run folder names: 001, 002 … ; with several offer scales x0.8_001, x1_001 …"""
    return f"{k + 1:03d}" if len(scales) == 1 else f"x{scale:g}_{k + 1:03d}"


def rng_of(seed: int, k: int) -> np.random.Generator:
    """Run k's random numbers: the same for every offer scale (common random numbers: the offer
    curve compares scales on the same draws)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(k)]))


def _zero_seconds(value):
    if isinstance(value, dict):
        return {k: _zero_seconds(v) for k, v in value.items()}
    return 0.0 if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _repeatable(result: PlanResult) -> PlanResult:
    """Timings (every `*_seconds` entry) zeroed in a kept plan's summary, so that the same run
    writes the same bytes."""
    for k in list(result.summary):
        if k.endswith("_seconds") and result.summary[k] is not None:
            result.summary[k] = _zero_seconds(result.summary[k])
    return result


_FIRST: dict[tuple[str, str, float], PlanResult] = {}  # (fingerprint, mode, offer scale) -> the first year's plan


def first_plan(spec: Spec, scale: float, ds: Dataset, pol: Policy) -> PlanResult:
    """The first simulated year's plan: every run of a simulation starts from the same data and
    policy, so the (deterministic) planner gives every run the same plan; a worker plans it once
    and its other runs take it from here (only this simulation's plans are kept: memory stays flat)."""
    key = (spec.fingerprint, spec.mode, scale)
    if key not in _FIRST:
        if spec.fingerprint and any(k[0] != spec.fingerprint for k in _FIRST):
            _FIRST.clear()
        result = run_plan(ds, spec.start_year, policy=pol)
        if not spec.fingerprint:  # a Spec made by hand (no fingerprint): nothing to key it on
            return result
        _FIRST[key] = result
    return _FIRST[key]


def simulate_years(spec: Spec, k: int, scale: float, folder: Path | None = None, on_year=None) -> list[dict]:
    """Run k at one offer scale: every year planned by the planner, carried out, closed into the
    next year's data set (planning.inyear) and the world advanced (planning.simulate.world).
    With `folder`, each year's data set and checked plan go to <folder>/<year>/data and /plan.
    `on_year(years_done)` is called after each year (progress). Returns the KPI rows (run, year,
    kpi, value, offer_scale)."""
    pol = year_policy(spec.policy, spec.mode)
    # the planner's small matrix products (the Lagrangian's prices) on one BLAS thread: the runs
    # are the parallel work, and OpenBLAS's threads made each product 10x slower on a busy machine
    with threadpool_limits(limits=int(pol["simulation_fast.threads"]), user_api="blas"):
        return _years(spec, k, scale, pol, folder, on_year)


def _years(spec: Spec, k: int, scale: float, pol: Policy, folder: Path | None, on_year) -> list[dict]:
    rng = rng_of(spec.seed, k)
    ds = scale_offer(spec.data, scale)
    name = run_name(k, scale, spec.scales)
    rows: list[dict] = []
    for year in range(spec.start_year, spec.start_year + spec.years):
        result = first_plan(spec, scale, ds, pol) if year == spec.start_year else run_plan(ds, year, policy=pol)
        attendance = draw_attendance(result.plan, pol, rng)
        record = year_record(ds, result.plan, year, pol, attendance)
        given = spec.offers.get(year + 1)
        closed = next_year_data(ds, record, year, offer=None if given is None else scale_offer(given, scale))
        nxt, events = advance(closed, ds, record, year, pol, rng, renew=given is None)
        kpis = year_kpis(result, record, closed.history, year, pol, events.counts())
        if folder is not None:
            (folder / str(year) / "data").mkdir(parents=True)
            # the year's data set with what happened (its attendance: the withdrawals drawn), so that
            # `planning close-year DATA PLAN --year Y` gives the next year's history again
            write_tables(dataset_text(Dataset({**ds.tables, "attendance": attendance}, ds.source)),
                         folder / str(year) / "data")
            write_plan(_repeatable(result), folder / str(year) / "plan", year=year)
        rows += [{"run": name, "year": year, "kpi": kpi, "value": value, "offer_scale": scale}
                 for kpi, value in kpis.items()]
        ds = nxt
        if on_year is not None:
            on_year(year - spec.start_year + 1)
    return rows


@dataclass(frozen=True)
class SpecBlob:
    """A Spec pickled once for all the jobs (3.4 MB on the sample: pickling it for each of 100
    runs cost the parent 9 s and each worker its unpickling); a worker unpickles it once."""

    key: str  # the bytes' hash
    data: bytes

    @classmethod
    def of(cls, spec: Spec) -> "SpecBlob":
        data = pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)
        return cls(hashlib.sha256(data).hexdigest(), data)


_SPEC: dict[str, Spec] = {}  # a worker's unpickled Spec, by the bytes' hash (the latest only)


def spec_of(spec: Spec | SpecBlob) -> Spec:
    if isinstance(spec, Spec):
        return spec
    if spec.key not in _SPEC:
        _SPEC.clear()
        _SPEC[spec.key] = pickle.loads(spec.data)
    return _SPEC[spec.key]


def run_job(item: tuple[int, float], spec: Spec | SpecBlob, root: Path, on_year=None) -> list[dict]:
    """One run as a job of the pool: written whole into runs/<run>/ (kpis.csv, run.json) or not at
    all; the years done are noted in its progress file (and passed to `on_year`)."""
    spec = spec_of(spec)
    k, scale = item
    name = run_name(k, scale, spec.scales)
    target = root / "runs" / name
    note = progress_file(root, name)
    with atomic_dir(target, kind="simulation run") as tmp:
        rows = simulate_years(spec, k, scale, tmp if spec.keep_years else None,
                              on_year=lambda n: (note.write_text(str(n), encoding="utf-8"), on_year and on_year()))
        write_csv(pd.DataFrame(rows, columns=KPI_COLUMNS), tmp / "kpis.csv")
        write_json({"fingerprint": spec.fingerprint, "run": k + 1, "offer_scale": scale}, tmp / "run.json")
    return rows


def progress_file(root: Path, name: str) -> Path:
    """Where a running run notes how many of its years are done (the progress bar reads it; removed at the end)."""
    return root / "runs" / f".progress-{name}"


def years_done(root: Path, name: str) -> int:
    try:
        return int(progress_file(root, name).read_text(encoding="utf-8") or 0)
    except (OSError, ValueError):
        return 0


def done_rows(target: Path, fingerprint: str) -> list[dict] | None:
    """A completed run's KPI rows when it was made with the same arguments (resume), else None."""
    try:
        meta = json.loads((target / "run.json").read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fingerprint:
            return None
        return pd.read_csv(target / "kpis.csv", dtype={"run": str}).to_dict("records")
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- the whole simulation
@dataclass
class SimulationResult:
    out: Path
    kpis: pd.DataFrame
    summary: dict
    ran: int = 0
    resumed: int = 0


def check_arguments(years: int, runs: int, mode: str, scales: tuple[float, ...], start_year: int) -> None:
    problems = []
    if years < 1:
        problems.append(f"--years must be at least 1, not {years}")
    if runs < 1:
        problems.append(f"--runs must be at least 1, not {runs}")
    if mode not in MODES:
        problems.append(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not scales or any(not (s > 0 and math.isfinite(s)) for s in scales):
        problems.append(f"--offer-scale values must be numbers above 0, not {list(scales)}")
    if len(set(scales)) != len(scales):
        problems.append(f"--offer-scale lists a value twice: {list(scales)}")
    if not 1900 <= start_year <= 2200:
        problems.append(f"--start-year {start_year} is not a plan year")
    if problems:
        raise SimulationError("; ".join(problems))


OFFER_TABLES = ("classes", "rotations", "blackouts", "busy", "holidays")


def load_offers(folder: str | Path | None, ds: Dataset, years) -> dict[int, Dataset]:
    """The offers the data gives for later years: <folder>/<year>/ (a folder of contract CSV files
    or <folder>/<year>.xlsx) with that year's classes (required) and rotations, blackouts, busy
    periods and holidays (optional). Each is validated against the starting data for its year
    (DataError naming the table, row and column; nothing written). Years without one: the base
    offer re-dated."""
    if folder is None:
        return {}
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError([Problem("offers", None, None, f"{folder} is not a folder (expected <year>/ folders inside)")])
    from planning.data.load import empty_table, read_table
    from planning.data.schema import TABLES
    from planning.data.validate import validate_dataset

    out: dict[int, Dataset] = {}
    for y in years:
        src = folder / str(y) if (folder / str(y)).is_dir() else folder / f"{y}.xlsx"
        if not src.exists():
            continue
        tables, problems = {}, []
        for name in OFFER_TABLES:
            present = (src / f"{name}.csv").is_file() if src.is_dir() else True
            if not present and name != "classes":
                tables[name] = empty_table(TABLES[name])
                continue
            tables[name], p = read_table(src, name)
            problems += [Problem(f"{src.name}/{x.table}", x.row, x.column, x.message) for x in p
                         if name == "classes" or "holds no" not in x.message]
        if problems:
            raise DataError(problems)
        validate_dataset(Dataset({**ds.tables, **tables, "history": ds.history.iloc[0:0],
                                  "pins": ds.pins.iloc[0:0], "attendance": ds.attendance.iloc[0:0]}, str(src)), y)
        out[y] = Dataset(tables, str(src))
    return out


def fingerprint(spec: Spec, scenario: str | None) -> str:
    """What makes a run's results: its data, policy, years, seed, mode and what it keeps."""
    h = hashlib.sha256()
    for name, df in sorted(dataset_text(spec.data).items()):
        h.update(name.encode())
        h.update(df.to_csv(index=False).encode())
    h.update(spec.policy.to_yaml().encode())
    for year, offer in sorted(spec.offers.items()):
        h.update(str(year).encode())
        for name, df in sorted(dataset_text(offer).items()):
            h.update(name.encode())
            h.update(df.to_csv(index=False).encode())
    h.update(json.dumps([spec.start_year, spec.years, spec.seed, spec.mode, spec.keep_years, scenario,
                         spec.district]).encode())
    return h.hexdigest()[:16]


def prepare(data, start_year: int, years: int, runs: int, seed: int, *, policy=None, scenario=None,
            mode: str = "fast", scales=(1.0,), keep_years: bool = False, time_limit: float | None = None,
            district: str | None = None, offers: str | Path | None = None) -> Spec:
    """Check the arguments, load and validate the data, apply the scenario, keep the district, and
    check that the offer can be re-dated through every simulated year — all before anything is written."""
    scales = tuple(float(s) for s in scales)
    check_arguments(years, runs, mode, scales, start_year)
    pol = plan_policy(policy, time_limit=time_limit)
    if time_limit is not None:  # --time-limit: the full mode's safety stop per year
        pol = pol.with_overrides({"simulation_full.time_limit": float(time_limit)})
    ds = load_data(data, start_year)
    sc = scenario_of(scenario)
    ds, pol, name = with_scenario(ds, pol, sc, start_year)
    ds = filter_district(ds, district)
    given = load_offers(offers, ds, range(start_year + 1, start_year + years))
    from planning.inyear import redate_offer

    for y in range(start_year + 1, start_year + years):
        if y not in given:
            redate_offer(ds, start_year, y)  # DataError naming the rows that cannot move
    spec = Spec(ds, pol, start_year, years, int(seed), mode, keep_years, scales=scales, runs=runs, district=district,
                offers=given)
    spec.fingerprint = fingerprint(spec, name if isinstance(name, str) else None)
    return spec


def simulate(data, start_year: int, years: int, runs: int, seed: int, out: str | Path, *, policy=None, scenario=None,
             mode: str = "fast", scales=(1.0,), keep_years: bool = False, jobs: int | None = None,
             scheduler: str | None = None, client=None, time_limit: float | None = None, lang: str | None = None,
             district: str | None = None, offers: str | Path | None = None, progress: bool = True,
             report: bool = True) -> SimulationResult:
    """The simulation as a recipe: prepare (check, load, scenario, re-date test) → open the output
    → skip the runs already complete with the same arguments → run the rest in parallel → kpis.csv
    and summary.json → simulation.xlsx and simulation.pdf."""
    spec = prepare(data, start_year, years, runs, seed, policy=policy, scenario=scenario, mode=mode,
                   scales=scales, keep_years=keep_years, time_limit=time_limit, district=district, offers=offers)
    inputs = [data, offers, policy if isinstance(policy, (str, Path)) else None,
              scenario if isinstance(scenario, (str, Path)) else None]
    root = ensure_output_root(out, [i for i in inputs if i is not None], kind="simulation")
    items = [(k, s) for s in spec.scales for k in range(runs)]
    with hold_output(root):  # a second simulation into the same folder stops at once (exit 2)
        names = {run_name(k, s, spec.scales) for k, s in items}
        _drop_stale(root, names)
        rows: dict[tuple[int, float], list[dict]] = {}
        todo = []
        for item in items:
            target = root / "runs" / run_name(*item, spec.scales)
            sweep_leftovers(target)
            got = done_rows(target, spec.fingerprint)
            if got is None:
                todo.append(item)
            else:
                rows[item] = got
        resumed, failed = len(rows), []
        if todo:
            for item, got, err in _run_all(todo, spec, root, jobs=jobs, scheduler=scheduler, client=client,
                                           progress=progress):
                if err is not None:
                    failed.append(f"run {run_name(*item, spec.scales)}: {error_text(err)}")
                else:
                    rows[item] = got
        if failed:
            raise PlanningError("simulation runs failed (the completed ones are kept; run again to resume):\n"
                                + "\n".join(failed))
        kpis = pd.DataFrame([r for item in items for r in rows[item]], columns=KPI_COLUMNS)
        kpis["value"] = pd.to_numeric(kpis["value"], errors="coerce").round(6)
        from planning.simulate.summary import build_summary

        summary = build_summary(kpis, {"data": str(spec.data.source), "district": district, "start_year": start_year,
                                       "years": years, "runs": runs, "seed": int(seed), "mode": mode,
                                       "keep_years": keep_years})
        with atomic_path(root / "kpis.csv") as tmp:
            write_csv(kpis, tmp)
        with atomic_path(root / "summary.json") as tmp:
            write_json(summary, tmp)
        if report:
            from planning.simulate.report import write_reports

            names = [str(n) for n in spec.data.units["name"]] + [str(t) for t in spec.data.classes["title"]]
            write_reports(root, kpis, summary, spec.policy, lang=lang, names=names)
        return SimulationResult(root, kpis, summary, ran=len(todo), resumed=resumed)


def _run_all(todo, spec: Spec, root: Path, *, jobs, scheduler, client, progress: bool):
    """(item, rows, error) for every run: in this process with one job (no fork after the solver
    has started threads here), else on the batch executors (local processes or Dask). The bar
    counts run-years as the runs note them."""
    workers = max(1, min(len(todo), jobs or default_jobs()))
    (root / "runs").mkdir(parents=True, exist_ok=True)
    names = {item: run_name(*item, spec.scales) for item in todo}
    label, unit = bar_words(spec.data)  # the bar's words in the data's language (planning.simulate.words)
    with tqdm(total=len(todo) * spec.years, desc=label, unit=unit, disable=not progress, file=sys.stderr) as bar:
        def show(finished: int, running) -> None:
            bar.n = finished * spec.years + sum(years_done(root, names[i]) for i in running)
            bar.refresh()

        try:
            if workers == 1 and scheduler is None and client is None:
                for n, item in enumerate(todo):
                    try:
                        got, err = run_job(item, spec, root, on_year=lambda: show(n, [item])), None
                    except PlanningError as e:
                        got, err = None, e
                    show(n + 1, [])
                    yield item, got, err
                return
            with open_pool(workers, scheduler=scheduler, client=client) as pool:
                futures = pool.submit_all(run_job, todo, SpecBlob.of(spec), root)
                pending, finished = set(futures), 0
                while pending:
                    done, pending = cf.wait(pending, timeout=1.0, return_when=cf.FIRST_COMPLETED)
                    for fut in done:
                        finished += 1
                        try:
                            got, err = fut.result(), None
                        except Exception as e:  # noqa: BLE001 — a failed run (or a lost worker) is an outcome
                            got, err = None, e
                        yield futures[fut], got, err
                    show(finished, [futures[f] for f in pending if f.running()])  # not 100 files a second
        finally:
            for name in names.values():
                progress_file(root, name).unlink(missing_ok=True)


def _drop_stale(root: Path, names: set[str]) -> None:
    """Run folders of an earlier simulation with other runs or scales: removed, so that the
    output holds exactly this simulation."""
    runs = root / "runs"
    if not runs.is_dir():
        return
    for child in sorted(runs.iterdir()):
        if child.is_dir() and child.name not in names and (child / "run.json").is_file():
            shutil.rmtree(child)
