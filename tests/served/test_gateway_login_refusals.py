"""`slskit gateway-login`'s refusals that come before any browser: a server that is not a gateway,
none at all, a certificate it cannot trust, arguments it cannot use. One line and exit 1 (2 for an
argument); SLSKIT_CHROMIUM names no browser here, so a run that reached for one would say so
instead. The logins themselves, in a browser: tests/e2e/test_gateway_login.py."""
import os
import socket

import pytest

from flows.live import LivePortal
from flows.users import random_base32_secret
from slskit_command import one_line, run

NO_BROWSER = {**os.environ, "SLSKIT_CHROMIUM": "/nonexistent/chromium"}


def gateway_login(url, *args, secret=None):
    return run("gateway-login", "--url", url, "--username", "someone", "--password", "pw",
               "--totp-secret", secret or random_base32_secret(), *args, env=NO_BROWSER)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gateway")
    with LivePortal(str(folder / "gw.sqlite"), test_hooks=False, fast_password_hash=True,
                    extra_args=["--gateway"]) as running:
        yield running


def test_a_portal_that_is_not_a_gateway_is_one_line(tmp_path):
    with LivePortal(str(tmp_path / "portal.sqlite"), test_hooks=False, fast_password_hash=True) as portal:
        result = gateway_login(portal.base_url)
    one_line(result, f"{portal.base_url} is not a Client Portal Gateway: GET /v1/api/iserver/auth/status "
                     "answered 404")


def test_plain_http_to_the_gateways_tls_port_is_one_line(gateway):
    url = gateway.base_url.replace("https://", "http://")
    one_line(gateway_login(url), f"{url} is not a Client Portal Gateway: GET /v1/api/iserver/auth/status "
                                 "answered 400 without JSON")


def test_nothing_listening_is_one_line():
    with socket.socket() as reserved:  # a port nothing listens on: bound, never listened
        reserved.bind(("127.0.0.1", 0))
        url = f"https://127.0.0.1:{reserved.getsockname()[1]}"
        one_line(gateway_login(url), f"cannot reach the gateway at {url} ([Errno 111] Connection refused); "
                                     "is it running?")


def test_a_gateway_whose_certificate_is_not_trusted_is_one_line(gateway):
    one_line(gateway_login(gateway.base_url),
             f"cannot trust the gateway at {gateway.base_url}: its certificate is not one this machine trusts; give "
             "the gateway's own as cacert (--cacert FILE; `slskit serve --gateway` prints where it is)")


@pytest.mark.parametrize("args, secret, text", [
    ([], "not base32!", "the TOTP secret is not base32 (the user's authenticator app secret, as the scenario's "
                        "totp_secret)"),
    (["--cacert", "/nonexistent/cert.pem"], None, "--cacert /nonexistent/cert.pem is not a file"),
    (["--cacert", os.devnull], None, "--cacert /dev/null is not a file"),
    (["--cacert", __file__], None, f"the certificate {__file__} cannot be read as PEM (*)"),
], ids=["secret", "no-cacert-file", "cacert-not-a-file", "cacert-not-pem"])
def test_an_argument_it_cannot_use_is_one_line_and_exit_2(gateway, args, secret, text):
    result = gateway_login(gateway.base_url, *args, secret=secret)
    assert result.returncode == 2, result.stderr
    prefix, _, rest = text.partition("(*)")
    assert result.stderr.startswith(f"slskit gateway-login: {prefix}") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_browser_that_does_not_start_is_one_line(gateway):
    result = gateway_login(gateway.base_url, "--cacert", gateway.ca_file, "--browser-path", "/bin/false")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("slskit gateway-login: /bin/false did not start: ") \
        and result.stderr.count("\n") == 1, result.stderr


def test_a_url_that_names_no_server_is_one_line():
    one_line(gateway_login("127.0.0.1:5000"), "the gateway's URL must be http(s)://HOST:PORT, not '127.0.0.1:5000'",
             code=2)


def test_the_password_and_secret_may_come_from_the_environment(gateway):
    result = run("gateway-login", "--url", gateway.base_url, "--username", "someone",
                 env={**NO_BROWSER, "SLSKIT_PASSWORD": "pw", "SLSKIT_TOTP_SECRET": random_base32_secret()})
    # Both taken: the next refusal is the certificate's, before any browser.
    assert result.returncode == 1 and "cannot trust the gateway" in result.stderr, result.stderr
    missing = run("gateway-login", "--url", gateway.base_url, "--username", "someone",
                  env={k: v for k, v in NO_BROWSER.items() if k not in ("SLSKIT_PASSWORD", "SLSKIT_TOTP_SECRET")})
    one_line(missing, "--password and --totp-secret missing (or $SLSKIT_PASSWORD, $SLSKIT_TOTP_SECRET)", code=2)


@pytest.mark.parametrize("password", ["-starts-with-a-dash", "-", "--long-option-lookalike"])
def test_a_password_that_begins_with_a_dash_is_taken_as_the_password(gateway, password):
    # Taken as the password, the next refusal is the certificate's; taken as an option, argparse's exit 2.
    result = run("gateway-login", "--url", gateway.base_url, "--username", "someone",
                 "--password", password, "--totp-secret", random_base32_secret(), env=NO_BROWSER)
    assert result.returncode == 1 and "cannot trust the gateway" in result.stderr, result.stderr
