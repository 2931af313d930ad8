#!/usr/bin/env bash
# The main job on the bundled sample county: set everything up, then run the annual plan
# notebook through papermill. Leaves under reports/sample/: the executed notebook,
# plan/ (plan.csv, classes.csv, shortfall.csv, summary.json, ...), plan.xlsx and plan.pdf; then the
# Chinese sample data/sample-zh planned and reported in Chinese under reports/sample-zh/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p reports/sample
.venv/bin/papermill notebooks/annual_plan.ipynb reports/sample/annual_plan.ipynb \
  --cwd . -k python3 \
  -p data data/sample -p year 2027 -p time_limit 120 -p output reports/sample "$@"
mkdir -p reports/sample-zh
# the second sample output: the Chinese sample county (data/sample-zh, the same county in Chinese), in Chinese
.venv/bin/planning plan data/sample-zh --year 2027 --time-limit 120 --out reports/sample-zh/plan
.venv/bin/planning report reports/sample-zh/plan --data data/sample-zh --year 2027 --lang zh \
  --out reports/sample-zh/plan.pdf --xlsx reports/sample-zh/plan.xlsx
echo "Done: reports/sample/plan.pdf, reports/sample/plan.xlsx, reports/sample/plan/ and the executed notebook;"
echo "      reports/sample-zh/plan.pdf and plan.xlsx (the Chinese sample, in Chinese)."
