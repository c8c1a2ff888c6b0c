#!/usr/bin/env bash
# The flake gate: the end-to-end tests, many rounds, in random order, on 2 xdist workers.
# Fails (non-zero exit) on any single failure or error; prints the round count and seed.
#
#   bash bench/flake_gate.sh                  # 20 rounds (the gate)
#   ROUNDS=3 bash bench/flake_gate.sh         # CI's short version
#   SEED=12345 bash bench/flake_gate.sh       # replay one order
#
# Needs pytest-repeat and pytest-random-order (pip install pytest-repeat pytest-random-order).
# No --reruns: a flake is a failure here.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
ROUNDS="${ROUNDS:-20}"
WORKERS="${WORKERS:-2}"
SEED="${SEED:-$RANDOM$RANDOM}"
for plugin in pytest_repeat random_order xdist; do
  "$PY" -c "import $plugin" 2>/dev/null || { echo "flake gate: python module $plugin is missing" >&2; exit 2; }
done
echo "flake gate: -m e2e x $ROUNDS rounds, random order (seed $SEED), $WORKERS workers"
exec "$PY" -m pytest -m e2e -q -p no:randomly -n "$WORKERS" \
  --count "$ROUNDS" --repeat-scope session \
  --random-order-bucket=global --random-order-seed="$SEED" \
  -o addopts="-p no:cacheprovider --strict-markers --slskit-expect-timeout=10000" "$@"
