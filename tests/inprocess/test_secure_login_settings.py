"""The settings screens and the SLS change (article steps 4-7): only OK changes the state."""
from html_reading import parse
from portal_client import opted_out, text


def test_user_settings_show_the_security_box_and_gear(visitor):
    visitor.log_in("alice")
    page = text(visitor.get("/portal/settings/user"))
    assert 'aria-labelledby="security-heading"' in page and ">セキュリティ<" in page
    assert 'aria-label="セキュア・ログイン・システムの設定"' in page
    assert 'aria-label="セキュア・ログイン設定を変更"' in page


def test_opted_out_user_sees_not_required_heading_and_the_radio(visitor):
    visitor.log_in("alice")
    page = text(visitor.get("/portal/settings/secure-login"))
    assert parse(page).find("h1").text == "取引にセキュアログインが必要ではありません"
    assert "ログイン時には常にセキュアログイン・デバイスの使用を希望します" in page
    assert parse(page).find("input", type="radio") is not None


def test_continue_changes_nothing_until_ok(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    assert opted_out(conn, "alice")
    page = text(visitor.get(f"/portal/settings/secure-login?confirmation={cid}"))
    assert {b.text for b in parse(page).find("dialog", open=True).find_all("button")} == {"OK", "キャンセル"}
    response = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid}, follow_redirects=True)
    assert parse(text(response)).find("h1").text == "取引にセキュアログインが必要です"
    assert not opted_out(conn, "alice")


def test_ok_writes_one_audit_row_and_messages(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    rows = [dict(r) for r in conn.execute("SELECT actor, target, old_state, new_state, path, outcome FROM audit_log")]
    assert rows == [{"actor": "alice", "target": "alice", "old_state": "opted_out", "new_state": "enrolled",
                     "path": "seed", "outcome": "changed"}]
    assert conn.execute("SELECT COUNT(*) FROM messages WHERE username = 'alice'").fetchone()[0] == 1


def test_cancel_changes_nothing(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    response = visitor.post("/portal/settings/secure-login/cancel", {"confirmation": cid}, follow_redirects=True)
    assert "変更はキャンセルされました" in text(response)
    assert opted_out(conn, "alice")
    # A cancelled confirmation cannot be answered with OK afterwards.
    late = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    assert late.status_code == 409 and opted_out(conn, "alice")


def test_double_submit_of_ok_changes_once(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    first = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    second = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    assert first.status_code == 303
    assert second.status_code == 303 and second.headers["Location"].endswith("notice=already_done")
    assert conn.execute("SELECT COUNT(*) FROM audit_log WHERE outcome = 'changed'").fetchone()[0] == 1


def test_continue_without_choosing_the_radio_is_refused(visitor, conn):
    visitor.log_in("alice")
    visitor.get("/portal/settings/secure-login")
    response = visitor.post("/portal/settings/secure-login", {})
    assert response.status_code == 400 and "オプションを選択してから" in text(response)
    assert conn.execute("SELECT COUNT(*) FROM confirmations").fetchone()[0] == 0


def test_post_without_csrf_token_is_refused_and_changes_nothing(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    response = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid}, csrf=False)
    assert response.status_code == 400 and "改ざん" in text(response)
    assert opted_out(conn, "alice")


def test_post_with_another_sessions_token_is_refused(visitor, other_visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    other_visitor.get("/sso/login")
    response = visitor.post("/portal/settings/secure-login/confirm",
                            {"confirmation": cid, "csrf_token": other_visitor.csrf})
    assert response.status_code == 400
    assert opted_out(conn, "alice")


def test_post_from_another_origin_is_refused(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    response = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid},
                            headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert opted_out(conn, "alice")


def test_ok_without_a_pending_confirmation_is_refused(visitor, conn):
    visitor.log_in("alice")
    visitor.get("/portal/settings/secure-login")
    response = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": "made-up"})
    assert response.status_code == 400 and "この確認は無効です" in text(response)
    assert opted_out(conn, "alice")


def test_a_confirmation_cannot_be_answered_from_another_session(visitor, other_visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    other_visitor.client.application.config["CLOCK"].advance(30)  # a fresh TOTP step for the 2nd login
    other_visitor.log_in("alice")
    other_visitor.get("/portal/settings/secure-login")
    response = other_visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    assert response.status_code == 400
    assert opted_out(conn, "alice")


def test_an_expired_confirmation_is_refused(visitor, clock, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    clock.advance(301)
    response = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    assert response.status_code == 409 and "有効期限が切れました" in text(response)
    assert opted_out(conn, "alice")


def test_a_confirmation_from_before_a_restart_is_refused(app, visitor, conn):
    from mock_portal import create_app
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    restarted = create_app({**app.config, "BOOT_ID": "another-run"})
    visitor.client.application = restarted
    response = visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    assert response.status_code == 409
    assert opted_out(conn, "alice")


def test_state_changes_only_through_post(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    assert visitor.get(f"/portal/settings/secure-login/confirm?confirmation={cid}").status_code == 405
    assert opted_out(conn, "alice")


def test_enrolled_user_cannot_continue_again(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    response = visitor.press_continue()
    assert response.status_code == 409 and "既にその状態です" in text(response)


def test_settings_require_login(visitor):
    response = visitor.get("/portal/settings/secure-login")
    assert response.status_code == 302 and "/sso/login" in response.headers["Location"]


def test_english_user_sees_english_screens(visitor):
    visitor.log_in("carol")
    page = text(visitor.get("/portal/settings/secure-login"))
    assert parse(page).find("h1").text == "Secure Login is not required for trading"
    assert "I would like to always use my Secure Login Device when logging in" in page
    assert ">Continue<" in page
