#!/usr/bin/env bash
# The kit as another team gets it: a wheel built from the committed tree (git HEAD), installed
# into a fresh venv outside the repository, and the tests that need no browser (the in-process
# and served levels) run there from a copy of tests/ (nothing of the repository on sys.path).
# Fails on a build warning too.
#
#   bash scripts/wheel_check.sh            # everything in a temporary folder, removed afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d /tmp/slskit-wheel-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/src" && git archive HEAD | tar -x -C "$work/src"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
# Byte-compiling off (PYTHONDONTWRITEBYTECODE) only makes setuptools say so: not a build warning.
(cd "$work/src" && env -u PYTHONDONTWRITEBYTECODE "$work/venv/bin/python" -m pip wheel -v --no-deps \
  --disable-pip-version-check -w "$work/dist" . >"$work/build.log" 2>&1) || { cat "$work/build.log"; exit 1; }
# The build backend's own lines (pip -v indents them), not pip's notes about this machine's indexes.
if grep -E '^  .*([Ww]arning|WARNING|[Dd]eprecat)' "$work/build.log"; then
  echo "wheel check: the build printed the warnings above" >&2
  exit 1
fi
wheel="$(ls "$work"/dist/*.whl)"
echo "wheel check: built $(basename "$wheel")"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel[test]"
# The tests, and the documents some of them hold the kit to (docs/, README.md): no code.
mkdir -p "$work/team/bench" && cp -r "$work/src/tests" "$work/src/docs" "$work/src/README.md" "$work/team/"
cp "$work/src/bench/README.md" "$work/team/bench/"  # the README links to it
cd "$work/team"
"$work/venv/bin/python" -m pytest tests -m "inprocess or served" -q -rs -n 2 -p no:cacheprovider -p pytester
