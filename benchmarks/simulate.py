"""Simulation speed and memory: `planning simulate` on a data set, timed, with peak memory.

    PYTHONPATH=. .venv/bin/python benchmarks/simulate.py [DATA] [--years 5] [--runs 1] [--mode fast|full]
        [--jobs N] [--offer-scale 1.0 ...] [--time-limit S] [--out DIR]

Prints the machine's load, the wall time, seconds per run-year, the peak resident memory of this
process and of its worker processes, and the final year's median KPIs. Run it twice with
different --runs to see that memory stays flat in the number of runs (each run returns only
its KPI rows; nothing of a finished run is kept)."""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning.simulate import simulate  # noqa: E402


def _cpu() -> float:
    """User + system CPU seconds of this process and of its finished children (the workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data", nargs="?", default="data/sample")
    ap.add_argument("--start-year", type=int, default=2027)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mode", choices=("fast", "full"), default="fast")
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--offer-scale", type=float, nargs="+", default=[1.0])
    ap.add_argument("--time-limit", type=float)
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other processes share it)")
    out = a.out or tempfile.mkdtemp(prefix="simulate-bench-")
    t = time.perf_counter()
    cpu0 = _cpu()
    r = simulate(a.data, a.start_year, a.years, a.runs, a.seed, Path(out) / "sim", mode=a.mode,
                 scales=tuple(a.offer_scale), jobs=a.jobs, time_limit=a.time_limit, progress=False)
    wall = time.perf_counter() - t
    cpu = _cpu() - cpu0
    run_years = a.years * a.runs * len(a.offer_scale)
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{a.mode}: {a.years} years x {a.runs} runs x {len(a.offer_scale)} scales = {run_years} run-years "
          f"in {wall:.1f} s ({wall / run_years:.2f} s per run-year wall), load now {os.getloadavg()[0]:.1f}")
    print(f"CPU: {cpu:.1f} s in all processes ({cpu / run_years:.2f} s per run-year: less sensitive to the load "
          f"than the wall time; {a.jobs or os.cpu_count()} jobs on an idle machine take about CPU / jobs)")
    print(f"peak memory: this process {me:.0f} MB, largest worker {kids:.0f} MB")
    last = str(a.start_year + a.years - 1)
    for kpi in ("five_year_coverage", "overdue", "requirement_met", "division_550", "pool_size", "cadres"):
        q = r.summary["kpis"].get(kpi, {}).get(last)
        if q:
            print(f"  {kpi} {last}: median {q['median']} (10-90 %: {q['p10']} - {q['p90']})")
    print(f"output: {r.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
