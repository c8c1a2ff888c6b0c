"""Login: username and password, then the authenticator-app code (article step 3)."""
import pytest

from portal_client import USERS, text


def test_password_then_code_lands_in_the_portal(visitor):
    response = visitor.log_in("alice")
    assert "ログアウト" in text(response)


def test_wrong_password_and_unknown_user_get_the_same_message(visitor):
    wrong = visitor.submit_password("alice", "not the password")
    unknown = visitor.submit_password("nobody", "whatever")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "ユーザー名またはパスワードが正しくありません。" in text(response)
    assert visitor.get("/portal/").status_code == 302


def test_empty_fields_are_refused_clearly(visitor):
    response = visitor.submit_password("", "")
    assert response.status_code == 400
    assert "ユーザー名とパスワードを入力してください。" in text(response)


def test_password_alone_does_not_open_the_portal(visitor):
    visitor.submit_password("alice")
    assert visitor.get("/portal/").status_code == 302


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_code_within_one_step_of_drift_is_accepted(visitor, offset):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    response = visitor.post("/sso/login/code", {"code": visitor.code("alice", offset)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/portal/")


@pytest.mark.parametrize("offset", [-2, 2])
def test_code_two_steps_away_is_refused(visitor, offset):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    response = visitor.post("/sso/login/code", {"code": visitor.code("alice", offset)})
    assert response.status_code == 401
    assert "セキュリティ・コードが正しくありません。" in text(response)


def test_wrong_code_is_refused(visitor):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    wrong = "000000" if visitor.code("alice") != "000000" else "111111"
    response = visitor.post("/sso/login/code", {"code": wrong})
    assert response.status_code == 401
    assert visitor.get("/portal/").status_code == 302


def test_a_used_code_is_refused_when_replayed_from_another_session(visitor, other_visitor):
    code = visitor.code("alice")
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    assert visitor.post("/sso/login/code", {"code": code}).status_code == 303
    other_visitor.submit_password("alice")
    other_visitor.get("/sso/login/code")
    replay = other_visitor.post("/sso/login/code", {"code": code})
    assert replay.status_code == 401
    assert "既に使用されています" in text(replay)


def test_an_older_code_is_refused_after_a_newer_one_was_used(visitor, other_visitor):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    assert visitor.post("/sso/login/code", {"code": visitor.code("alice", 1)}).status_code == 303
    other_visitor.submit_password("alice")
    other_visitor.get("/sso/login/code")
    assert other_visitor.post("/sso/login/code", {"code": other_visitor.code("alice", 0)}).status_code == 401


def test_replay_is_refused_after_a_restart_on_the_same_database(app, clock, visitor):
    from mock_portal import create_app
    code = visitor.code("alice")
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    assert visitor.post("/sso/login/code", {"code": code}).status_code == 303
    restarted = create_app(app.config)
    from portal_client import Visitor
    again = Visitor(restarted.test_client(), clock)
    again.submit_password("alice")
    again.get("/sso/login/code")
    assert again.post("/sso/login/code", {"code": code}).status_code == 401


def test_the_next_step_after_a_replay_is_accepted(visitor, clock, other_visitor):
    visitor.log_in("alice")
    clock.advance(30)
    other_visitor.log_in("alice")


def test_full_width_digits_are_normalised(visitor):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    full_width = visitor.code("alice").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert visitor.post("/sso/login/code", {"code": full_width}).status_code == 303


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34\x0056", "9" * 5000])
def test_malformed_codes_are_refused_without_error(visitor, code):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    response = visitor.post("/sso/login/code", {"code": code})
    assert response.status_code == 401


def test_session_id_is_rotated_at_each_login_step(visitor):
    visitor.get("/sso/login")
    first = visitor.client.get_cookie("slskit_session").value
    visitor.post("/sso/login", {"username": "alice", "password": USERS["alice"]["password"]})
    second = visitor.client.get_cookie("slskit_session").value
    visitor.get("/sso/login/code")
    visitor.post("/sso/login/code", {"code": visitor.code("alice")})
    third = visitor.client.get_cookie("slskit_session").value
    assert len({first, second, third}) == 3


def test_old_session_id_is_worthless_after_login(app, visitor):
    visitor.get("/sso/login")
    fixed = visitor.client.get_cookie("slskit_session").value
    visitor.log_in("alice")
    attacker = app.test_client()
    attacker.set_cookie("slskit_session", fixed)
    assert attacker.get("/portal/").status_code == 302


def test_session_cookie_flags(visitor):
    response = visitor.get("/sso/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here


def test_cookie_is_secure_over_https(app):
    response = app.test_client().get("/sso/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_logout_kills_the_session_on_the_server(app, visitor):
    visitor.log_in("alice")
    sid = visitor.client.get_cookie("slskit_session").value
    visitor.get("/portal/")
    response = visitor.post("/sso/logout")
    assert response.status_code == 303
    replay = app.test_client()
    replay.set_cookie("slskit_session", sid)
    assert replay.get("/portal/").status_code == 302


def test_idle_session_expires(visitor, clock):
    visitor.log_in("alice")
    clock.advance(31 * 60)
    response = visitor.get("/portal/settings/user")
    assert response.status_code == 302 and "session_expired" in response.headers["Location"]


def test_code_step_without_password_step_is_refused(visitor):
    visitor.get("/sso/login")
    response = visitor.post("/sso/login/code", {"code": "123456"})
    assert response.status_code == 401
    assert "ログインの有効期限が切れました" in text(response)


def test_login_page_language_follows_the_query(visitor):
    assert "Username" in text(visitor.get("/sso/login?lang=en"))
    assert "ユーザー名" in text(visitor.get("/sso/login?lang=ja"))


def test_portal_speaks_the_users_locale(visitor):
    visitor.get("/sso/login?lang=ja")
    response = visitor.log_in("carol")
    assert "Log Out" in text(response) and 'lang="en"' in text(response)
