"""Benchmark the annual plan optimizer against the greedy baseline, HiGHS against CBC.

For each generated instance size, each solver runs in its own process (so its peak
memory is its own) through the planner's own recipe (`pipeline.solve_plan`): problem and
PuLP model build, heuristics, search, solve or bound, objective, proven bound, gap,
requirement-met share and priority-weighted coverage of the plan and of the greedy plan on
the same instance. All ratios in the table come from one run.

    .venv/bin/python benchmarks/run.py                       # 1,000 / 5,000 / 20,000 cadres
    .venv/bin/python benchmarks/run.py --sizes 1000 --solvers highs --time-limit 60
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def one(size: int, solver: str, time_limit: float, gap: float, seed: int, year: int, windowed: float,
        max_options: int = 8, settings: dict | None = None, naive: bool = False) -> dict:
    """Run one (size, solver) through the planner's own recipe and return its measurements
    (called in a child process so that peak memory is this run's alone)."""
    from planning.data.generate import generate, write_dataset
    from planning.data.load import load_dataset
    from planning.model.problem import build_problem
    from planning.pipeline import coverage_table, extract, solve_plan
    from planning.policy import load_policy

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_dataset(generate(size, year=year, seed=seed, windowed_share=windowed), tmp)
        ds = load_dataset(tmp, year)
        t_load = time.perf_counter() - t
    policy = load_policy(None, {"solver.name": solver, "solver.time_limit": time_limit, "solver.gap": gap,
                                "timing.max_options": max_options, **(settings or {})})
    t = time.perf_counter()
    prob = build_problem(ds, year, policy)
    t_problem = time.perf_counter() - t
    t = time.perf_counter()
    chosen, res, info = solve_plan(prob, policy)
    t_total = time.perf_counter() - t

    def kpis(pairs):
        cov = coverage_table(prob, extract(prob, pairs)["plan"])
        w = cov["weight"]
        return float(cov["met"].mean()), float((w * cov["met"]).sum() / w.sum())

    met, wcov = kpis(chosen)
    gmet, gwcov = kpis(info.greedy_chosen)
    extra = {}
    if naive:
        # the same data with every windowed class on its earliest feasible dates, solved the same way
        npol = policy.with_overrides({"timing.max_options": 1})
        t = time.perf_counter()
        nprob = build_problem(ds, year, npol)
        nchosen, nres, _ = solve_plan(nprob, npol)
        ncov = coverage_table(nprob, extract(nprob, nchosen)["plan"])
        nmet = float(ncov["met"].mean())
        nw = float((ncov["weight"] * ncov["met"]).sum() / ncov["weight"].sum())
        extra = {"naive_objective": round(nres.objective, 2), "naive_met_share": round(nmet, 4),
                 "naive_weighted_coverage": round(nw, 4), "naive_s": round(time.perf_counter() - t, 2),
                 "objective_vs_naive": round(res.objective / nres.objective, 4),
                 "naive_gap_to_joint_bound": None if res.best_bound is None else
                 round((res.best_bound - nres.objective) / abs(nres.objective), 5)}
    return {**extra,
        "cadres": size, "solver": solver, "windowed_share": windowed, "date_options": max_options,
        "settings": settings or {},
        "method": info.method, "pairs": prob.n_pairs,
        "variables": info.variables, "constraints": info.constraints, "load_s": round(t_load, 2),
        "problem_s": round(t_problem, 2), "model_s": round(info.build_seconds, 2),
        "solve_s": round(res.solve_seconds, 2), "total_s": round(t_total + t_problem, 2),
        "model_share": round(info.build_seconds / (t_total + t_problem), 3),
        "status": res.status, "objective": round(res.objective, 2),
        "best_bound": None if res.best_bound is None else round(res.best_bound, 2),
        "gap": None if res.gap is None else round(res.gap, 5),
        "greedy_objective": round(info.greedy_objective, 2), "start_objective": round(info.start_objective, 2),
        "ejection_moves": info.ejection_moves, "start_origin": info.start_origin,
        "lagrange_bound": None if info.lagrange_bound is None else round(info.lagrange_bound, 2),
        "lagrange_s": info.lagrange_seconds, "bound_message": res.message, "search_improvements": info.search_improvements,
        "met_share": round(met, 4), "greedy_met_share": round(gmet, 4),
        "weighted_coverage": round(wcov, 4), "greedy_weighted_coverage": round(gwcov, 4),
        "met_ratio": round(met / gmet, 4) if gmet else None, "weighted_ratio": round(wcov / gwcov, 4) if gwcov else None,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--solvers", nargs="+", default=["highs", "cbc"], choices=["highs", "cbc"])
    ap.add_argument("--time-limit", type=float, default=300)
    ap.add_argument("--gap", type=float, default=0.001)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--windowed-share", type=float, default=0.0, help="share of classes given a window instead of dates")
    ap.add_argument("--max-options", type=int, default=8,
                    help="candidate date ranges per windowed class (1 = naive: the earliest feasible dates)")
    ap.add_argument("--naive", action="store_true",
                    help="also solve the same instance with the earliest feasible dates (in the same process)")
    ap.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                    help="policy override, e.g. search.full_mip_pairs=0 (heuristic path even for small instances)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--one", nargs=2, metavar=("SIZE", "SOLVER"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        r = one(int(args.one[0]), args.one[1], args.time_limit, args.gap, args.seed, args.year, args.windowed_share,
                args.max_options, _settings(args.set), args.naive)
        print("RESULT " + json.dumps(r))
        return 0
    rows = []
    for size in args.sizes:
        for solver in args.solvers:
            cmd = [sys.executable, __file__, "--one", str(size), solver, "--time-limit", str(args.time_limit),
                   "--gap", str(args.gap), "--seed", str(args.seed), "--year", str(args.year),
                   "--windowed-share", str(args.windowed_share), "--max-options", str(args.max_options)]
            cmd += [x for kv in args.set for x in ("--set", kv)] + (["--naive"] if args.naive else [])
            t = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            line = next((l for l in p.stdout.splitlines() if l.startswith("RESULT ")), None)
            if line is None:
                print(f"{size} {solver}: failed\n{p.stderr[-2000:]}", file=sys.stderr)
                continue
            r = json.loads(line[7:])
            r["wall_s"] = round(time.perf_counter() - t, 1)
            rows.append(r)
            print(json.dumps(r), flush=True)
    if not rows:
        return 1
    import pandas as pd

    df = pd.DataFrame(rows)
    os.makedirs(args.out, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    df.to_csv(Path(args.out) / f"bench-{stamp}.csv", index=False)
    cols = ["cadres", "solver", "windowed_share", "date_options", "pairs", "model_s", "solve_s", "model_share", "status", "objective", "best_bound", "gap",
            "met_share", "greedy_met_share", "met_ratio", "weighted_ratio", "peak_mb", "wall_s"]
    print(df[cols].to_markdown(index=False) if _has_tabulate() else df[cols].to_string(index=False))
    return 0


def _settings(pairs: list[str]) -> dict:
    import yaml

    out = {}
    for kv in pairs:
        key, _, value = kv.partition("=")
        out[key.strip()] = yaml.safe_load(value)
    return out


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    sys.exit(main())
