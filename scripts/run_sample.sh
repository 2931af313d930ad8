#!/usr/bin/env bash
# The main job on the bundled sample county: set everything up, then run the annual plan
# notebook through papermill. Leaves under reports/sample/: the executed notebook,
# plan/ (plan.csv, classes.csv, shortfall.csv, summary.json, ...), plan.xlsx and plan.pdf.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p reports/sample
.venv/bin/papermill notebooks/annual_plan.ipynb reports/sample/annual_plan.ipynb \
  --cwd . -k python3 \
  -p data data/sample -p year 2027 -p time_limit 120 -p output reports/sample "$@"
echo "Done: reports/sample/plan.pdf, reports/sample/plan.xlsx, reports/sample/plan/ and the executed notebook."
