#!/usr/bin/env bash
# The main job: the article's flow in Chromium against the embedded mock portal.
# Installs what is missing first. Arguments go to `slskit demo` (e.g. --lang en, --headed).
set -euo pipefail
source "$(dirname "$0")/scripts/setup.sh"
exec slskit demo "$@"
