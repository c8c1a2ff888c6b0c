"""`slskit serve --gateway/--tls`: HTTPS as a local client meets it (real server processes, as
the Client Portal Gateway a user runs on https://localhost:5000), and its refusals at start."""
import http.client
import os
import re
import socket
import ssl
import stat

import pytest

from certificates import expired, own_pair
from flows.live import LivePortal
from flows.portal_http import HttpVisitor
from mock_portal.serving import tls
from slskit_command import run


PLAIN_HTTP_REFUSAL = "The client sent a plain HTTP request, but this server only speaks HTTPS on this port."


def port_of(portal):
    return int(portal.base_url.rsplit(":", 1)[1])


def get(portal, path, host="127.0.0.1", context=None):
    """One HTTPS request; the portal's own certificate the only trust anchor, verification on."""
    context = context or ssl.create_default_context(cafile=portal.ca_file)
    connection = http.client.HTTPSConnection(host, port_of(portal), context=context, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """One `slskit serve --gateway` for the tests that only read from it."""
    folder = tmp_path_factory.mktemp("gateway")
    with LivePortal(str(folder / "db.sqlite"), test_hooks=False, fast_password_hash=True,
                    extra_args=["--gateway"]) as portal:
        yield portal


def test_gateway_prints_its_certificate_then_an_https_ready_line(gateway):
    folder = os.path.dirname(gateway.database)
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+", gateway.base_url)
    assert gateway.ca_file == os.path.join(folder, tls.CERT_NAME)
    assert stat.S_IMODE(os.stat(os.path.join(folder, tls.KEY_NAME)).st_mode) == 0o600
    assert tls.problem(gateway.ca_file, os.path.join(folder, tls.KEY_NAME)) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_client_trusting_only_the_printed_certificate_gets_through(gateway, host):
    context = ssl.create_default_context(cafile=gateway.ca_file)
    context.verify_flags |= ssl.VERIFY_X509_STRICT  # Python 3.13's default: its rules hold too
    status, _, page = get(gateway, "/sso/Login?forwardTo=22&RL=1&ip2loc=on", host, context)
    assert status == 200 and 'id="xyz-field-username"' in page  # --gateway: today's login page
    with pytest.raises(ssl.SSLCertVerificationError):  # without it, no trust: verification is real
        get(gateway, "/", host, ssl.create_default_context())


def test_the_session_cookie_is_secure_behind_tls(gateway):
    _, headers, _ = get(gateway, "/sso/login")
    cookie = dict((name.lower(), value) for name, value in headers)["set-cookie"]
    assert cookie.startswith("slskit_session=") and "; Secure" in cookie


def test_plain_http_to_the_tls_port_is_refused_clearly_and_https_still_serves(gateway):
    for _ in range(2):
        connection = http.client.HTTPConnection("127.0.0.1", port_of(gateway), timeout=10)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert (response.status, response.read().decode()) == (400, PLAIN_HTTP_REFUSAL)
        connection.close()
    assert get(gateway, "/sso/login")[0] == 200


def test_the_certificate_is_reused_and_made_again_once_expired(tmp_path):
    database = str(tmp_path / "db.sqlite")
    starts = []
    for make_it_expire in (False, False, True):
        if make_it_expire:
            tls.write_self_signed(str(tmp_path / tls.CERT_NAME), str(tmp_path / tls.KEY_NAME), **expired())
            stale = tls.fingerprint(str(tmp_path / tls.CERT_NAME))
        portal = LivePortal(database, test_hooks=False, fast_password_hash=True, extra_args=["--gateway"]).start()
        assert get(portal, "/sso/login")[0] == 200
        starts.append(tls.fingerprint(portal.ca_file))
        assert portal.stop() == 0  # SIGTERM ends the TLS server with 0, as the plain one
    assert starts[0] == starts[1] and starts[2] not in (starts[0], stale)


def test_tls_serves_the_ordinary_portal_over_https(tmp_path):
    with LivePortal(str(tmp_path / "db.sqlite"), test_hooks=False, extra_args=["--tls"]) as portal:
        assert portal.base_url.startswith("https://") and portal.ca_file
        status, _, page = get(portal, "/")
        assert status == 200 and "<h1>セキュア・ログイン・システムで口座を守りましょう</h1>" in page  # home, not a redirect
        status, _, page = get(portal, "/sso/login")
        assert status == 200 and 'id="username"' in page  # the seed's login page stays the default


def test_ones_own_certificate_is_served_and_nothing_made_beside_the_database(tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    cert, key = str(own / "cert.pem"), str(own / "key.pem")
    tls.write_self_signed(cert, key)
    with LivePortal(str(tmp_path / "db.sqlite"), test_hooks=False,
                    extra_args=["--tls-cert", cert, "--tls-key", key]) as portal:
        assert portal.ca_file == cert and get(portal, "/")[0] == 200
    assert not (tmp_path / tls.CERT_NAME).exists()


def test_gateway_without_tls_speaks_plain_http_and_the_login_page_can_be_chosen(tmp_path):
    with LivePortal(str(tmp_path / "db.sqlite"), test_hooks=False,
                    extra_args=["--gateway", "--no-tls", "--login-page", "seed"]) as portal:
        assert portal.base_url.startswith("http://127.0.0.1:") and portal.ca_file is None
        status, page = HttpVisitor(portal.base_url).get("/sso/login")
        assert status == 200 and 'id="username"' in page
    assert not (tmp_path / tls.CERT_NAME).exists()


def test_a_malformed_certificate_file_is_one_line_and_nothing_is_written(tmp_path):
    bad = tmp_path / "cert.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    result = run("serve", "--port", "0", "--db", str(tmp_path / "db.sqlite"), "--tls-cert", str(bad),
                 "--tls-key", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"slskit serve: --tls-cert {bad} is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)\n"
    assert os.listdir(tmp_path) == ["cert.pem"]  # no database, no lock, no certificate of its own


def test_no_tls_with_ones_own_certificate_is_a_contradiction(tmp_path):
    cert, key = own_pair(tmp_path)
    result = run("serve", "--port", "0", "--db", str(tmp_path / "db.sqlite"), "--no-tls",
                 "--tls-cert", cert, "--tls-key", key)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("slskit serve: --no-tls and --tls-cert contradict each other")
    assert not (tmp_path / "db.sqlite").exists()


def test_a_port_in_use_is_one_clear_line_over_tls_too(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "--db", str(tmp_path / "db.sqlite"), "--tls")
    assert result.returncode == 1
    assert result.stderr.strip() == (f"slskit serve: port {port} on 127.0.0.1 is already in use; "
                                     "choose another with --port (or --port 0 for a free one)")
