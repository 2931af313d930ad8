#!/usr/bin/env bash
# Set up everything the planner needs on a fresh Debian machine with Python 3.11:
# system libraries for the PDF report (Pango for WeasyPrint, a CJK font for Chinese reports),
# Debian's chromium for the what-if browser test (Playwright drives it; it cannot download its own),
# a virtual environment in .venv, and the package with its test tools. Safe to run again:
# it skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk chromium)

missing=()
if command -v dpkg >/dev/null 2>&1; then
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ! "$PY" -c "import ensurepip, venv" >/dev/null 2>&1; then
    missing+=("python3-venv")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ]; then
    echo "setup: WARNING: cannot install ${missing[*]} without root; PDF reports (or Chinese text in them) may not work" >&2
  else
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # matplotlib caches the font list: drop it so the new CJK font is found
    rm -rf "${HOME:-/root}/.cache/matplotlib" 2>/dev/null || true
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PY"
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing the planner and its dependencies into .venv (a few minutes the first time)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test,dask,lab]"  # Dask and JupyterLab are optional extras
  rm -f .venv/.installed-*
  touch "$stamp"
fi
.venv/bin/python - <<'PY'
import pulp
found = pulp.listSolvers(onlyAvailable=True)
missing = [s for s in ("HiGHS", "PULP_CBC_CMD") if s not in found]
print(f"setup: solvers available: {', '.join(found)}")
if missing:
    raise SystemExit(f"setup: solver(s) missing: {', '.join(missing)}")
PY
