#!/usr/bin/env bash
# The whole test suite (Flask-level and end-to-end in Chromium), on 2 workers, with reports:
# reports/junit.xml, reports/report.html (self-contained) and, for each failed browser test,
# its Playwright trace and screenshot under reports/artifacts/.
# In CI (CI=true, no arguments) a short flake gate follows: the end-to-end tests 2 more rounds
# in random order (bench/flake_gate.sh; 20 rounds is the full gate).
# Installs what is missing first. Arguments go to pytest (e.g. -m e2e, -k classic, --headed).
set -euo pipefail
SLSKIT_SETUP=tests source "$(dirname "$0")/scripts/setup.sh"
python -m pytest -n 2 \
  --junitxml=reports/junit.xml --html=reports/report.html --self-contained-html \
  --tracing=retain-on-failure --screenshot=only-on-failure --output=reports/artifacts \
  "$@"
if [ "${CI:-}" = true ] && [ $# -eq 0 ]; then
  ROUNDS="${SLSKIT_FLAKE_ROUNDS:-2}" bash bench/flake_gate.sh
fi
