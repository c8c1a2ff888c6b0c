"""Only the primary user changes security settings; everyone else sees who may (the article's
background section). Forced POSTs answer 403, change nothing and are audited."""
import pytest

from html_reading import parse
from portal_client import opted_out, text


def audit(conn):
    return [dict(r) for r in conn.execute(
        "SELECT actor, target, old_state, new_state, path, outcome FROM audit_log ORDER BY audit_id")]


def test_non_primary_user_sees_the_notice_naming_the_primary_user_and_no_radio(visitor):
    visitor.log_in("bob")
    page = text(visitor.get("/portal/settings/secure-login"))
    assert parse(page).find("h1").text == "取引にセキュアログインが必要ではありません"
    assert "この設定を変更する権限がありません" in page
    assert [li.text for li in parse(page).find("ul", aria_label="変更許可のあるユーザー").find_all("li")] == ["alice"]
    assert parse(page).find("input", type="radio") is None and ">次に進む<" not in page


def test_the_notice_is_in_english_for_an_english_user(visitor, extra_users):
    visitor.log_in("dave")
    page = text(visitor.get("/portal/settings/secure-login"))
    assert parse(page).find("h1").text == "Secure Login is required for trading"
    assert "You may not change this setting" in page
    assert [li.text for li in parse(page).find("ul", aria_label="Users allowed to change it").find_all("li")] == ["alice"]
    assert 'type="radio"' not in page and ">Continue<" not in page
    assert "Opt out of the Secure Login System" not in page


def test_primary_user_sees_no_notice(visitor):
    visitor.log_in("alice")
    page = text(visitor.get("/portal/settings/secure-login"))
    assert "この設定を変更する権限がありません" not in page and 'type="radio"' in page


def test_forced_continue_by_a_non_primary_user_is_403_audited_and_changes_nothing(visitor, conn):
    visitor.log_in("bob")
    response = visitor.press_continue()
    assert response.status_code == 403
    assert "口座のセキュリティ設定を変更できるのは主要なユーザーだけです" in text(response)
    assert opted_out(conn, "bob")
    assert conn.execute("SELECT COUNT(*) FROM confirmations").fetchone()[0] == 0
    assert audit(conn) == [{"actor": "bob", "target": "bob", "old_state": None, "new_state": None,
                            "path": "seed", "outcome": "refused:not_primary"}]


def test_forced_continue_naming_another_accounts_user_is_403(visitor, conn):
    visitor.log_in("alice")
    visitor.get("/portal/settings/secure-login")
    response = visitor.post("/portal/settings/secure-login", {"choice": "always_use_device", "target": "carol"})
    assert response.status_code == 403 and "変更は行われていません" in text(response)
    assert opted_out(conn, "carol") and opted_out(conn, "alice")
    assert audit(conn)[-1]["outcome"] == "refused:target_mismatch" and audit(conn)[-1]["target"] == "carol"


def test_forced_classic_continue_for_another_accounts_user_is_403(visitor, conn):
    visitor.log_in("alice")
    response = visitor.classic_continue("carol")
    assert response.status_code == 403 and "この操作は許可されていません" in text(response)
    assert opted_out(conn, "carol")
    assert audit(conn) == [{"actor": "alice", "target": "carol", "old_state": None, "new_state": None,
                            "path": "classic", "outcome": "refused:foreign_user"}]


def test_forced_classic_continue_by_a_non_primary_user_is_403(visitor, conn):
    visitor.log_in("bob")
    response = visitor.classic_continue("alice")
    assert response.status_code == 403
    assert opted_out(conn, "alice")
    assert audit(conn)[-1]["outcome"] == "refused:not_primary" and audit(conn)[-1]["path"] == "classic"


@pytest.mark.parametrize("path, form", [
    ("/portal/settings/secure-login/opt-out", {"agree": "yes", "signature": "dave"}),
    ("/portal/settings/secure-login/confirm", {"confirmation": "anything"}),
])
def test_other_forced_posts_by_a_non_primary_user_change_nothing(visitor, conn, extra_users, path, form):
    visitor.log_in("dave")
    visitor.get("/portal/settings/secure-login")
    response = visitor.post(path, form)
    assert response.status_code in (400, 403)
    assert not opted_out(conn, "dave")
    assert conn.execute("SELECT COUNT(*) FROM audit_log WHERE actor = 'dave' AND outcome LIKE 'refused:%'"
                        ).fetchone()[0] == 1


def test_the_classic_page_shows_a_non_primary_user_the_notice_and_no_radio(visitor):
    visitor.log_in("bob")
    page = text(visitor.get("/classic/account/security/secure-login/opt-out"))
    assert [li.text for li in parse(page).find("ul", aria_label="変更許可のあるユーザー").find_all("li")] == ["alice"]
    assert parse(page).find("input", type="radio") is None and ">次に進む<" not in page
    assert "オプトアウト中" in [td.text for td in parse(page).find_all("td")]  # the statuses are still shown
