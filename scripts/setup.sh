# Sourced by demo.sh and test.sh: installs what is missing, and is quick when nothing is.
#  - Debian/Ubuntu packages: python3-venv, Chromium unless a browser is found, CJK fonts, Xvfb
#  - .venv with the kit and its test dependencies (re-installed when pyproject.toml changes)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

have_browser() {
  [ -n "${SLSKIT_CHROMIUM:-}" ] && [ -x "${SLSKIT_CHROMIUM}" ] && return 0
  ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium-*/chrome-linux*/chrome >/dev/null 2>&1 && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

packages=()
command -v python3 >/dev/null 2>&1 || packages+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3-venv)
have_browser || packages+=(chromium)
command -v xvfb-run >/dev/null 2>&1 || packages+=(xvfb xauth)  # a virtual display for the headed demo and its test
if [ "${SLSKIT_SETUP:-}" = tests ]; then
  command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)  # IBeam drives Chromium through it
fi
if command -v dpkg-query >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'; then
  packages+=(fonts-noto-cjk)  # Japanese labels render as boxes without a CJK font
fi
# Headless runs prefer Debian's chromium-headless-shell (much faster to start; bench/README.md).
# Optional: looked for once, since not every distribution has it.
optional=()
checked="scripts/.apt-checked-headless-shell"
if [ -z "${SLSKIT_CHROMIUM:-}" ] && ! command -v chromium-headless-shell >/dev/null 2>&1 && [ ! -e "$checked" ]; then
  optional+=(chromium-headless-shell)
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
can_apt=true
command -v apt-get >/dev/null 2>&1 || can_apt=false
[ -z "$sudo" ] || command -v sudo >/dev/null 2>&1 || can_apt=false
if [ ${#packages[@]} -gt 0 ] && ! $can_apt; then
  say "missing: ${packages[*]}; install them as root (apt-get install ${packages[*]}) and run this again"
  exit 1
fi
if $can_apt && { [ ${#packages[@]} -gt 0 ] || [ ${#optional[@]} -gt 0 ]; }; then
  $sudo apt-get update -qq
  for package in "${optional[@]}"; do
    apt-cache show "$package" >/dev/null 2>&1 && packages+=("$package")
    touch "$checked"
  done
  if [ ${#packages[@]} -gt 0 ]; then
    say "installing ${packages[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
stamp=".venv/.slskit-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing the kit and its test dependencies into .venv (pip)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  # The distribution was called "slskit" until that name turned out taken on the package index;
  # an old install's entry point would load a plugin module that is gone.
  .venv/bin/python -m pip uninstall -q -y slskit >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
  echo "$want" > "$stamp"
fi
# IBeam pins packages that clash with the kit's (Pillow 9.5, selenium 4.12): its own venv, for
# the test that logs in with IBeam's unmodified LoginHandler (tests/test_e2e_ibeam.py).
if [ "${SLSKIT_SETUP:-}" = tests ] && [ ! -e .venv-ibeam/.installed ]; then
  say "installing IBeam into .venv-ibeam (pip)"
  python3 -m venv .venv-ibeam
  .venv-ibeam/bin/python -m pip install -q --disable-pip-version-check ibeam
  touch .venv-ibeam/.installed
fi
export PATH="$PWD/.venv/bin:$PATH"
