"""Activity-calendar speed and results on a data set beside its annual plan.

    PYTHONPATH=. .venv/bin/python benchmarks/activities.py [DATA] [--year 2027] [--plan DIR]
        [--plan-time-limit 60] [--scope unit|district] [--runs 1]

Without --plan, the annual plan is made first (``run_plan`` with --plan-time-limit; not
timed here) into a temporary folder. Then each run times the recipe's steps — load,
pairing model, schedule, evaluation, writing (CSV, .ics per unit and cadre, Excel, PDF),
the independent check — and prints what was placed."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning.activities import run_activities  # noqa: E402
from planning.pipeline import run_plan  # noqa: E402
from planning.policy import load_policy  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data", nargs="?", default="data/sample")
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--plan", help="an annual plan folder of DATA (default: make one)")
    ap.add_argument("--plan-time-limit", type=int, default=60)
    ap.add_argument("--scope", choices=("unit", "district"), default="unit")
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        plan = a.plan
        if plan is None:
            t = time.perf_counter()
            plan = Path(tmp) / "plan"
            s = run_plan(a.data, a.year, plan, time_limit=a.plan_time_limit).summary
            print(f"annual plan: {time.perf_counter() - t:.1f} s, {s['status']}, {s['cadres']} cadres")
        own = Path(plan) / "policy.yaml"
        policy = load_policy(own if own.is_file() else None, {"activities.pairing_scope": a.scope})
        for k in range(a.runs):
            t = time.perf_counter()
            res = run_activities(a.data, plan, a.year, Path(tmp) / f"act{k}", policy=policy)
            wall = time.perf_counter() - t
            steps = "  ".join(f"{n} {v:.2f}" for n, v in res.timings.items())
            print(f"run {k + 1}: {wall:.1f} s  ({steps})")
        s = res.summary
        print(f"paired {s['paired']} of {s['mentees']} ({s['mentors']} mentors, {a.scope} scope); talks {s['talks']} of "
              f"{s['talks_wanted']}; seminars {s['seminars']} of {s['seminars_wanted']}; exchanges {s['exchanges']}; "
              f"excused {s['excused']}; unscheduled {s['unscheduled']}")
        print(f"online target met {s['online_met']} of {s['online_cadres']}; institutions rated "
              f"{s['institutions_rated']}, low-rated {s['low_rated_institutions']}; calendars {s['unit_calendars']} "
              f"unit + {s['cadre_calendars']} cadre")
    return 0


if __name__ == "__main__":
    sys.exit(main())
