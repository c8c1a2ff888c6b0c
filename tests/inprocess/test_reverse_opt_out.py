"""The reverse direction: an enrolled primary user opts out again only through the opt-out
agreement (a ticked box and their typed username), then its own confirmation."""
import pytest

from html_reading import parse
from portal_client import opted_out, text


AGREEMENT = "/portal/settings/secure-login/opt-out"


@pytest.fixture
def enrolled_alice(conn, visitor):
    conn.execute("UPDATE users SET sls_opted_out = 0 WHERE username = 'alice'")
    visitor.log_in("alice")
    visitor.get(AGREEMENT)
    return visitor


def test_enrolled_primary_user_is_offered_the_agreement(enrolled_alice):
    page = text(enrolled_alice.get("/portal/settings/secure-login"))
    assert parse(page).find("a", href=AGREEMENT).text == "セキュア・ログイン・システムをオプトアウトする"
    page = text(enrolled_alice.get(AGREEMENT))
    assert "オプトアウト同意書" in page and 'type="checkbox"' in page
    assert "署名（ユーザー名を入力）" in page and ">次に進む<" in page


def test_agreement_then_confirmation_then_ok_opts_out(enrolled_alice, conn):
    response = enrolled_alice.post(AGREEMENT, {"agree": "yes", "signature": "alice"})
    assert response.status_code == 303 and not opted_out(conn, "alice")
    page = text(enrolled_alice.get(response.headers["Location"]))
    assert "セキュア・ログイン・システムをオプトアウトします" in parse(page).find("dialog", open=True).text
    cid = page.split('name="confirmation" value="')[1].split('"')[0]
    done = enrolled_alice.post(f"{AGREEMENT}/confirm", {"confirmation": cid, "target": "alice"},
                               follow_redirects=True)
    assert parse(text(done)).find("h1").text == "取引にセキュアログインが必要ではありません"
    assert "オプトアウトしました" in text(done)
    assert opted_out(conn, "alice")
    row = conn.execute("SELECT old_state, new_state, path, outcome FROM audit_log").fetchone()
    assert tuple(row) == ("enrolled", "opted_out", "seed", "changed")


@pytest.mark.parametrize("form, message", [
    ({"signature": "alice"}, "チェックボックスを選択してください"),
    ({"agree": "yes", "signature": ""}, "ユーザー名を正確に入力してください"),
    ({"agree": "yes", "signature": "Alice"}, "ユーザー名を正確に入力してください"),
    ({"agree": "yes", "signature": "bob"}, "ユーザー名を正確に入力してください"),
])
def test_the_agreement_must_be_ticked_and_signed_with_the_own_username(enrolled_alice, conn, form, message):
    response = enrolled_alice.post(AGREEMENT, form)
    assert response.status_code == 400 and message in text(response)
    assert conn.execute("SELECT COUNT(*) FROM confirmations").fetchone()[0] == 0
    assert not opted_out(conn, "alice")


def test_cancel_in_the_opt_out_confirmation_changes_nothing(enrolled_alice, conn):
    cid = enrolled_alice.post(AGREEMENT, {"agree": "yes", "signature": "alice"}
                              ).headers["Location"].split("confirmation=")[1]
    response = enrolled_alice.post(f"{AGREEMENT}/cancel", {"confirmation": cid}, follow_redirects=True)
    assert "変更はキャンセルされました" in text(response) and not opted_out(conn, "alice")


def test_the_opt_out_confirmation_cannot_be_answered_by_the_opt_in_ok(enrolled_alice, conn):
    cid = enrolled_alice.post(AGREEMENT, {"agree": "yes", "signature": "alice"}
                              ).headers["Location"].split("confirmation=")[1]
    response = enrolled_alice.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    assert response.status_code == 400 and not opted_out(conn, "alice")


def test_an_opted_out_user_is_not_offered_the_agreement(visitor, conn):
    visitor.log_in("alice")
    page = text(visitor.get(AGREEMENT))
    assert "既にオプトアウトされています" in page and 'type="checkbox"' not in page
    response = visitor.post(AGREEMENT, {"agree": "yes", "signature": "alice"})
    assert response.status_code == 409 and opted_out(conn, "alice")
