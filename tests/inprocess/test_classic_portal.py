"""The classic Client Portal path (the article's note): 口座管理 > セキュリティー >
セキュア・ログイン・システム > セキュリティディバイスの解約(SLSオプトアウト), then a user's radio,
次に進む, the confirmation and OK."""

from html_reading import parse
from portal_client import opted_out, text


OPT_OUT = "/classic/account/security/secure-login/opt-out"


def links(page):
    return [a.text for a in parse(page).find_all("a")]


def test_every_seed_revision_page_links_to_the_classic_portal(visitor):
    visitor.log_in("alice")
    for path in ("/portal/", "/portal/settings/", "/portal/settings/user", "/portal/settings/secure-login",
                 "/portal/account", "/portal/messages", "/portal/audit", "/portal/trading"):
        page = text(visitor.get(path))
        assert parse(page).find("a", class_="switch", href="/classic/").text == "クラシック・ポータル", path


def test_the_top_menu_opens_one_level_per_click_in_the_articles_words(visitor):
    visitor.log_in("alice")
    assert "口座管理" in links(text(visitor.get("/classic/")))
    assert "セキュリティー" in links(text(visitor.get("/classic/account")))
    assert "セキュア・ログイン・システム" in links(text(visitor.get("/classic/account/security")))
    page = text(visitor.get("/classic/account/security/secure-login"))
    assert "セキュリティディバイスの解約(SLSオプトアウト)" in links(page)
    assert links(page)[-1] == "セキュリティディバイスの解約(SLSオプトアウト)"


def test_the_classic_menu_in_english(visitor):
    visitor.log_in("carol")
    page = text(visitor.get("/classic/account/security/secure-login"))
    assert ["Manage Account", "Security", "Secure Login System", "SLS Opt Out"] == \
        [name for name in links(page) if name in ("Manage Account", "Security", "Secure Login System", "SLS Opt Out")]


def test_classic_pages_lead_back_to_the_new_portal(visitor):
    visitor.log_in("alice")
    page = text(visitor.get("/classic/account"))
    assert parse(page).find("a", class_="switch", href="/portal/").text == "新しいポータルに戻る"


def test_the_opt_out_page_lists_every_user_with_status_and_a_radio_per_opted_out_user(visitor, extra_users):
    visitor.log_in("alice")
    page = text(visitor.get(OPT_OUT))
    assert parse(page).find("h1").text == "セキュリティディバイスの解約(SLSオプトアウト)"
    assert [th.text.split()[0] for th in parse(page).find_all("th", scope="row")] == ["alice", "bob", "dave"]
    assert page.count('type="radio"') == 2  # alice and bob are opted out, dave is enrolled
    assert 'value="alice"' in page and 'value="bob"' in page and 'value="dave"' not in page
    assert "bob のオプトアウトを解約" in page
    assert "有効" in [td.text for td in parse(page).find_all("td")] and "carol" not in page


def test_primary_user_opts_another_user_back_in(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_classic_confirmation("bob")
    assert opted_out(conn, "bob")  # Continue changed nothing
    page = text(visitor.get(f"{OPT_OUT}?confirmation={cid}"))
    assert "bob のセキュア・ログイン・システムのオプトアウトを解約し" in parse(page).find("dialog", open=True).text
    response = visitor.post(f"{OPT_OUT}/confirm", {"confirmation": cid, "target": "bob"}, follow_redirects=True)
    assert not opted_out(conn, "bob") and opted_out(conn, "alice")
    page = text(response)
    assert "設定が更新されました" in page
    rows = {row.find("th").text.split()[0]: row for row in parse(page).find_all("tr") if row.find("th", scope="row")}
    assert rows["bob"].find("td").text == "有効"
    assert 'value="bob"' not in page
    row = dict(conn.execute("SELECT actor, target, old_state, new_state, path, outcome FROM audit_log").fetchone())
    assert row == {"actor": "alice", "target": "bob", "old_state": "opted_out", "new_state": "enrolled",
                   "path": "classic", "outcome": "changed"}


def test_primary_user_opts_themself_back_in_on_the_classic_page(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_classic_confirmation("alice")
    visitor.post(f"{OPT_OUT}/confirm", {"confirmation": cid, "target": "alice"})
    assert not opted_out(conn, "alice") and opted_out(conn, "bob")


def test_classic_cancel_changes_nothing(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_classic_confirmation("bob")
    response = visitor.post(f"{OPT_OUT}/cancel", {"confirmation": cid, "target": "bob"}, follow_redirects=True)
    assert "変更はキャンセルされました" in text(response)
    assert opted_out(conn, "bob")


def test_continue_without_choosing_a_user_is_refused(visitor, conn):
    visitor.log_in("alice")
    visitor.get(OPT_OUT)
    response = visitor.post(OPT_OUT, {})
    assert response.status_code == 400 and "ユーザーを選択してから" in text(response)
    assert conn.execute("SELECT COUNT(*) FROM confirmations").fetchone()[0] == 0


def test_an_enrolled_user_cannot_be_chosen(visitor, conn, extra_users):
    visitor.log_in("alice")
    response = visitor.classic_continue("dave")
    assert response.status_code == 409 and "既にその状態です" in text(response)
    assert conn.execute("SELECT outcome FROM audit_log").fetchone()[0] == "refused:no_change"


def test_no_opted_out_user_left_means_no_continue(visitor, conn):
    conn.execute("UPDATE users SET sls_opted_out = 0 WHERE account_id = 'U1000001'")
    visitor.log_in("alice")
    page = text(visitor.get(OPT_OUT))
    assert "オプトアウト中のユーザーはいません。" in page and ">次に進む<" not in page


def test_a_seed_revision_opt_out_confirmation_is_not_shown_on_the_classic_page(visitor, conn):
    conn.execute("UPDATE users SET sls_opted_out = 0 WHERE username = 'alice'")
    visitor.log_in("alice")
    visitor.get("/portal/settings/secure-login/opt-out")
    response = visitor.post("/portal/settings/secure-login/opt-out", {"agree": "yes", "signature": "alice"})
    cid = response.headers["Location"].split("confirmation=")[1]
    page = visitor.get(f"{OPT_OUT}?confirmation={cid}")
    assert page.status_code == 409 and parse(text(page)).find("dialog") is None
    refused = visitor.post(f"{OPT_OUT}/confirm", {"confirmation": cid})
    assert refused.status_code == 400 and not opted_out(conn, "alice")


def test_the_classic_portal_requires_login(visitor):
    response = visitor.get(OPT_OUT)
    assert response.status_code == 302 and "/sso/login" in response.headers["Location"]
