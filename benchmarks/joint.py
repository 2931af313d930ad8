"""Class timing against the joint exact model, on instances small enough to solve jointly.

For each size, a generated county where every class is windowed (seed 11) is planned twice in
one process: by the planner's own path (heuristics, Lagrangian prices with the dates chosen by
demand and by descent, ejection search; no MIP) and by the joint exact MIP — start-option
binaries linked to attendance, every rule of the annual plan — warm-started from the same
heuristics and given `--mip-time-limit` seconds on one thread. Prints objective, proven bound,
requirement-met share, priority-weighted coverage and seconds of both, and how far the
planner's plan lies below the joint model's plan and below its bound.

    .venv/bin/python benchmarks/joint.py --sizes 120 200 --mip-time-limit 600
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run(size: int, mip_time_limit: float, seed: int, year: int) -> dict:
    from planning.data.generate import generate, write_dataset
    from planning.data.load import load_dataset
    from planning.model.problem import build_problem
    from planning.pipeline import coverage_table, extract, solve_plan
    from planning.policy import load_policy

    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(generate(size, year=year, seed=seed, windowed_share=1.0), tmp)
        ds = load_dataset(tmp, year)
    out = {"cadres": size}
    for label, over in (("planner", {"search.full_mip_pairs": 0, "solver.time_limit": 120}),
                        ("joint", {"search.full_mip_pairs": 10 ** 9, "solver.time_limit": mip_time_limit,
                                   "solver.threads": 1})):
        policy = load_policy(None, over)
        t = time.perf_counter()
        prob = build_problem(ds, year, policy)
        chosen, res, info = solve_plan(prob, policy)
        cov = coverage_table(prob, extract(prob, chosen)["plan"])
        w = cov["weight"]
        out.update({f"{label}_objective": round(res.objective, 2),
                    f"{label}_bound": None if res.best_bound is None else round(res.best_bound, 2),
                    f"{label}_met_share": round(float(cov["met"].mean()), 4),
                    f"{label}_weighted": round(float((w * cov["met"]).sum() / w.sum()), 4),
                    f"{label}_s": round(time.perf_counter() - t, 1), f"{label}_status": res.status,
                    "pairs": prob.n_pairs})
    out["planner_below_joint"] = round(1 - out["planner_objective"] / out["joint_objective"], 5)
    out["planner_below_joint_bound"] = round(1 - out["planner_objective"] / out["joint_bound"], 5)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[120, 200])
    ap.add_argument("--mip-time-limit", type=float, default=600)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--year", type=int, default=2027)
    args = ap.parse_args(argv)
    for size in args.sizes:
        print(json.dumps(run(size, args.mip_time_limit, args.seed, args.year)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
