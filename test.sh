#!/usr/bin/env bash
# The whole test suite (Flask-level and end-to-end in Chromium), on 2 workers.
# Installs what is missing first. Arguments go to pytest (e.g. -m e2e, -k classic, --headed).
set -euo pipefail
source "$(dirname "$0")/scripts/setup.sh"
exec python -m pytest -n 2 "$@"
