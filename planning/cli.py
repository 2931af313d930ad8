"""The `planning` command: validate, plan, check, policy, report, generate, batch, compare, activities, close-year,
replan, simulate."""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from planning.guard import run_guarded


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


# --------------------------------------------------------------------------- typed arguments
def whole_seconds(text: str) -> int:
    """--time-limit: a whole number of seconds, at least 1."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds, like 60, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 second, not {text!r}")
    return value


def _number(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return value


def share(text: str) -> float:
    """A share from 0 to 1 (--gap, --windowed-share)."""
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must lie between 0 and 1, not {text!r}")
    return value


def fraction_of_cost(text: str) -> float:
    """--sweep: a budget as a share of the baseline's cost, in (0, 2]."""
    value = _number(text)
    if not 0 < value <= 2:
        raise argparse.ArgumentTypeError(f"must lie in (0, 2] (a share of the baseline's cost), not {text!r}")
    return value


def _whole(text: str, lo: int, hi: int | None, what: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < lo or (hi is not None and value > hi):
        raise argparse.ArgumentTypeError(f"{what}, not {text!r}")
    return value


def year(text: str) -> int:
    return _whole(text, 1900, 2200, "must be a year from 1900 to 2200")


def jobs(text: str) -> int:
    return _whole(text, 1, 1024, "must be from 1 to 1024")


def seed(text: str) -> int:
    return _whole(text, 0, 2 ** 32 - 1, "must be a whole number from 0 to 4294967295")


def cmd_validate(args) -> int:
    from planning.data.load import load_dataset
    from planning.facts import cadre_facts
    from planning.policy import load_policy

    from planning.messages import say
    from planning.report.labels import Labels

    policy = load_policy(args.policy)
    ds = load_dataset(args.data, args.year)
    lang = _lang(args, ds)
    labels = Labels(lang)
    f = cadre_facts(ds.cadres, ds.history, args.year, policy)
    print(say("t_valid", lang, data=args.data, year=args.year))
    print(say("t_valid_cadres", lang, cadres=len(ds.cadres), units=len(ds.units), districts=ds.units["district"].nunique()))
    for lv, n in Counter(f["level"]).most_common():
        print(say("t_valid_level", lang, level=lv if lang == "en" else labels.code("level", lv), n=n))
    groups = ("overdue", "reserve", "young", "newly_promoted", "key_post")
    print(say("t_valid_groups", lang, groups=("、" if lang == "zh" else ", ").join(
        say("t_valid_group", lang, group=g if lang == "en" else labels.code("group", g), n=int(f[g].sum()))
        for g in groups)))
    seats = int(ds.classes["capacity"].sum())
    seat_days = float((ds.classes["capacity"] * ds.classes["days"]).sum())
    need = float(f.loc[f["measure"] == "days", "required_days"].sum())
    print(say("t_valid_classes", lang, n=len(ds.classes), windowed=int(ds.classes["start_date"].isna().sum()),
              seats=seats, seat_days=f"{seat_days:,.0f}", need=f"{need:,.0f}"))
    print(say("t_valid_rotations", lang, n=len(ds.rotations),
              slots=int(ds.rotations["slots"].sum()) if len(ds.rotations) else 0))
    print(say("t_valid_periods", lang, blackouts=len(ds.blackouts), busy=len(ds.busy), history=len(ds.history),
              pins=len(ds.pins)))
    if len(ds.online) or len(ds.course_ratings) or len(ds.trainee_ratings):
        print(say("t_valid_ratings", lang, online=len(ds.online), courses=len(ds.course_ratings),
                  trainees=len(ds.trainee_ratings)))
    if len(ds.attendance):
        print(say("t_valid_attendance", lang, n=len(ds.attendance)))
    if len(ds.assessments) or len(ds.candidates) or len(ds.vacancies):
        print(say("t_valid_pool", lang, members=int(ds.cadres["is_reserve"].astype(bool).sum()),
                  assessments=len(ds.assessments), candidates=len(ds.candidates), vacancies=len(ds.vacancies)))
    if ds.warnings:
        print(say("t_valid_warnings", lang, n=len(ds.warnings)))
        for w in ds.warnings:
            print(f"    - {w.text(lang)}")
    return 0


def cmd_plan(args) -> int:
    from planning.pipeline import run_plan

    # a scenario file's edits and settings are applied inside the recipe, as compare and batch do
    res = run_plan(args.data, args.year, args.out, policy=args.policy, solver=args.solver,
                   time_limit=args.time_limit, gap=args.gap, district=args.district,
                   scenario=Path(args.scenario) if args.scenario else None, msg=args.verbose)
    from planning.messages import say, status_line, status_short, warning_lines

    name = res.summary["scenario"] if args.scenario else None
    s = res.summary
    lang = _lang(args, res.data)
    if name:
        print(say("t_scenario", lang, name=name, file=args.scenario))
    gap = "n/a" if s["gap"] is None else f"{s['gap']:.4%}"
    print(say("t_plan_head", lang, out=args.out, status=s["status"] if lang == "en" else status_short(s, lang),
              solver=s["solver"], gap=gap, seconds=f"{s['solve_seconds']:.1f}"))
    print(f"  {status_line(s, lang)}")
    print(say("t_plan_met", lang, met=s["requirement_met"], cadres=s["cadres"], share=f"{s['requirement_met_share']:.1%}",
              greedy=f"{s['greedy_met_share']:.1%}"))
    print(say("t_plan_more", lang, covered=s["overdue_covered"], overdue=s["overdue_total"], filled=s["rotations_filled"],
              slots=s["rotation_slots"], running=s["classes_running"], cancelled=s["classes_cancelled"]))
    for w in warning_lines(s, lang):
        print(say("t_warning", lang, text=w))
    return 0


def _lang(args, ds) -> str:
    """--lang, else the data's language (planning.messages.data_lang: most cadre and unit names Chinese)."""
    from planning.messages import data_lang

    if getattr(args, "lang", None):
        return args.lang
    if ds is None:
        return "en"
    return data_lang(list(ds.cadres["name"]) + list(ds.units["name"]))


def cmd_check(args) -> int:
    from planning.check import check_plan
    from planning.data.load import load_dataset
    from planning.messages import say

    ds = load_dataset(args.data, args.year)
    lang = _lang(args, ds)
    violations = check_plan(ds, args.plan_dir, args.year, args.policy)
    for v in violations:  # the checker's own words: rule by rule, for whoever audits the plan
        print(v)
    if violations:
        _err(say("t_check_invalid", lang, n=len(violations)))
        return 1
    print(say("t_check_valid", lang, plan=args.plan_dir))
    return 0


def cmd_policy(args) -> int:
    from planning.policy import load_policy

    print(load_policy(args.policy).to_yaml(), end="")
    return 0


def cmd_report(args) -> int:
    from planning.io import check_output_file
    from planning.report import build_report, build_workbook

    inputs = [args.plan_dir, args.data, args.policy]
    out = check_output_file(args.out, inputs, kind="report", suffixes=(".pdf",))
    if args.xlsx:
        xlsx = check_output_file(args.xlsx, inputs, kind="workbook", suffixes=(".xlsx",))
        if xlsx == out:
            _err("--out and --xlsx name the same file; give them different names")
            return 2
    from planning.data.load import load_dataset
    from planning.messages import say

    lang = args.lang or _lang(args, load_dataset(args.data, args.year))  # Chinese documents for Chinese data
    build_report(args.plan_dir, args.data, args.year, out, lang=lang, anonymize=args.anonymize, policy=args.policy)
    print(say("t_report", lang, out=out))
    if args.xlsx:
        build_workbook(args.plan_dir, args.data, args.year, args.xlsx, lang=lang, anonymize=args.anonymize,
                       policy=args.policy)
        print(say("t_workbook", lang, out=args.xlsx))
    return 0


def cmd_generate(args) -> int:
    from planning.data import generate

    argv = ["--size", str(args.size), "--year", str(args.year), "--seed", str(args.seed), "--out", args.out]
    if args.xlsx:
        argv += ["--xlsx", args.xlsx]
    if args.windowed_share is not None:
        argv += ["--windowed-share", str(args.windowed_share)]
    if getattr(args, "profile", None):
        argv += ["--profile", args.profile]
    if getattr(args, "lang", None):
        argv += ["--lang", args.lang]
    return generate.main(argv) or 0


def cmd_compare(args) -> int:
    from planning.compare import run_comparison
    from planning.compare.words import words_for
    from planning.messages import status_short

    sweep = () if args.no_sweep else tuple(args.sweep)
    cmp = run_comparison(args.data, args.year, args.scenarios, args.out, policy=args.policy, time_limit=args.time_limit,
                         solver=args.solver, district=args.district, jobs=args.jobs, sweep=sweep,
                         sweep_time_limit=args.sweep_time_limit, progress=print, lang=args.lang)
    w = words_for(cmp)
    t = cmp.table
    print(w("t_written", out=args.out, seconds=cmp.wall_seconds))
    for n in cmp.names:
        s = cmp.summaries[n]
        share = s.get("requirement_met_share")
        status = s.get("status", "error")
        cost = t.at["cost", n] if "cost" in t.index else None
        print(w("t_row", name=w.name(n), status=status_short(s, w.lang) if status in ("optimal", "feasible") else status,
                share=w("t_na") if share is None else f"{share:.1%}",
                cost=w("t_cost", cost=f"{cost:,.0f}") if cost is not None and cost == cost else ""))
    failed = cmp.runs[cmp.runs["run"] != "done"] if len(cmp.runs) else cmp.runs
    for r in failed.to_dict("records"):
        print(w("t_failed_run", name=w.run_name(r), run=w.run(r["run"]),
                error=r["error"].splitlines()[0] if r["error"] else ""))
    for k, f in cmp.files.items():
        print(w("t_file", what=w._t.get(f"file_{k}", k), path=f))
    if len(failed):
        _err(w("t_failed", n=len(failed), names=("、" if w.lang == "zh" else ", ").join(map(w.name, failed["name"]))))
        return 1
    return 0


def cmd_activities(args) -> int:
    if args.check:
        from planning.activities.check import check_activities
        from planning.activities.run import activities_policy

        from pathlib import Path

        used = Path(args.check) / "policy.yaml"  # the policy the calendar was made with, unless one is given
        violations = check_activities(args.data, args.plan_dir, args.check, args.year,
                                      activities_policy(args.policy or (used if used.is_file() else None),
                                                        args.plan_dir))
        for v in violations:
            print(v)
        if violations:
            _err(f"{len(violations)} violation{'' if len(violations) == 1 else 's'}: the activity calendar is not valid")
            return 1
        print(f"The activity calendar in {args.check} is valid.")
        return 0
    if not args.out:
        _err("give --out DIR (where to write the activity calendar) or --check DIR (a calendar to check)")
        return 2
    from planning.activities import run_activities

    from planning.data.load import load_dataset

    lang = args.lang or _lang(args, load_dataset(args.data, args.year))
    res = run_activities(args.data, args.plan_dir, args.year, args.out, policy=args.policy, pdf=not args.no_pdf,
                         lang=lang)
    from planning.activities.words import summary_lines

    for line in summary_lines(res.summary, res.out_dir, lang):
        print(line)
    return 0


def _plan_policy_file(policy: str | None, plan_dir: str):
    """--policy, else the policy the plan was made with (its policy.yaml), else the defaults."""
    from pathlib import Path

    used = Path(plan_dir) / "policy.yaml"
    return policy or (used if used.is_file() else None)


def cmd_close_year(args) -> int:
    from planning.data.load import load_dataset
    from planning.data.write import dataset_text, write_tables
    from planning.inyear import check_base_plan, load_attendance, next_year_data, year_record
    from planning.io import atomic_dir, check_output_target, hold_output
    from planning.policy import load_policy

    policy_file = _plan_policy_file(args.policy, args.plan_dir)
    target = check_output_target(args.out, [args.data, args.plan_dir, args.attendance, policy_file], kind="data set")
    with hold_output(target):
        policy = load_policy(policy_file)
        ds = load_dataset(args.data, args.year)
        attendance = load_attendance(args.attendance) if args.attendance else None
        check_base_plan(ds, args.plan_dir, args.year, policy)
        record = year_record(ds, args.plan_dir, args.year, policy, attendance)
        nxt = next_year_data(ds, record, args.year)
        with atomic_dir(target, kind="data set") as tmp:
            write_tables(dataset_text(nxt), tmp)
    from planning.messages import data_lang, say

    lang = args.lang or data_lang(list(ds.cadres["name"]) + list(ds.units["name"]))
    counts = record["status"].value_counts()
    added = int((record["status"] == "credited").sum())
    print(say("t_close_head", lang, year=args.year, out=target, next=args.year + 1))
    print(say("t_close_counts", lang, n=len(record), credited=counts.get("credited", 0),
              withdrawn=counts.get("withdrawn", 0), share=f"{policy['requirement.leave_max_share']:.1%}",
              absent=counts.get("absent", 0)))
    print(say("t_close_history", lang, rows=len(ds.history), added=added, next=args.year + 1))
    return 0


def cmd_replan(args) -> int:
    from planning.inyear.replan import replan

    r = replan(args.data, args.year, args.base, args.as_of, args.out, policy=args.policy, time_limit=args.time_limit,
               base_data=args.base_data, attendance=args.attendance, msg=args.verbose)
    from planning.messages import data_lang, say, status_short, warning_lines

    s = r.summary
    ds = r.result.data
    lang = args.lang or data_lang(list(ds.cadres["name"]) + list(ds.units["name"]))
    print(say("t_replan_head", lang, as_of=s["replan_as_of"], out=args.out, status=status_short(s, lang),
              seconds=f"{s['solve_seconds']:.1f}"))
    print(say("t_replan_base", lang, n=s["base_assignments"], done=s["base_facts"], under_way=s["base_under_way"]))
    print(say("t_replan_changes", lang, changes=s["changes"], dropped=s["changes_dropped"], added=s["changes_added"],
              cadres=s["changed_cadres"], file="changes.csv"))
    print(say("t_met", lang, met=s["requirement_met"], cadres=s["cadres"], share=f"{s['requirement_met_share']:.1%}"))
    for w in warning_lines(s, lang):
        print(say("t_warning", lang, text=w))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planning", description="Cadre Training Planner")
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check a data set against the data contract and summarise it")
    v.add_argument("data")
    v.add_argument("--year", type=year, required=True)
    v.add_argument("--policy")
    v.add_argument("--lang", choices=("en", "zh"), help="language of these lines (default: the data's)")
    v.set_defaults(func=cmd_validate)

    pl = sub.add_parser("plan", help="make the optimal annual plan")
    pl.add_argument("data")
    pl.add_argument("--year", type=year, required=True)
    pl.add_argument("--out", required=True)
    pl.add_argument("--policy")
    pl.add_argument("--solver", choices=("highs", "cbc"))
    pl.add_argument("--time-limit", type=whole_seconds, help="whole seconds")
    pl.add_argument("--gap", type=share, help="relative MIP gap to stop at, 0 to 1")
    pl.add_argument("--district")
    pl.add_argument("--scenario", metavar="SCENARIO.yaml",
                    help="plan with a scenario file's edits and policy settings applied (as compare and batch do)")
    pl.add_argument("--verbose", action="store_true", help="show the solver's log")
    pl.add_argument("--lang", choices=("en", "zh"), help="language of these lines (default: the data's)")
    pl.set_defaults(func=cmd_plan)

    c = sub.add_parser("check", help="check a plan independently against every rule")
    c.add_argument("data")
    c.add_argument("plan_dir")
    c.add_argument("--year", type=year, required=True)
    c.add_argument("--policy")
    c.add_argument("--lang", choices=("en", "zh"), help="language of the lines (default: the data's language)")
    c.set_defaults(func=cmd_check)

    po = sub.add_parser("policy", help="print the effective policy")
    po.add_argument("--policy")
    po.set_defaults(func=cmd_policy)

    r = sub.add_parser("report", help="the plan as a PDF report (and Excel workbook)")
    r.add_argument("plan_dir")
    r.add_argument("--data", required=True)
    r.add_argument("--year", type=year, required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--xlsx")
    r.add_argument("--lang", choices=("en", "zh"), help="language of the report and workbook (default: the data's)")
    r.add_argument("--anonymize", action="store_true")
    r.add_argument("--policy")
    r.set_defaults(func=cmd_report)

    g = sub.add_parser("generate", help="generate a realistic data set")
    g.add_argument("--size", default="medium")
    g.add_argument("--year", type=year, default=2027)
    g.add_argument("--seed", type=seed, default=7)
    g.add_argument("--out", required=True)
    g.add_argument("--xlsx")
    g.add_argument("--windowed-share", type=share)
    g.add_argument("--profile", choices=("standard", "adversarial"),
                   help="adversarial: busy springs, every class windowed, seats at 0.95 of demand")
    g.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="zh: Chinese names, units, class titles, institutions and reasons (same plan as en)")
    g.set_defaults(func=cmd_generate)

    cm = sub.add_parser("compare", help="plan scenarios in parallel and compare them with the baseline")
    cm.add_argument("data")
    cm.add_argument("--year", type=year, required=True)
    cm.add_argument("--scenarios", nargs="+", required=True, metavar="SCENARIO.yaml")
    cm.add_argument("--out", required=True)
    cm.add_argument("--policy")
    cm.add_argument("--solver", choices=("highs", "cbc"))
    cm.add_argument("--time-limit", type=whole_seconds, help="whole seconds per plan")
    cm.add_argument("--district")
    cm.add_argument("--jobs", type=jobs, help="plans solved at once (default: the cores)")
    cm.add_argument("--sweep", type=fraction_of_cost, nargs="+", default=[0.6, 0.7, 0.8, 0.9],
                    help="budget sweep: budgets as shares of the baseline's cost (default 0.6 0.7 0.8 0.9)")
    cm.add_argument("--no-sweep", action="store_true", help="skip the budget sweep")
    cm.add_argument("--sweep-time-limit", type=whole_seconds,
                    help="whole seconds per sweep plan (default: --time-limit)")
    cm.add_argument("--lang", choices=("en", "zh"),
                    help="language of the handout, workbook and these lines (default: the data's)")
    cm.set_defaults(func=cmd_compare)

    a = sub.add_parser("activities", help="the year's talks, seminars and exchanges beside a plan; .ics calendars, "
                                          "online hours and training evaluation")
    a.add_argument("data")
    a.add_argument("plan_dir")
    a.add_argument("--year", type=year, required=True)
    a.add_argument("--out", help="folder to write activities.csv, pairs.csv, calendars/, activities.xlsx, ...")
    a.add_argument("--check", metavar="DIR", help="check an activity calendar written before (exit 1 when not valid)")
    a.add_argument("--policy", help="policy file (default: the plan's own policy.yaml)")
    a.add_argument("--no-pdf", action="store_true", help="skip activities_report.pdf")
    a.add_argument("--lang", choices=("en", "zh"),
                   help="language of event titles, calendars, reasons and the report (default: the data's)")
    a.set_defaults(func=cmd_activities)

    cy = sub.add_parser("close-year", help="close the year: next year's data set with the credited classes and "
                                           "rotations in its history")
    cy.add_argument("data")
    cy.add_argument("plan_dir")
    cy.add_argument("--year", type=year, required=True)
    cy.add_argument("--attendance", metavar="FILE", help="attendance table (CSV, workbook or folder); default: the "
                                                        "data set's own, else everything as planned")
    cy.add_argument("--out", required=True, help="folder for next year's data set")
    cy.add_argument("--policy", help="policy file (default: the plan's own policy.yaml)")
    cy.add_argument("--lang", choices=("en", "zh"), help="language of these lines (default: the data's)")
    cy.set_defaults(func=cmd_close_year)

    rp = sub.add_parser("replan", help="re-plan during the year with the fewest changes to the published plan")
    rp.add_argument("data", help="the changed data set")
    rp.add_argument("--year", type=year, required=True)
    rp.add_argument("--base", required=True, metavar="PLAN_DIR", help="the published plan")
    rp.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                    help="what ended before this date is done; what is under way stays unless the data forbids it")
    rp.add_argument("--out", required=True)
    rp.add_argument("--policy")
    rp.add_argument("--attendance", metavar="FILE", help="attendance so far (default: the data set's own): started "
                                                        "assignments without credit leave the plan")
    rp.add_argument("--base-data", metavar="DATA", help="the data the base plan was made for (it must be valid for it)")
    rp.add_argument("--time-limit", type=whole_seconds, help="whole seconds")
    rp.add_argument("--verbose", action="store_true", help="show the solver's log")
    rp.add_argument("--lang", choices=("en", "zh"),
                    help="language of these lines (default: the data's; changes.csv says why in the data's language)")
    rp.set_defaults(func=cmd_replan)

    from planning.simulate.cli import add_parser as add_simulate

    add_simulate(sub)

    from planning.pool.cli import add_parser as add_pool

    add_pool(sub)

    from planning.pool.growth_cli import add_parser as add_growth

    add_growth(sub)

    # `planning batch ...` is handed to planning.batch.main before parsing (see main); listed here for --help
    sub.add_parser("batch", add_help=False, help="run notebooks over years × districts × scenarios (papermill)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["batch"]:
        from planning.batch import main as batch_main

        return run_guarded(batch_main, argv[1:], prog="planning batch")
    return run_guarded(_dispatch, argv)


def _dispatch(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
