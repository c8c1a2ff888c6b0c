"""The gateway's allow list (mock_portal/gateway/allow_list.py) and the conf.yaml it comes from
(mock_portal/serving/gateway_conf.py), read as the real gateway reads them."""
import pytest

from mock_portal.gateway import allow_list
from mock_portal.serving import StartError, gateway_conf


@pytest.mark.parametrize("entry, address, matches", [
    ("127.0.0.1", "127.0.0.1", True),
    ("127.0.0.1", "127.0.0.2", False),
    ("192.*", "192.168.1.20", True),
    ("192.*", "19.2.0.1", False),
    ("131.216.*", "131.216.4.1", True),
    ("131.216.*", "131.217.4.1", False),
    ("172.17.0.*", "172.17.0.3", True),
    ("172.17.0.*", "172.17.1.3", False),
    ("10.*", "10.0.0.1", True),
    ("0.0.0.0/0", "8.8.8.8", False),        # no CIDR: a literal that matches no address
    ("x.x.x.x", "127.0.0.1", False),         # IBeam's placeholder
    ("212.90.324.10", "212.90.32.10", False),  # not even an address (324)
    ("127.0.0.[12]", "127.0.0.2", True),     # four parts: a regular expression, dots literal
])
def test_a_pattern_matches_as_the_gateway_reads_it(entry, address, matches):
    pattern = allow_list.compile_pattern(entry)
    assert pattern is not None and bool(pattern.fullmatch(address)) is matches


@pytest.mark.parametrize("entry", ["*", "*.*.*.*", "localhost", "300.*", "10.0", "1.2.3.4.5", "127.0.0.(("])
def test_an_entry_the_gateway_cannot_read_matches_nothing_and_is_named(entry):
    assert allow_list.compile_pattern(entry) is None
    assert allow_list.AllowList([entry], []).problems == [
        f"ips.allow: {entry!r} is not a pattern the gateway reads (it matches nothing)"]


def test_deny_is_read_first():
    ips = allow_list.AllowList(["127.*"], ["127.0.0.2"])
    assert ips.admits("127.0.0.1") and not ips.admits("127.0.0.2")


@pytest.mark.parametrize("allow, deny, admitted", [
    (None, [], True), (["10.*"], None, True),  # a null list: everyone (the check is off)
    ([], [], False),                            # an empty allow list: no one
])
def test_a_missing_list_lets_everyone_in_an_empty_one_no_one(allow, deny, admitted):
    assert allow_list.AllowList(allow, deny).admits("127.0.0.2") is admitted


@pytest.mark.parametrize("address, admitted", [("::ffff:127.0.0.1", True), ("::1", False), ("", False),
                                               (None, True)])  # no peer address at all: the gateway lets it in
def test_ipv4_only_mapped_addresses_included(address, admitted):
    assert allow_list.AllowList(**allow_list.STOCK).admits(address) is admitted


