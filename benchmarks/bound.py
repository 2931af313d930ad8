"""A reference bound on the joint model, proven without a time limit.

At 5,000 cadres with every class windowed the joint MIP (dates and attendance together) cannot
be solved, so the planner's 2-minute plan is measured against the tightest valid bound this
machine can prove with more time: the same Lagrangian dual the planner uses (prices on seats,
unit days and budget, every windowed class free to take any of its dates, so the bound holds for
the joint model), run for `--steps` subgradient steps with `--master-rounds` rounds of the master
LP (column generation over every bundle the steps have seen), no deadline; by default 30 steps,
then up to 6 master rounds priced at the master's duals alone. Prints the bound, the steps and
master rounds taken, seconds, and — given `--plan-objective` — how far that plan lies below the
bound.

    .venv/bin/python benchmarks/bound.py --size 5000 --plan-objective 1826190.08
    .venv/bin/python benchmarks/bound.py --size 5000 --master-rounds 0 --steps 1500   # subgradient only
    .venv/bin/python benchmarks/bound.py --data DIR --rotation-start --plan-objective P   # a county on disk (e.g.
        # `planning generate --size 6000 --seed 7`), the steps starting at the rotation posts' clearing prices as in
        # the planner from lagrange.rotation_start_cadres up
    .venv/bin/python benchmarks/bound.py --data DIR --rotation-start --large --master-points 4 --master-tol 0.001 \
        --steps 10 --master-rounds 8   # the planner's large-roster master (lagrange.master_large_cadres up)
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


def main() -> None:
    from planning.data.generate import generate, write_dataset
    from planning.data.load import load_dataset
    from planning.model import lagrange
    from planning.model.greedy import bundle_plan, greedy_plan
    from planning.model.problem import build_problem
    from planning.policy import load_policy

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=5000)
    ap.add_argument("--windowed-share", type=float, default=1.0)
    ap.add_argument("--data", default=None, help="a data folder instead of a generated county (--size, --seed ignored)")
    ap.add_argument("--rotation-start", action="store_true",
                    help="start the steps at the rotation posts' clearing prices (the planner's large-roster start)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--steps", type=int, default=45)
    ap.add_argument("--master-rounds", type=int, default=6)
    ap.add_argument("--master-after", type=int, default=30)
    ap.add_argument("--master-time", type=float, default=120.0)
    ap.add_argument("--master-smooth", type=float, default=0.0,
                    help="0: price at the master's duals alone; 0.5: halfway back to the best prices (the planner's)")
    ap.add_argument("--master-patience", type=int, default=5)
    ap.add_argument("--master-points", type=int, default=1,
                    help="prices tried per master round, from --master-smooth of the way back to the best down to the duals")
    ap.add_argument("--master-tol", type=float, default=0.0)
    ap.add_argument("--large", action="store_true",
                    help="the planner's large-roster master (lagrange.master_large_cadres): after 2 steps, unit days "
                         "priced at the best prices instead of rows")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--plan-objective", type=float, default=None,
                    help="a plan's objective on the same instance (e.g. from benchmarks/run.py)")
    args = ap.parse_args()

    if args.data:
        ds = load_dataset(args.data, args.year)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            write_dataset(generate(args.size, year=args.year, seed=args.seed, windowed_share=args.windowed_share), tmp)
            ds = load_dataset(tmp, args.year)
    prob = build_problem(ds, args.year, load_policy(None, {}))
    data = lagrange.prepare(prob)
    lagrange.set_threads(args.threads)
    lagrange.warm_up(data)
    # the step length aims at the gap to a known plan, as in the planner: the greedy and bundle
    # heuristics' best, or the plan given
    score = lambda pairs: lagrange.objective(data, lagrange.positions(data, pairs))  # noqa: E731
    target = max(score(greedy_plan(prob)), score(bundle_plan(prob)), args.plan_objective or -float("inf"))
    t = time.perf_counter()
    # date_share 0: every step prices the joint problem (no step fixes the dates), so the bound
    # is one on the joint model
    res = lagrange.relax(prob, iterations=args.steps, target=target, data=data, date_share=0.0,
                         master_rounds=args.master_rounds, master_after=args.master_after,
                         master_time=args.master_time, master_max_bundles=10 ** 9,
                         master_smooth=args.master_smooth, master_patience=args.master_patience, threads=args.threads,
                         master_points=args.master_points, master_tol=args.master_tol,
                         master_large_cadres=0 if args.large else 10 ** 9,
                         rotation_start_cadres=0 if args.rotation_start else 10 ** 9)
    secs = time.perf_counter() - t
    out = {"cadres": len(prob.cadre_ids), "data": args.data or f"generated, windowed share {args.windowed_share}", "pairs": prob.n_pairs,
           "target": round(target, 2), "bound": round(res.bound, 2), "steps": res.iterations, "master_rounds": res.master_rounds,
           "inexact": res.inexact, "seconds": round(secs, 1),
           # the best L after every 10th step (the master rounds count one step each)
           "best_every_10": [round(min(res.history[:i + 1]), 1) for i in range(0, len(res.history), 10)],
           "last": [round(v) for v in res.history[-12:]],
           "plan_from_prices": round(res.plan_objective, 2) if res.plan is not None else None}
    if args.plan_objective is not None:
        out["plan_objective"] = args.plan_objective
        out["plan_below_bound"] = round((res.bound - args.plan_objective) / abs(res.bound), 5)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
