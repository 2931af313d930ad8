#!/usr/bin/env bash
# The whole test suite: unit and end-to-end tests, the independent plan checker on every
# plan the tests make, every notebook under nbval, and the what-if dashboard in a real browser.
# -rs lists every skipped test with its reason (e.g. no chromium to drive). Sets up .venv first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest --nbval-lax -q -rs tests notebooks "$@"
