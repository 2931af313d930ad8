#!/usr/bin/env bash
# Class timing (issue 4): the planner's choice of dates for windowed classes against the naive
# choice (every windowed class on its earliest feasible dates, solved the same way, in the same
# process) and against the joint model's proven bound, on instances where 30 % and 100 % of the
# classes are windowed. Each row prints objective, bound, gap, requirement-met share and
# priority-weighted coverage for both, and the seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
T=${TIME_LIMIT:-120}
for share in 0.3 1.0; do
  $PY benchmarks/run.py --sizes 300 1000 5000 --solvers highs --time-limit "$T" --windowed-share "$share" --naive
done
# the joint exact MIP forced on the 300-cadre instance with every class windowed (warm-started
# from the same heuristics): its own bound and plan, for comparison
$PY benchmarks/run.py --sizes 300 --solvers highs --time-limit 300 --windowed-share 1.0 --set search.full_mip_pairs=10000000
