"""`planning assess` and `planning pool select|review|fill` (DATA_CONTRACT "Pool outputs")."""
from __future__ import annotations

import argparse

from planning.pool.words import say


def add_parser(sub) -> None:
    from planning.cli import year

    def quota(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"must be at least 1, not {text!r}")
        return n

    def common(p) -> None:
        p.add_argument("data")
        p.add_argument("--year", type=year, required=True)
        p.add_argument("--out", required=True)
        p.add_argument("--policy")
        p.add_argument("--lang", choices=("en", "zh"),
                       help="language of the reasons, pool.xlsx and these lines (default: the data's)")

    a = sub.add_parser("assess", help="composite assessment scores per cadre (normalised within level), trend, flags")
    common(a)
    a.set_defaults(func=cmd_assess)

    p = sub.add_parser("pool", help="the reserve-cadre pool: select, review, fill vacancies")
    ps = p.add_subparsers(dest="pool_command", required=True)
    s = ps.add_parser("select", help="a selection round: ranking, difference inspection (1 : 1.5), the chosen "
                                     "under the structure quotas (exit 3 when they cannot hold)")
    common(s)
    s.add_argument("--quota", type=quota, required=True, help="places in the round")
    s.set_defaults(func=cmd_select)
    r = ps.add_parser("review", help="the rolling review (every pool.review_years years): who leaves, who joins")
    common(r)
    r.set_defaults(func=cmd_review)
    f = ps.add_parser("fill", help="leadership vacancies filled from the pool first")
    common(f)
    f.set_defaults(func=cmd_fill)


def _load(args):
    """--out checked before any work (a dangerous or unwritable folder is refused), then data and policy."""
    from planning.data.load import load_dataset
    from planning.io import check_output_target
    from planning.policy import load_policy

    from planning.messages import data_lang

    check_output_target(args.out, _inputs(args))
    policy = load_policy(args.policy)
    ds = load_dataset(args.data, args.year)
    args.lang = args.lang or data_lang(list(ds.cadres["name"]) + list(ds.units["name"]))
    return ds, policy


def _inputs(args) -> list:
    return [args.data] + ([args.policy] if args.policy else [])


def _write(args, files: dict, summary: dict, sheets: dict) -> None:
    """The command's CSV files, summary.json and pool.xlsx (its summary sheet, then `sheets`), atomically."""
    from planning.io import output_dir, write_csv, write_json
    from planning.pool.workbook import summary_frame, write_pool_workbook

    with output_dir(args.out, _inputs(args)) as tmp:
        for name, frame in files.items():
            write_csv(frame, tmp / name)
        write_json(summary, tmp / "summary.json")
        write_pool_workbook(tmp, args.year, {"summary": summary_frame(summary, args.lang), **sheets}, args.lang)


def cmd_assess(args) -> int:
    from planning.pool.assess import assess

    ds, policy = _load(args)
    scores = assess(ds, args.year, policy)
    flagged = scores[scores["flags"] != ""]
    summary = {"year": args.year, "cadres_assessed": len(scores), "flag_low": int(scores["flag_low"].sum()),
               "flag_missing": int(scores["flag_missing"].sum()),
               "mean_composite": round(float(scores["composite"].mean()), 2) if len(scores) else None}
    _write(args, {"scores.csv": scores, "flags.csv": flagged}, summary, {"scores": scores})
    print(say("t_assess", args.lang, n=len(scores), out=args.out, low=summary["flag_low"],
              missing=summary["flag_missing"]))
    return 0


def cmd_fill(args) -> int:
    from planning.pool.fill import fill_vacancies

    ds, policy = _load(args)
    app = fill_vacancies(ds, args.year, policy, lang=args.lang)
    filled = app[app["cadre_id"] != ""]
    summary = {"year": args.year, "vacancies": len(app), "filled": len(filled),
               "from_pool": int(filled["from_pool"].sum()), "unfilled": len(app) - len(filled)}
    _write(args, {"appointments.csv": app}, summary, {"appointments": app})
    print(say("t_fill", args.lang, filled=summary["filled"], vacancies=summary["vacancies"], pool=summary["from_pool"],
              out=args.out))
    return 0


def cmd_select(args) -> int:
    import pandas as pd

    from planning.pool.select import select

    ds, policy = _load(args)
    res = select(ds, args.year, args.quota, policy, lang=args.lang)  # InfeasiblePlan (exit 3) before writing
    _write(args, {"ranking.csv": res.ranking, "inspection.csv": res.inspection, "selected.csv": res.selected},
           res.summary, {"quotas": pd.DataFrame(res.summary["quotas"]), "selected": res.selected,
                         "inspection": res.inspection, "ranking": res.ranking})
    s = res.summary
    print(say("t_select", args.lang, selected=s["selected"], quota=s["quota"], candidates=s["candidates"],
              inspected=s["inspected"], out=args.out))
    if s.get("short_reason"):
        print(f"  {s['short_reason']}")
    return 0


def cmd_review(args) -> int:
    import pandas as pd

    from planning.pool.review import review

    ds, policy = _load(args)
    res = review(ds, args.year, policy, lang=args.lang)
    _write(args, {"pool_changes.csv": res.changes}, res.summary,
           {"changes": res.changes, "quotas": pd.DataFrame(res.summary.get("quotas", []))})
    s = res.summary
    print(say("t_review", args.lang, year=args.year, stay=s["stay"], leave=s["leave"], join=s["join"],
              before=s["size_before"], after=s["size_after"], out=args.out))
    return 0
