#!/usr/bin/env bash
# Class timing (issue 4): the planner's choice of dates for windowed classes against the naive
# choice (every windowed class on its earliest feasible dates, solved the same way, in the same
# process) and against the proven bound, on instances where 30 % and 100 % of the classes are
# windowed; then the planner against the joint exact MIP on instances small enough to solve it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
T=${TIME_LIMIT:-120}
$PY benchmarks/run.py --sizes 300 1000 5000 --solvers highs --time-limit "$T" --windowed-share 0.3 --naive
$PY benchmarks/run.py --sizes 300 1000 5000 --solvers highs --time-limit "$T" --windowed-share 1.0 --naive
$PY benchmarks/joint.py --sizes 120 200 --mip-time-limit "${MIP_TIME_LIMIT:-600}"
