#!/usr/bin/env bash
# The whole test suite (Flask-level and end-to-end in Chromium), on one xdist worker per core
# (the suite is CPU-bound: on 2 cores a third worker was as often slower as faster, see
# bench/results/suite-speed.md; `./test.sh -n 3` to choose your own), with reports:
# reports/junit.xml, reports/report.html (self-contained), reports/cucumber.json (the Gherkin
# specification's scenarios, for CI dashboards) and, for each failed browser test,
# its Playwright trace and screenshot under reports/artifacts/. Fails if any process the run
# started (browser, driver, server, run-server) is still running after it (scripts/no_leaks.py).
# Ends with every skipped test and its reason (scripts/skips.py); in CI a skip this machine could
# run once set up (a tool the setup installs, the visual baselines) fails the run.
# In CI (CI=true, no arguments) a short flake gate follows: the end-to-end tests 2 more rounds
# in random order (bench/flake_gate.sh; 20 rounds is the full gate).
# Installs what is missing first. Arguments go to pytest (e.g. -m inprocess, -m e2e, -k classic, --headed).
# Across machines: `./test.sh --splits N --group K` runs group K of N (pytest-split), groups
# balanced by the recorded durations in .test_durations; refresh that file after tests change
# with `./test.sh --store-durations --clean-durations`.
set -euo pipefail
# A selection of levels that drive no browser (`-m inprocess`, `-m served`, `-m "inprocess or
# served"`; tests/conftest.py) installs no browser tooling.
setup=tests
for ((i = 1; i < $#; i++)); do
  next=$((i + 1))
  if [ "${!i}" = -m ] && ! python3 - "${!next}" <<'PY'
import sys
levels = ("inprocess", "served", "e2e", "installed")
try:  # a marker expression is Python's boolean syntax over the level names
    sys.exit(0 if any(eval(sys.argv[1], {"__builtins__": {}}, {m: m == level for m in levels})
                      for level in ("e2e", "installed")) else 1)
except Exception:
    sys.exit(0)  # another marker or a typo: pytest says so; set everything up meanwhile
PY
  then
    setup=no-browser
  fi
done
SLSKIT_SETUP=$setup source "$(dirname "$0")/scripts/setup.sh"
split=()
for arg in "$@"; do
  case "$arg" in --splits|--splits=*) split=(--splitting-algorithm least_duration) ;; esac
done
rm -f reports/junit.xml  # the skip list below reads this run's report, never an older one
# Under the leak check: fails if a browser, driver or server the run started outlives it.
status=0
python scripts/no_leaks.py python -m pytest -n "$(nproc)" \
  --junitxml=reports/junit.xml --html=reports/report.html --self-contained-html \
  --cucumberjson=reports/cucumber.json \
  --tracing=retain-on-failure --slskit-trace-screencast=off --screenshot=only-on-failure \
  --output=reports/artifacts \
  ${split[@]+"${split[@]}"} "$@" || status=$?
# Every skipped test with its reason; in CI one this machine could run once set up fails the run.
python scripts/skips.py reports/junit.xml || [ "$status" -ne 0 ] || status=1
[ "$status" -eq 0 ] || exit "$status"
if [ "${CI:-}" = true ] && [ $# -eq 0 ]; then
  ROUNDS="${SLSKIT_FLAKE_ROUNDS:-2}" python scripts/no_leaks.py bash bench/flake_gate.sh
fi
