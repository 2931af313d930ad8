"""`planning simulate DATA --start-year Y --years K --runs R --seed S --out DIR ...`"""
from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    from planning.cli import _number, jobs, seed, whole_seconds, year

    def scale(text: str) -> float:
        value = _number(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0, not {text!r}")
        return value

    def count(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None

    s = sub.add_parser("simulate", help="simulate several years: plan, carry out, close and move the world on, "
                                        "over seeded runs (five-year coverage, and the offer it takes)")
    s.add_argument("data")
    s.add_argument("--start-year", type=year, required=True)
    s.add_argument("--years", type=count, default=5, help="years to simulate (default 5)")
    s.add_argument("--runs", type=count, default=1, help="Monte Carlo runs per offer scale (default 1)")
    s.add_argument("--seed", type=seed, default=1)
    s.add_argument("--out", required=True)
    s.add_argument("--policy")
    s.add_argument("--scenario", metavar="SCENARIO.yaml", help="apply a scenario's edits and settings to the start")
    s.add_argument("--district", help="simulate one district only")
    s.add_argument("--mode", choices=("fast", "full"), default="fast",
                   help="fast: the heuristic layers with fixed step counts (Monte Carlo); full: the annual optimizer")
    s.add_argument("--time-limit", type=whole_seconds, help="whole seconds per planned year (--mode full)")
    s.add_argument("--offer-scale", type=scale, nargs="+", default=[1.0],
                   help="class capacities and rotation slots times these (the offer curve), e.g. 0.8 1.0 1.2")
    s.add_argument("--offers", metavar="DIR", help="later years' offers given by the data: DIR/<year>/ with that "
                   "year's classes.csv (and rotations, blackouts, busy, holidays); other years re-date the base offer")
    s.add_argument("--jobs", type=jobs, help="runs at once (default: the cores)")
    s.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask cluster")
    s.add_argument("--keep-years", action="store_true",
                   help="keep every year's data set and plan under runs/<run>/<year>/ (planning check accepts them)")
    s.add_argument("--lang", choices=("en", "zh"),
                   help="language of simulation.pdf / .xlsx and these lines (default: the data's)")
    s.add_argument("--no-progress", action="store_true")
    s.set_defaults(func=cmd_simulate)


def cmd_simulate(args) -> int:
    from planning.simulate.run import simulate

    r = simulate(args.data, args.start_year, args.years, args.runs, args.seed, args.out, policy=args.policy,
                 scenario=args.scenario, mode=args.mode, scales=tuple(args.offer_scale), keep_years=args.keep_years,
                 jobs=args.jobs, scheduler=args.scheduler, time_limit=args.time_limit, lang=args.lang,
                 district=args.district, offers=args.offers,
                 progress=not args.no_progress)
    from planning.report.labels import singular_en
    from planning.simulate.report import fmt  # shares as %, counts whole
    from planning.simulate.words import Words

    w = Words(_lang(args))
    last = str(args.start_year + args.years - 1)
    q = r.summary["kpis"]
    done = w("t_done", years=args.years, runs=args.runs, scales=len(r.summary["offer_scales"]), out=r.out, ran=r.ran,
             resumed=r.resumed)
    print(singular_en(done) if w.lang == "en" else done)  # "1 run", "1 offer scale"
    for kpi in ("requirement_met", "five_year_coverage", "overdue", "division_550", "pool_size"):
        v = q.get(kpi, {}).get(last)
        if v and v["median"] is not None:
            print(w("t_kpi", kpi=w.kpi(kpi), year=last, median=fmt(kpi, v["median"]), p10=fmt(kpi, v["p10"]),
                    p90=fmt(kpi, v["p90"])))
    if len(r.summary["offer_scales"]) > 1:
        print(w("t_curve"))
        for p in r.summary["offer_curve"]:
            print(w("t_point", scale=f"{p['offer_scale']:g}", median=fmt("five_year_coverage", p["median"])))
    return 0


def _lang(args) -> str:
    """--lang, else the data's (planning.messages.data_lang, as the simulation's report decides)."""
    if args.lang:
        return args.lang
    from planning.data.load import load_dataset
    from planning.errors import PlanningError
    from planning.messages import data_lang

    try:
        ds = load_dataset(args.data, args.start_year)
    except (PlanningError, OSError):
        return "en"
    return data_lang([str(n) for n in ds.units["name"]] + [str(t) for t in ds.classes["title"]])
