"""`planning growth DATA --year Y [--cadre ID ...] [--plan DIR] --out DIR`: growth files (growth.pdf, growth.csv)."""
from __future__ import annotations


def add_parser(sub) -> None:
    from planning.cli import year

    g = sub.add_parser("growth", help="growth files: one PDF page per cadre (training, rotations, assessment "
                                      "radar, pool status, online hours, what is still required); default the pool")
    g.add_argument("data")
    g.add_argument("--year", type=year, required=True)
    g.add_argument("--cadre", nargs="+", metavar="ID", help="the cadres (default: every reserve pool member)")
    g.add_argument("--plan", help="the plan folder of --year (its classes and rotations count as planned)")
    g.add_argument("--out", required=True)
    g.add_argument("--policy")
    g.add_argument("--lang", choices=("en", "zh"), help="language of the file (default: Chinese for Chinese data)")
    g.set_defaults(func=cmd_growth)


def cmd_growth(args) -> int:
    from planning.data.load import load_dataset
    from planning.io import check_output_target, output_dir, write_json
    from planning.policy import load_policy
    from planning.pool.growth import growth_files, plan_frame, write_growth
    from planning.messages import data_lang
    from planning.pool.growth_words import Words

    inputs = [args.data] + ([args.policy] if args.policy else []) + ([args.plan] if args.plan else [])
    check_output_target(args.out, inputs)
    policy = load_policy(args.policy)
    ds = load_dataset(args.data, args.year)
    plan = plan_frame(args.plan) if args.plan else None
    lang = args.lang or data_lang(list(ds.cadres["name"]) + list(ds.units["name"]))
    files = growth_files(ds, args.year, policy, cadres=args.cadre, plan=plan, lang=lang)
    summary = {"year": args.year, "cadres": len(files), "pool_members": sum(bool(g.row["in_pool"]) for g in files),
               "plan": args.plan is not None, "lang": lang,
               "online_met": sum(bool(g.row["online_met"]) for g in files)}
    with output_dir(args.out, inputs) as tmp:
        write_growth(files, tmp, args.year, data_name=str(args.data),
                     target=float(policy["requirement.online_hours"]), lang=lang)
        write_json(summary, tmp / "summary.json")
    print(Words(lang)("t_written", n=len(files), out=args.out))
    return 0
