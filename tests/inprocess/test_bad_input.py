"""Bad input at the confirmation: one clear message, the state unchanged, and an audit row for
every refused attempt whose user is known."""
import pytest

from html_reading import parse
from portal_client import SECURE_LOGIN_SETTINGS, opted_out, text


CLASSIC = "/classic/account/security/secure-login/opt-out"


def refusals(conn, actor):
    return [dict(r) for r in conn.execute(
        "SELECT target, path, outcome FROM audit_log WHERE actor = ? AND outcome LIKE 'refused:%'"
        " ORDER BY audit_id", (actor,))]


def changes(conn):
    return conn.execute("SELECT COUNT(*) FROM audit_log WHERE outcome = 'changed'").fetchone()[0]


@pytest.fixture
def classic_confirmation(visitor):
    visitor.log_in("alice")
    return visitor.open_classic_confirmation("bob")


def test_double_submit_of_ok_changes_once_and_says_the_change_was_made(visitor, conn, classic_confirmation):
    # The same OK twice (a double click, a retry after the connection dropped) is one request
    # arriving twice: one change, one audit row, and the screen says the change was made.
    form = {"confirmation": classic_confirmation, "target": "bob"}
    assert visitor.post(f"{CLASSIC}/confirm", form).status_code == 303
    second = visitor.post(f"{CLASSIC}/confirm", form)
    assert second.status_code == 303 and second.headers["Location"].endswith("notice=already_done")
    assert "この変更はすでに行われています" in text(visitor.get(second.headers["Location"]))
    assert changes(conn) == 1 and not opted_out(conn, "bob")
    assert refusals(conn, "alice") == []


def test_ok_on_a_cancelled_confirmation_is_refused_and_audited(visitor, conn, classic_confirmation):
    form = {"confirmation": classic_confirmation, "target": "bob"}
    assert visitor.post(f"{CLASSIC}/cancel", form).status_code == 303
    late = visitor.post(f"{CLASSIC}/confirm", form)
    assert late.status_code == 409 and "この確認は既に処理されています" in text(late)
    assert changes(conn) == 0 and opted_out(conn, "bob")
    assert refusals(conn, "alice") == [{"target": "bob", "path": "classic", "outcome": "refused:confirmation_used"}]


def test_ok_after_the_session_expired_is_refused_clearly_and_audited(visitor, clock, conn, classic_confirmation):
    clock.advance(31 * 60)
    response = visitor.post(f"{CLASSIC}/confirm", {"confirmation": classic_confirmation, "target": "bob"})
    assert response.status_code == 401
    assert "セッションの有効期限が切れました。もう一度ログインしてください。" in text(response)
    assert opted_out(conn, "bob") and changes(conn) == 0
    assert refusals(conn, "alice") == [{"target": "bob", "path": "classic", "outcome": "refused:session_expired"}]


def test_ok_after_the_session_expired_on_the_seed_revisions_page(visitor, clock, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    clock.advance(31 * 60)
    response = visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid})
    assert response.status_code == 401 and opted_out(conn, "alice")
    assert refusals(conn, "alice") == [{"target": "alice", "path": "seed", "outcome": "refused:session_expired"}]


def test_back_button_to_the_confirmation_after_ok_shows_no_dialog(visitor, conn, classic_confirmation):
    visitor.post(f"{CLASSIC}/confirm", {"confirmation": classic_confirmation, "target": "bob"})
    back = visitor.get(f"{CLASSIC}?confirmation={classic_confirmation}", follow_redirects=True)
    assert back.status_code == 200 and parse(text(back)).find("dialog") is None
    assert "この変更はすでに行われています" in text(back)


def test_back_button_to_a_cancelled_confirmation_says_it_is_spent(visitor, conn, classic_confirmation):
    visitor.post(f"{CLASSIC}/cancel", {"confirmation": classic_confirmation, "target": "bob"})
    back = visitor.get(f"{CLASSIC}?confirmation={classic_confirmation}")
    assert back.status_code == 409 and parse(text(back)).find("dialog") is None
    assert "この確認は既に処理されています" in text(back)


def test_back_button_resubmission_of_continue_after_ok_opens_nothing(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid})
    again = visitor.post(SECURE_LOGIN_SETTINGS, {"choice": "always_use_device", "target": "alice"})
    assert again.status_code == 409 and "既にその状態です" in text(again)
    assert changes(conn) == 1
    assert refusals(conn, "alice")[-1]["outcome"] == "refused:no_change"


def test_a_confirmation_replayed_by_another_user_is_refused(app, clock, visitor, conn, classic_confirmation):
    clock.advance(30)
    bob = type(visitor)(app.test_client(), clock)
    bob.log_in("bob")
    bob.get(SECURE_LOGIN_SETTINGS)
    response = bob.post(f"{CLASSIC}/confirm", {"confirmation": classic_confirmation, "target": "bob"})
    assert response.status_code == 400 and "この確認は無効です" in text(response)
    assert opted_out(conn, "bob") and changes(conn) == 0
    assert refusals(conn, "bob") == [{"target": "bob", "path": "classic", "outcome": "refused:confirmation_unknown"}]
    # The rightful user's confirmation is still good.
    assert visitor.post(f"{CLASSIC}/confirm", {"confirmation": classic_confirmation,
                                               "target": "bob"}).status_code == 303


@pytest.mark.parametrize("tampered", ["alice", "carol", "nobody"])
def test_a_tampered_hidden_target_is_refused(visitor, conn, classic_confirmation, tampered):
    response = visitor.post(f"{CLASSIC}/confirm", {"confirmation": classic_confirmation, "target": tampered})
    assert response.status_code == 403
    assert "要求が別のユーザーを指しています" in text(response)
    assert opted_out(conn, "bob") and opted_out(conn, "alice") and opted_out(conn, "carol")
    assert refusals(conn, "alice") == [{"target": tampered, "path": "classic", "outcome": "refused:target_mismatch"}]


def test_a_tampered_hidden_target_on_the_seed_revisions_confirmation_is_refused(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    response = visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid, "target": "bob"})
    assert response.status_code == 403 and opted_out(conn, "alice") and opted_out(conn, "bob")


def test_the_dialog_carries_the_target_the_server_checks(visitor, classic_confirmation):
    page = text(visitor.get(f"{CLASSIC}?confirmation={classic_confirmation}"))
    assert len(parse(page).find_all("input", type="hidden", name="target", value="bob")) == 2  # Cancel and OK


def test_unknown_confirmation_is_audited(visitor, conn):
    visitor.log_in("alice")
    visitor.get(CLASSIC)
    response = visitor.post(f"{CLASSIC}/confirm", {"confirmation": "made-up", "target": "bob"})
    assert response.status_code == 400 and opted_out(conn, "bob")
    assert refusals(conn, "alice") == [{"target": "bob", "path": "classic", "outcome": "refused:confirmation_unknown"}]


@pytest.mark.parametrize("device", ["²", "١", "-1", "1.0", ""])
def test_a_device_choice_that_is_no_ascii_number_is_refused_clearly(visitor, device):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    refused = visitor.post("/sso/login/device", {"device": device})
    assert refused.status_code == 400, text(refused)
