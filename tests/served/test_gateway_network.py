"""`slskit serve --gateway` as a network service (real server processes, loopback only): the
allow list from conf.yaml as a client at another loopback address meets it (its socket bound to
127.0.0.2), pacing on by default and off with --no-pacing, scripted answers over the hooks."""
import http.client
import json
import ssl

import pyotp
import pytest

from flows.flow import PortalUser
from flows.live import LivePortal
from flows.portal_http import HttpVisitor, PortalError
from flows.users import new_user_entry
from slskit_command import run


def request(portal, method, path, source="127.0.0.1"):
    """One request from `source` (an address of this machine's loopback), trusting the printed
    certificate: (status, headers, body bytes)."""
    port = int(portal.base_url.rsplit(":", 1)[1])
    if portal.base_url.startswith("https"):
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, source_address=(source, 0),
                                                 context=ssl.create_default_context(cafile=portal.ca_file))
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, body=b"" if method == "POST" else None)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def serve(tmp_path, *args, conf=None):
    extra = ["--gateway", *args]
    if conf is not None:
        (tmp_path / "conf.yaml").write_text(conf)
        extra += ["--gateway-conf", str(tmp_path / "conf.yaml")]
    return LivePortal(str(tmp_path / "gw.sqlite"), test_hooks=True, extra_args=extra)


def log_in(portal):
    """A fresh user logged in through the gateway (its session opened), over plain HTTP requests."""
    entry = new_user_entry(locale="en")
    portal.add_users([entry])
    visitor = HttpVisitor(portal.base_url, ssl_context=portal.ssl_context)
    code = pyotp.TOTP(entry["devices"][0]["totp_secret"]).now()
    visitor.log_in(entry["username"], entry["password"], code, lang="en")
    return PortalUser.from_scenario(entry)


def test_a_client_outside_the_stock_allow_list_gets_access_denied_and_one_inside_is_served(tmp_path):
    with serve(tmp_path) as portal:
        status, headers, body = request(portal, "GET", "/sso/Login", source="127.0.0.2")
        assert (status, body) == (404, b"Access Denied")  # the stock conf.yaml allows 127.0.0.1, not 127.0.0.2
        assert "Content-Type" not in headers and headers["Content-Length"] == "13"
        assert request(portal, "POST", "/v1/api/tickle", source="127.0.0.2")[2] == b"Access Denied"
        assert request(portal, "GET", "/sso/Login", source="127.0.0.1")[0] == 200
        assert request(portal, "POST", "/v1/api/tickle", source="127.0.0.1")[0] == 401  # served: no session yet


def test_a_conf_yaml_decides_who_is_served_deny_first_and_says_what_it_ignored(tmp_path):
    conf = ("ip2loc: \"US\"\nlistenPort: 5000\nsslCert: \"vertx.jks\"\n"
            "ips:\n  allow:\n    - 127.0.0.*\n    - \"*\"\n  deny:\n    - 127.0.0.3\n")
    with serve(tmp_path, conf=conf) as portal:
        assert request(portal, "GET", "/sso/Login", source="127.0.0.2")[0] == 200
        assert request(portal, "GET", "/sso/Login", source="127.0.0.3")[2] == b"Access Denied"
        line = next(p for p in portal.printed if p.startswith("Gateway conf "))
        assert "read ips (allow 2, deny 1), listenPort 5000" in line  # --port 0 given: it wins over listenPort
        assert "ignored (nothing in the kit acts on them): ip2loc, sslCert" in line
        assert "ips.allow: '*' is not a pattern the gateway reads (it matches nothing)" in line
        assert portal.base_url.startswith("https://")


def test_listen_port_and_listen_ssl_are_read_when_the_command_line_is_silent(tmp_path):
    (tmp_path / "conf.yaml").write_text("listenPort: 0\nlistenSsl: false\n")  # 0: a free port, as --port 0
    portal = LivePortal(str(tmp_path / "gw.sqlite"), test_hooks=False)
    at = portal.command.index("--port")
    del portal.command[at:at + 2]  # no --port: conf.yaml's listenPort decides
    portal.command += ["--gateway", "--gateway-conf", str(tmp_path / "conf.yaml")]
    with portal:
        assert portal.base_url.startswith("http://")  # listenSsl false: plain HTTP
        assert request(portal, "GET", "/sso/Login")[0] == 200


def test_pacing_is_on_by_default_429_then_the_penalty_box_on_the_users_clock(tmp_path):
    with serve(tmp_path) as portal:
        user = log_in(portal)
        statuses = [request(portal, "GET", "/v1/api/sso/validate")[0] for _ in range(20)]
        assert statuses == [200] + [429] * 19  # 1 a minute: the second boxes the address
        status, headers, body = request(portal, "POST", "/v1/api/tickle")
        assert status == 429 and json.loads(body)["statusCode"] == 429  # every route, in the box
        portal.advance_clock(15 * 60, user)
        assert request(portal, "POST", "/v1/api/tickle")[0] == 401  # out of the box; the session idled out


def test_with_no_pacing_twenty_tickles_in_a_second_are_all_answered(tmp_path):
    with serve(tmp_path, "--no-pacing") as portal:
        log_in(portal)
        assert [request(portal, "POST", "/v1/api/tickle")[0] for _ in range(20)] == [200] * 20


def test_scripted_answers_over_the_hooks_and_a_malformed_one_refused_in_one_line(tmp_path):
    with serve(tmp_path) as portal:
        user = log_in(portal)
        answers = [{"jsonBody": {"authenticated": False, "connected": True, "competing": False}}] * 2
        with portal.scripted(user, "POST", "/v1/api/iserver/auth/status", answers) as scenario:
            seen = [json.loads(request(portal, "POST", "/v1/api/iserver/auth/status")[2])["authenticated"]
                    for _ in range(3)]
            assert seen == [False, False, True]
            assert [s["state"] for s in portal.scenarios() if s["name"] == scenario] == ["2"]
        assert portal.stubs() == []
        with pytest.raises(PortalError) as refused:
            portal.add_stub({"request": {"urlPath": "/v1/api/tickle"}, "response": {"status": "teapot"}})
        assert str(refused.value) == "POST /_test/stubs answered 400: response.status must be a status from 200 to 599"


@pytest.mark.parametrize("args, problem", [
    (["--gateway-conf", "conf.yaml"], "--gateway-conf is the gateway's: add --gateway"),
    (["--no-pacing"], "--no-pacing is the gateway's: add --gateway"),
])
def test_the_gateways_options_without_the_gateway_are_refused(tmp_path, args, problem):
    result = run("serve", "--port", "0", "--db", str(tmp_path / "db.sqlite"), *args, timeout=60)
    assert result.returncode == 2 and problem in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_conf_yaml_it_cannot_read_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "conf.yaml").write_text("ips:\n  allow: 127.0.0.1\n")
    result = run("serve", "--gateway", "--port", "0", "--db", str(tmp_path / "db.sqlite"),
                 "--gateway-conf", str(tmp_path / "conf.yaml"), timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    conf = tmp_path / "conf.yaml"
    assert result.stderr.strip() == f"slskit serve: --gateway-conf {conf}: ips.allow must be a list of address patterns"
    assert not (tmp_path / "db.sqlite").exists()
