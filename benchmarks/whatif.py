"""What-if speed: the baseline and quick re-plans after typical meeting changes on a data set.

    PYTHONPATH=. .venv/bin/python benchmarks/whatif.py [DATA] [--year 2027] [--full]

Prints one line per change and start: seconds for the re-plan (apply the edit, plan, check, write,
compare), status, the gap to the plan's bound, cadres meeting the requirement, and the first sentence
of the difference. Each change is planned twice: `cold` (from nothing, as before the warm start) and
`warm` (starting from the baseline plan on the screen, what Apply does)."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning.whatif import Change, WhatIf  # noqa: E402

CHANGES = {
    "autumn seats +20 %": Change(capacity=(("season", "autumn", 1.2),)),
    "budget 85 %": Change(budget_share=0.85),
    "unit cap 15 %": Change(absent_share=0.15),
    "no windowed classes": Change(windowed=False),
    "overdue weight 12": Change(priority=(("overdue", 12),)),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data", nargs="?", default="data/sample")
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--full", action="store_true", help="the full optimizer instead of the quick re-plan")
    a = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    t = time.perf_counter()
    s = WhatIf.start(a.data, a.year, full=a.full)
    b = s.base.summary
    print(f"baseline: {time.perf_counter() - t:6.1f} s  {b['cadres']} cadres, {b['status']}, gap {b['gap']:.2%}, "
          f"met {b['requirement_met_share']:.1%}")
    for name, change in CHANGES.items():
        for warm in (False, True):
            s.current = None  # each change from the baseline on the screen
            o = s.apply(change, full=a.full, warm=warm)
            g = o.summary["gap"]
            print(f"{name:<22} {'warm' if warm else 'cold'} {o.seconds:6.1f} s  {o.summary['status']:<9} gap "
                  f"{'n/a' if g is None else f'{g:.2%}'}  met {o.summary['requirement_met']:,}  {o.sentences[0]}",
                  flush=True)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
