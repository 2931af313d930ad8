#!/usr/bin/env bash
# The whole test suite: unit and end-to-end tests, the independent plan checker on every
# plan the tests make, and every notebook under nbval. Sets up .venv first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest --nbval-lax -q tests notebooks "$@"
