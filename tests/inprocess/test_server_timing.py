"""Every answer of the portal says where its time went (W3C Server-Timing: database, template,
password hash, total), and the request journal keeps the same split."""
import re

import pytest

from portal_client import USERS


def split(response):
    """The Server-Timing header as {name: milliseconds}, each entry with its description."""
    header = response.headers["Server-Timing"]
    entries = [re.fullmatch(r'(\w+);desc="([^"]+)";dur=([0-9.]+)', part.strip()) for part in header.split(",")]
    assert all(entries), header
    return {m.group(1): float(m.group(3)) for m in entries}


@pytest.fixture
def portal(app_like):
    """The portal with its gateway API and test hooks mounted, so every kind of answer is there."""
    return app_like(GATEWAY=True, TEST_HOOKS=True)


@pytest.mark.parametrize("method, path, kind", [
    ("GET", "/?lang=en", "a redirect"),  # the gateway's root leads to its login
    ("GET", "/sso/login", "a page"),
    ("GET", "/static/portal.css", "a static file"),
    ("GET", "/no-such-page", "an error page"),
    ("GET", "/v1/api/iserver/auth/status", "the gateway's JSON"),
    ("GET", "/_test/faults", "a test hook's JSON"),
    ("POST", "/portal/settings/secure-login/confirm", "a refused POST"),
])
def test_every_kind_of_answer_says_where_its_time_went(portal, method, path, kind):
    response = portal.test_client().open(path, method=method)
    parts = split(response)
    assert list(parts) == ["db", "tpl", "hash", "total"], kind
    assert parts["total"] >= parts["db"] + parts["tpl"] + parts["hash"] - 0.05, kind  # each is rounded


def test_a_page_spends_on_its_database_and_its_template_and_only_a_login_hashes(portal):
    client = portal.test_client()
    page = split(client.get("/sso/login"))
    assert page["db"] > 0 and page["tpl"] > 0 and page["hash"] == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sso/login").get_data(as_text=True)).group(1)
    login = split(client.post("/sso/login", data={"csrf_token": token, "username": "alice",
                                                  "password": USERS["alice"]["password"]}))
    assert login["hash"] > 0
    api = split(client.get("/v1/api/iserver/auth/status"))
    assert api["tpl"] == 0 and api["hash"] == 0  # JSON: no template, no password


def test_the_journal_keeps_the_same_split_as_the_header(portal):
    client = portal.test_client()
    parts = split(client.get("/sso/login?lang=ja"))
    entry = client.get("/_test/requests?path=/sso/login").get_json()["requests"][-1]
    assert entry["timing"] == parts and entry["duration_ms"] == round(parts["total"], 1)
