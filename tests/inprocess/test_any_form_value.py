"""No value of any form field gives a 5xx, on any POST route : the app's URL map
is walked, the portal's and the gateway's (its /v1 API, today's login page, the current revision
and the test hooks on), logged out and logged in, with any Unicode of any length the limits allow
(and raw bytes that are not UTF-8) in the CSRF token, the hidden fields, the codes and the names.

The scanner's 500 was one such value: a CSRF token with a non-ASCII character made the token
comparison raise. Deterministic and bounded (each example posts to every route), so it stays quick.
"""
import re
from pathlib import Path
from urllib.parse import quote_from_bytes, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import PROPERTY
from test_route_matrix import concrete, copy_of, log_in_as

import mock_portal
from mock_portal import limits
from portal_client import Visitor


PORTAL = Path(mock_portal.__file__).parent  # where it is installed: a team's wheel too
# Every field a form names or a view reads: found in the templates and the views, so a new one is
# walked too.
FIELDS = sorted(
    set(re.findall(r'name="([A-Za-z_]+)"', "".join(p.read_text() for p in (PORTAL / "templates").glob("*.html"))))
    | set(re.findall(r"""(?:form|args)(?:\.get\(|\[)["']([A-Za-z_]+)["']""",
                     "".join(p.read_text() for p in PORTAL.glob("*.py")))))
APPS = {
    "portal": {},
    "gateway": {"GATEWAY": True, "TEST_HOOKS": True, "PORTAL_REVISION": "current", "LOGIN_PAGE": "current"},
}
KINDS = ("anonymous", "pending", "portal")  # logged out, half way (the code step), logged in

# Any character a request can carry (not lone surrogates, which no encoding sends), up to the
# longest a field may be and a little beyond (longer input is cut to the limit).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=limits.FIELD + 8)
values = st.one_of(
    TEXT,
    st.sampled_from(["", "0", "-1", "1e400", "999999999999999999999", "é", "\x00", "../../etc/passwd",
                     "//evil.example/", "javascript:alert(1)", "%", "\ufeff", "ｱｲｳ１２３"]),
    st.binary(max_size=40).map(lambda b: ("raw", b)),  # bytes sent as they are: not always UTF-8
)
forms = st.fixed_dictionaries({
    "fields": st.dictionaries(st.sampled_from(FIELDS), values, max_size=6),
    "csrf": st.one_of(st.just("valid"), values),
    "json": st.booleans(),  # as today's login page's script asks: Accept: application/json
})


def _encode(value):
    if isinstance(value, tuple):
        return quote_from_bytes(value[1])
    return quote_from_bytes(value.encode())


@pytest.fixture(params=list(APPS))
def any_app(request, app_like):
    return app_like(**APPS[request.param])


def logged_in(app, clock):
    """alice through the login forms, wherever her revision lands her."""
    clock.advance(30)
    visitor = Visitor(app.test_client(), clock)
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    response = visitor.post("/sso/login/code", {"code": visitor.code("alice")}, follow_redirects=True)
    assert response.status_code == 200 and "alice" in response.get_data(as_text=True)
    return visitor


@pytest.mark.parametrize("kind", KINDS)
def test_no_form_value_gives_a_server_error_on_any_post_route(any_app, clock, conn, kind):
    template = logged_in(any_app, clock) if kind == "portal" else log_in_as(kind, any_app, clock)
    posts = [concrete(rule) for rule in any_app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 27

    @settings(PROPERTY, max_examples=6)
    @given(form=forms)
    def check(form):
        fields = dict(form["fields"])
        fields["csrf_token"] = template.csrf if form["csrf"] == "valid" else form["csrf"]
        body = "&".join(f"{quote_from_bytes(name.encode())}={_encode(v)}" for name, v in fields.items())
        query = urlencode({k: v for k, v in fields.items() if isinstance(v, str)}, encoding="utf-8")
        headers = {"Accept": "application/json"} if form["json"] else {}
        errors = []
        for path in posts:
            visitor = copy_of(template, any_app, conn)  # a request may end or rotate the session
            response = visitor.client.post(f"{path}?{query}", data=body, headers=headers,
                                           content_type="application/x-www-form-urlencoded")
            if response.status_code >= 500:
                errors.append(f"POST {path} as {kind}: {response.status_code}")
        assert not errors, f"{fields!r}\n" + "\n".join(errors)
    check()
