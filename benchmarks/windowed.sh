#!/usr/bin/env bash
# Class timing (issue 4): the planner's date choice vs the earliest feasible dates vs the
# joint exact model, on instances where every class / 30 % of classes are windowed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
T=${TIME_LIMIT:-60}
# 300 cadres, every class windowed: the planner's own path (15,000 pairs: heuristics), the joint
# exact MIP forced on it (warm-started from the same heuristics), and the earliest dates
$PY benchmarks/run.py --sizes 300 --solvers highs --time-limit "$T" --windowed-share 1.0
$PY benchmarks/run.py --sizes 300 --solvers highs --time-limit "$T" --windowed-share 1.0 --set search.full_mip_pairs=100000
$PY benchmarks/run.py --sizes 300 --solvers highs --time-limit "$T" --windowed-share 1.0 --max-options 1
# 1,000 cadres, 30 % windowed: the planner's dates vs earliest dates
$PY benchmarks/run.py --sizes 1000 --solvers highs --time-limit "$T" --windowed-share 0.3
$PY benchmarks/run.py --sizes 1000 --solvers highs --time-limit "$T" --windowed-share 0.3 --max-options 1
