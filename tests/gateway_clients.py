"""The gateway's published clients as the e2e tests run them (tests/e2e/test_*gateway*.py): each
from PyPI in a venv of its own (scripts/setup.sh), through its script tests/NAME_session.py, and
the browser login through the gateway that comes before. The gateway's fixtures are
tests/e2e/conftest.py's."""
import json
import os
import subprocess
from pathlib import Path

from playwright.sync_api import expect

from flows.pages import LoginPage
from setup_skips import skip_until_set_up


TESTS = Path(__file__).resolve().parent  # the clients' scripts; the repository above it
# Each client's script (tests/NAME_session.py) and its venv (.venv-PACKAGE, scripts/setup.sh).
PACKAGES = {"ibind": "ibind", "easyib": "easyib", "ib_web_api": "ib-web-api", "ib_cp_gateway": "ib-cp-gateway",
            "ibkr_core_mcp": "ibkr-core-mcp"}
CLIENTS = {name: os.environ.get(f"SLSKIT_{name.upper()}_PYTHON",
                                str(TESTS.parent / f".venv-{package}" / "bin" / "python"))
           for name, package in PACKAGES.items()}
# IBeam 0.5.12's defaults look for the seed's second-factor page; its users set these for today's
# (Voyz/ibeam#284 and the configurations in docs/gateway.md).
IBEAM_TODAYS_PAGE = {
    "IBEAM_TWO_FA_SELECT_EL_ID": "CSS_SELECTOR@@.xyz-multipleselect",
    "IBEAM_TWO_FA_SELECT_TARGET": "Mobile Authenticator App",
    "IBEAM_TWO_FA_EL_ID": "ID@@xyz-field-silver-response",
    "IBEAM_TWO_FA_INPUT_EL_ID": "ID@@xyz-field-silver-response",
}


def client(name, gateway, *steps, ca=None, user=None):
    """Run one client's script (tests/NAME_session.py) against the gateway, trusting its
    certificate (or `ca`): its JSON report. `user`: whose test clock a `clock+N` step moves."""
    python = CLIENTS[name]
    if not os.path.exists(python):
        skip_until_set_up(f"no {name} environment at {python} (scripts/setup.sh installs it)")
    env = {**os.environ, "SLSKIT_GATEWAY_URL": gateway.base_url, "SLSKIT_GATEWAY_CA": ca or gateway.ca_file,
           **({"SLSKIT_STEPS": ",".join(steps)} if steps else {}),
           **({"SLSKIT_GATEWAY_USER": user.username} if user else {})}
    env.pop("PYTHONPATH", None)
    run = subprocess.run([python, str(TESTS / f"{name}_session.py")], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def verified(seen):
    """Every exchange on the wire got an answer over TLS checked against the printed certificate."""
    return all(w.get("status") for w in seen["wire"]) and seen["wire"]


def log_in_through_the_gateway(page, gateway, user):
    """Open the gateway as its users do (`/`), log in on today's page: "Client login succeeds"."""
    page.goto(gateway.base_url + "/")
    expect(page.locator("#xyz-field-username")).to_be_visible()
    login = LoginPage(page, "en").expect_loaded()
    second = login.log_in(user.username, user.password)
    second.authenticate(user.device)
    expect(page.locator("pre")).to_have_text("Client login succeeds")
    return second
