"""Bad input never costs a 500: garbage in every form of every POST route, wrong content types, a
body over a megabyte."""

import pytest

from portal_client import post_routes, text


GARBAGE_FORMS = [
    {}, {"username": "", "password": "", "code": ""},
    {"username": "a" * 100_000, "password": "b" * 100_000, "code": "9" * 100_000},
    {"username": "al\x00ice\x1b[31m", "password": "\x00\r\n", "code": "12\x0034"},
    {"code": "１２３４５６", "device": "１", "username": "ａｌｉｃｅ", "password": "ｐ"},
    {"code": "DROP TABLE users;--", "confirmation": "'; --", "target": "../../etc", "next": "//evil.example/"},
]


@pytest.mark.parametrize("form", GARBAGE_FORMS, ids=range(len(GARBAGE_FORMS)))
@pytest.mark.parametrize("logged_in", [False, True])
def test_garbage_forms_never_cause_a_500(app, visitor, form, logged_in):
    if logged_in:
        visitor.log_in("alice")
    for path in post_routes(app):
        response = visitor.post(path, form)
        assert response.status_code < 500, (path, response.status_code)
        assert "Traceback" not in text(response)


@pytest.mark.parametrize("body, content_type", [
    ('{"username": "alice", "password": "alice pass 1"}', "application/json"),
    ("--x\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n12", "multipart/form-data; boundary=x"),
    ("\xff\xfe garbage", "multipart/form-data"),
    ("csrf_token=%ZZ&code=%00", "application/x-www-form-urlencoded"),
    ("<xml/>", "text/xml"),
])
def test_wrong_content_types_never_cause_a_500(app, visitor, body, content_type):
    visitor.log_in("alice")
    for path in post_routes(app):
        response = visitor.client.post(path, data=body, content_type=content_type)
        assert response.status_code < 500, (path, content_type, response.status_code)


def test_a_body_over_one_megabyte_is_refused_clearly(visitor):
    visitor.get("/sso/login")
    response = visitor.post("/sso/login", {"username": "x" * (2 * 1024 * 1024), "password": "p"})
    assert response.status_code == 413 and 'role="alert"' in text(response)
