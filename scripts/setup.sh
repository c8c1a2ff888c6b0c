# Sourced by demo.sh and test.sh: installs what is missing, and is quick when nothing is.
#  - system packages (apt-get, through sudo when not root): python3-venv, a CJK font, Xvfb,
#    ffmpeg and chromedriver for the tests, Chromium where the distribution has a usable one
#  - .venv with the kit and its test dependencies (re-installed when pyproject.toml changes)
#  - no usable Chromium after that (Ubuntu's is a snap): Playwright's own, where downloads work
#  - IBeam in .venv-ibeam, and the gateway's clients (ibind, EasyIB, ib-web-api, ib-cp-gateway,
#    ibkr-core-mcp) each in .venv-NAME, for the tests that log in with them
# SLSKIT_SETUP=tests adds the test tooling; SLSKIT_SETUP=no-browser (`./test.sh -m inprocess`,
# `-m served`) skips every browser tool: those levels need none.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

mode="${SLSKIT_SETUP:-demo}"
browsers=true
[ "$mode" = no-browser ] && browsers=false
# The version tests/e2e/test_ibeam.py was written against; its login handler is what it exercises.
IBEAM_VERSION=0.5.12

packages=()   # needed: the run stops if one cannot be installed
optional=()   # tried one by one, each looked for once: not every distribution has them
command -v python3 >/dev/null 2>&1 || packages+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3-venv)
if $browsers; then
  command -v xvfb-run >/dev/null 2>&1 || packages+=(xvfb xauth)  # a virtual display for headed runs
  if command -v dpkg-query >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'; then
    packages+=(fonts-noto-cjk)  # Japanese labels render as boxes without a CJK font
  fi
  # Debian's Chromium (the distribution's own build); Ubuntu has only a snap, which Playwright
  # cannot drive (flows/browser.py), so there Playwright's own is installed below instead.
  if [ -z "${SLSKIT_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 \
      && ! ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium-*/chrome-linux*/chrome >/dev/null 2>&1; then
    optional+=(chromium)
  fi
  # Headless runs prefer Debian's chromium-headless-shell (much faster to start; bench/README.md).
  if [ -z "${SLSKIT_CHROMIUM:-}" ] && ! command -v chromium-headless-shell >/dev/null 2>&1; then
    optional+=(chromium-headless-shell)
  fi
fi
if $browsers && [ "$mode" = tests ]; then
  command -v ffmpeg >/dev/null 2>&1 || packages+=(ffmpeg)  # pytest-playwright's --video
  command -v chromedriver >/dev/null 2>&1 || optional+=(chromium-driver)  # IBeam drives Chromium through it
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
can_apt=true
command -v apt-get >/dev/null 2>&1 || can_apt=false
[ -z "$sudo" ] || command -v sudo >/dev/null 2>&1 || can_apt=false
# `sudo VAR=value cmd`: sudo resets the environment, so the setting goes after it.
apt_install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
if [ ${#packages[@]} -gt 0 ] && ! $can_apt; then
  say "missing: ${packages[*]}; install them as root (apt-get install ${packages[*]}) and run this again"
  exit 1
fi
to_try=()
for package in "${optional[@]}"; do
  [ -e "scripts/.apt-checked-$package" ] || to_try+=("$package")
done
if $can_apt && { [ ${#packages[@]} -gt 0 ] || [ ${#to_try[@]} -gt 0 ]; }; then
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  if [ ${#packages[@]} -gt 0 ]; then
    say "installing ${packages[*]} (apt-get)"
    apt_install "${packages[@]}"
  fi
  for package in "${to_try[@]}"; do
    info="$(apt-cache show "$package" 2>/dev/null || true)"
    # A snap in a deb's clothing (Ubuntu's transitional packages) is no use to Playwright.
    if grep -qi '^Description.*snap' <<<"$info"; then
      say "not installing $package: the distribution's package is a snap"
    elif [ -n "$info" ]; then
      say "installing $package (apt-get)"
      apt_install "$package" || say "could not install $package; going on without it"
    fi
    touch "scripts/.apt-checked-$package"
  done
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

# The kit's own discovery decides whether a usable Chromium is here (snaps and wrappers that
# Playwright cannot drive do not count); if not, Playwright's own, with its system libraries.
# That is `python -m playwright install --with-deps chromium` in two steps: Playwright runs
# apt-get through `sudo sh -c`, which would drop DEBIAN_FRONTEND; run as root here, it keeps it.
if $browsers && ! .venv/bin/python -m flows.browser >/dev/null 2>&1; then
  say "no Chromium that Playwright can drive: installing Playwright's own (python -m playwright install --with-deps chromium)"
  if ! { $sudo env DEBIAN_FRONTEND=noninteractive "$PWD/.venv/bin/python" -m playwright install-deps chromium \
         && .venv/bin/python -m playwright install chromium; }; then
    .venv/bin/python -m flows.browser || true  # says what was found and passed over, and how to get one
    exit 1
  fi
fi

# IBeam pins packages that clash with the kit's (Pillow 9.5, selenium 4.12): its own venv, for
# the test that logs in with IBeam's unmodified LoginHandler (tests/e2e/test_ibeam.py).
if $browsers && [ "$mode" = tests ] && [ "$(cat .venv-ibeam/.installed 2>/dev/null)" != "$IBEAM_VERSION" ]; then
  say "installing IBeam $IBEAM_VERSION into .venv-ibeam (pip)"
  python3 -m venv .venv-ibeam
  .venv-ibeam/bin/python -m pip install -q --disable-pip-version-check "ibeam==$IBEAM_VERSION"
  echo "$IBEAM_VERSION" > .venv-ibeam/.installed
fi
# The Client Portal Gateway's clients, each in a venv of its own as their users install them
# (tests/e2e/test_gateway_clients.py, test_more_gateway_clients.py): ibind and EasyIB pin requests
# and urllib3 their own way; ibkr-core-mcp brings pandas and Google's client libraries.
if $browsers && [ "$mode" = tests ]; then
  for client in ibind==0.2.2 easyib==0.2.5 ib-web-api==202303101433 ib-cp-gateway==1.0.1 ibkr-core-mcp==2.1.0; do
    name="${client%%==*}"
    if [ "$(cat ".venv-$name/.installed" 2>/dev/null)" != "$client" ]; then
      say "installing $client into .venv-$name (pip)"
      python3 -m venv ".venv-$name"
      ".venv-$name/bin/python" -m pip install -q --disable-pip-version-check "$client"
      echo "$client" > ".venv-$name/.installed"
    fi
  done
fi
export PATH="$PWD/.venv/bin:$PATH"