def test_the_stock_list_admits_loopback_only_at_127_0_0_1(app_like):
    gateway = app_like(GATEWAY=True, TEST_HOOKS=True)
    client = gateway.test_client()
    inside = client.get("/sso/Login", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    outside = client.get("/sso/Login", environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert inside.status_code == 200
    assert outside.status_code == 404 and outside.get_data() == b"Access Denied"
    assert "Content-Type" not in outside.headers and outside.headers["Content-Length"] == "13"
    for path in ("/v1/api/tickle", "/static/portal.css", "/_test/requests", "/"):  # every path, before anything
        assert client.get(path, environ_base={"REMOTE_ADDR": "127.0.0.2"}).get_data() == b"Access Denied"
    # Nothing of it reached the portal: the journal saw the one from inside only.
    assert len(client.get("/_test/requests", query_string={"path": "/sso/Login"}).get_json()["requests"]) == 1


def test_a_conf_without_ips_lets_everyone_in(app_like):
    gateway = app_like(GATEWAY=True, GATEWAY_IPS={"allow": None, "deny": None})
    assert gateway.test_client().get("/sso/Login", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_without_the_gateway_there_is_no_allow_list(app):
    assert app.test_client().get("/sso/login", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


STOCK_CONF = """\
ip2loc: "US"
proxyRemoteSsl: true
proxyRemoteHost: "https://api.ibkr.com"
listenPort: 5000
listenSsl: true
ccp: false
svcEnvironment: "v1"
sslCert: "vertx.jks"
sslPwd: "mywebapi"
authDelay: 3000
portalBaseURL: ""
serverOptions:
    blockedThreadCheckInterval: 1000000
    eventLoopPoolSize: 20
    workerPoolSize: 20
    maxWorkerExecuteTime: 100
    internalBlockingPoolSize: 20
cors:
    origin.allowed: "*"
    allowCredentials: false
webApps:
    -   name: "demo"
        index: "index.html"
ips:
  allow:
    - 192.*
    - 131.216.*
    - 127.0.0.1
  deny:
    - 212.90.324.10
"""


def test_the_stock_conf_yaml_is_read_for_its_ips_port_and_tls(tmp_path):
    path = tmp_path / "conf.yaml"
    path.write_text(STOCK_CONF)
    conf = gateway_conf.read(str(path))
    assert conf.ips == allow_list.STOCK and conf.port == 5000 and conf.ssl is True and conf.problems == []
    assert conf.ignored == ["ip2loc", "proxyRemoteSsl", "proxyRemoteHost", "ccp", "svcEnvironment", "sslCert",
                            "sslPwd", "authDelay", "portalBaseURL", "serverOptions", "cors", "webApps"]
    line = conf.summary("conf.yaml")
    assert "\n" not in line and line.startswith("Gateway conf conf.yaml: read ips (allow 3, deny 1), listenPort 5000")
    assert "ignored (nothing in the kit acts on them): ip2loc, proxyRemoteSsl" in line


def test_ibeams_default_conf_yaml_reads_as_ibeam_users_meet_it(tmp_path):
    path = tmp_path / "conf.yaml"
    path.write_text(STOCK_CONF.split("ips:")[0] + """ips:
  allow:
    - 10.*
    - 192.*
    - 131.216.*
    - 172.17.0.* # docker internal
    - 127.0.0.1 # localhost
    - x.x.x.x # IP address of your machine used to call the API
  deny:
    - 212.90.324.10
    - 0.0.0.0/0 # all other addresses
""")
    conf = gateway_conf.read(str(path))
    ips = allow_list.AllowList(conf.ips["allow"], conf.ips["deny"])
    assert ips.admits("172.17.0.5") and ips.admits("127.0.0.1") and not ips.admits("127.0.0.2")
    assert ips.admits("10.4.4.4")  # "deny 0.0.0.0/0" denies nothing: the allow list alone decides


@pytest.mark.parametrize("text, problem", [
    ("ips: [1, 2", "not YAML"),
    ("- a\n- b\n", "its top level must be keys and values"),
    ("ips: 127.0.0.1\n", "ips must hold allow and deny"),
    ("ips:\n  allow: 127.0.0.1\n  deny: []\n", "ips.allow must be a list"),
    ("listenPort: 70000\n", "listenPort must be a port"),
    ("listenSsl: maybe\n", "listenSsl must be true or false"),
])
def test_a_conf_the_kit_cannot_read_is_refused_in_one_line(tmp_path, text, problem):
    path = tmp_path / "conf.yaml"
    path.write_text(text)
    with pytest.raises(StartError) as refused:
        gateway_conf.read(str(path))
    assert problem in str(refused.value) and "\n" not in str(refused.value) and refused.value.code == 2


def test_a_missing_conf_is_refused(tmp_path):
    with pytest.raises(StartError, match="cannot read it"):
        gateway_conf.read(str(tmp_path / "nowhere.yaml"))
