"""Re-plan benchmark (issue 17): a published plan, then the year happens.

On the sample (1,500 cadres) by default: plan the year from scratch (the published plan), then
change the data — one full class cancelled, a one-week region blackout in May, a cadre
transferred to another unit — and re-plan as of 1 April with `planning.inyear.replan`. Against
a from-scratch plan of the changed data it reports: assignments changed against the published
plan, the objective (requirement terms, without the change cost) and the re-plan's time.
Every plan is checked by the independent checker.

    PYTHONPATH=. .venv/bin/python benchmarks/replan.py [--data data/sample] [--base DIR] [--time-limit S]

`--base DIR` reuses a published plan already made for --data (skips the first solve).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from planning.check import check_plan
from planning.data.load import load_dataset
from planning.inyear.replan import replan
from planning.pipeline import run_plan

YEAR = 2027
AS_OF = dt.date(YEAR, 4, 1)
BLACKOUT = (dt.date(YEAR, 5, 10), dt.date(YEAR, 5, 14), "Urgent task: provincial flood-prevention inspection")


def changed_data(ds, base: pd.DataFrame):
    """The year as it happened: the fullest class after --as-of cancelled, a region blackout in May,
    the first cadre with a class in June moved to another unit. Returns (data, what was changed)."""
    out = ds.copy()
    later = base[(base["kind"] == "class") & (base["start_date"].astype(str) > str(AS_OF + dt.timedelta(days=30)))]
    enrolled = later["activity_id"].value_counts()
    cap = dict(zip(ds.classes["class_id"], ds.classes["capacity"]))
    full = [a for a in enrolled.index if enrolled[a] >= cap[a]] or list(enrolled.index)
    gone = sorted(full, key=lambda a: (-enrolled[a], a))[0]
    out.tables["classes"] = ds.classes[ds.classes["class_id"] != gone].reset_index(drop=True)
    out.tables["pins"] = ds.pins[ds.pins["activity_id"] != gone].reset_index(drop=True)
    row = {"start_date": BLACKOUT[0], "end_date": BLACKOUT[1], "scope": "region", "reason": BLACKOUT[2],
           "_row": int(ds.blackouts["_row"].max()) + 1 if len(ds.blackouts) else 2}
    out.tables["blackouts"] = pd.concat([ds.blackouts, pd.DataFrame([row])], ignore_index=True)
    june = base[base["start_date"].astype(str).str.startswith(f"{YEAR}-06")]["cadre_id"].sort_values()
    who = june.iloc[0]
    cad = out.cadres.copy()
    k = cad.index[cad["cadre_id"] == who][0]
    units = sorted(set(cad["unit_id"]))
    new_unit = units[(units.index(cad.at[k, "unit_id"]) + 1) % len(units)]
    what = {"cancelled": gone, "cancelled_enrolled": int(enrolled[gone]), "blackout": f"{BLACKOUT[0]}…{BLACKOUT[1]}",
            "transferred": f"{who}: {cad.at[k, 'unit_id']} -> {new_unit}"}
    cad.at[k, "unit_id"] = new_unit
    out.tables["cadres"] = cad
    out.source = f"{ds.source} (changed)"
    return out, what


def _keys(plan: pd.DataFrame) -> set:
    return set(zip(plan["cadre_id"], plan["activity_id"], plan["start_date"].astype(str)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="data/sample")
    ap.add_argument("--base", help="a published plan of --data (else planned here)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds for each from-scratch plan (default: policy)")
    args = ap.parse_args(argv)
    ds = load_dataset(args.data, YEAR)
    tmp = Path(tempfile.mkdtemp(prefix="replan-bench-"))
    if args.base:
        base_dir = Path(args.base)
    else:
        t = time.perf_counter()
        run_plan(ds, YEAR, tmp / "base", time_limit=args.time_limit)
        print(f"published plan: {time.perf_counter() - t:.1f} s")
        base_dir = tmp / "base"
    base = pd.read_csv(base_dir / "plan.csv", dtype=str)
    changed, what = changed_data(ds, base)
    print("changes to the data:", json.dumps(what, ensure_ascii=False))

    t = time.perf_counter()
    r = replan(changed, YEAR, base_dir, AS_OF, tmp / "replan")
    t_replan = time.perf_counter() - t
    assert check_plan(changed, tmp / "replan", YEAR) == [], "the re-plan failed its check"
    t = time.perf_counter()
    scratch = run_plan(changed, YEAR, tmp / "scratch", time_limit=args.time_limit)
    t_scratch = time.perf_counter() - t
    assert check_plan(changed, tmp / "scratch", YEAR) == [], "the from-scratch plan failed its check"

    b = _keys(base)
    s, rs = scratch.summary, r.summary
    rows = {
        "assignments in the published plan": len(b),
        "changed assignments: re-plan": len(b ^ _keys(r.plan)),
        "changed assignments: from scratch": len(b ^ _keys(scratch.plan)),
        "cadres affected: re-plan": rs["changed_cadres"],
        "cadres affected: from scratch": len({c for c, _, _ in b ^ _keys(scratch.plan)}),
        "requirement met: re-plan": rs["requirement_met"],
        "requirement met: from scratch": s["requirement_met"],
        "objective (no change cost): re-plan": rs["objective_without_change_cost"],
        "objective: from scratch": s["objective"],
        "objective loss vs from scratch": f"{(s['objective'] - rs['objective_without_change_cost']) / abs(s['objective']):.2%}",
        "re-plan seconds (wall)": round(t_replan, 1),
        "from-scratch seconds (wall)": round(t_scratch, 1),
        "re-plan status": rs["status"],
        "load average (1 min)": round(os.getloadavg()[0], 2),
    }
    for k, v in rows.items():
        print(f"  {k:<40} {v}")
    print(f"outputs in {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
