"""Every change leaves a trace: an audit row (UTC, actor, target, old/new, path) and a message in
the actor's and the target's message center; the audit page is the primary user's only."""

from mock_portal import sls
from html_reading import parse
from portal_client import text


OPT_OUT = "/classic/account/security/secure-login/opt-out"


def classic_opt_in(visitor, target):
    cid = visitor.open_classic_confirmation(target)
    assert visitor.post(f"{OPT_OUT}/confirm", {"confirmation": cid, "target": target}).status_code == 303


def test_audit_row_has_utc_time_actor_target_states_and_path(visitor, conn, clock):
    visitor.log_in("alice")
    classic_opt_in(visitor, "bob")
    row = dict(conn.execute("SELECT * FROM audit_log").fetchone())
    assert row["at"] == clock.iso() and row["at"].endswith("+00:00")
    assert (row["actor"], row["target"], row["old_state"], row["new_state"], row["path"]) == \
        ("alice", "bob", "opted_out", "enrolled", "classic")


def test_actor_and_target_each_get_one_message(app, clock, visitor, conn):
    visitor.log_in("alice")
    classic_opt_in(visitor, "bob")
    counts = {r[0]: r[1] for r in conn.execute("SELECT username, COUNT(*) FROM messages GROUP BY username")}
    assert counts == {"alice": 1, "bob": 1}
    page = text(visitor.get("/portal/messages"))
    assert parse(page).find("h1").text == "メッセージセンター"
    assert "bob のセキュア・ログイン・システムのオプトアウトが alice により解約されました" in page
    assert f'<time datetime="{clock.iso()}">' in page
    clock.advance(30)
    bob = type(visitor)(app.test_client(), clock)
    bob.log_in("bob")
    assert "bob のセキュア・ログイン・システムのオプトアウトが alice により解約されました" in \
        text(bob.get("/portal/messages"))


def test_a_change_of_ones_own_setting_gives_one_message(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid})
    assert [r["username"] for r in conn.execute("SELECT username FROM messages")] == ["alice"]


def test_messages_are_in_the_readers_language(app, clock, visitor, extra_users, conn):
    conn.execute("UPDATE users SET sls_opted_out = 1 WHERE username = 'dave'")
    visitor.log_in("alice")
    classic_opt_in(visitor, "dave")
    clock.advance(30)
    dave = type(visitor)(app.test_client(), clock)
    dave.log_in("dave")
    page = text(dave.get("/portal/messages"))
    assert parse(page).find("h1").text == "Message Center"
    assert "The Secure Login System opt-out of dave was cancelled by alice" in page


def test_an_empty_message_center_says_so(visitor):
    visitor.log_in("alice")
    assert "メッセージはありません。" in text(visitor.get("/portal/messages"))


def test_the_audit_page_lists_the_accounts_rows_for_the_primary_user(visitor, conn):
    visitor.log_in("alice")
    classic_opt_in(visitor, "bob")
    visitor.classic_continue("carol")  # refused: another account's user
    page = text(visitor.get("/portal/audit"))
    assert parse(page).find("h1").text == "監査ログ"
    rows = [[cell.text for cell in row.find_all("td")] for row in parse(page).find_all("tr")]
    rows = [cells for cells in rows if cells]  # the header row has none
    assert len(rows) == 2
    assert "拒否: 他の口座のユーザー" in rows[0] and "carol" in rows[0]
    assert {"alice", "bob", "オプトアウト中", "有効", "クラシック・ポータル", "変更済み"} <= set(rows[1])


def test_the_audit_page_shows_only_the_own_accounts_rows(app, clock, visitor, conn):
    visitor.log_in("alice")
    classic_opt_in(visitor, "bob")
    carol = type(visitor)(app.test_client(), clock)
    carol.log_in("carol")
    page = text(carol.get("/portal/audit"))
    assert "bob" not in [cell.text for cell in parse(page).find_all("td")] and "There are no entries." in page


def test_a_non_primary_user_gets_403_for_the_audit_page_and_no_menu_link(visitor):
    visitor.log_in("bob")
    assert "/portal/audit" not in text(visitor.get("/portal/"))
    response = visitor.get("/portal/audit")
    assert response.status_code == 403
    assert "監査ログを見られるのは口座の主要なユーザーだけです。" in text(response)


def test_every_refusal_reason_has_an_audit_label():
    from mock_portal import i18n, sls
    for lang in i18n.LANGS:
        for reason in sls.REFUSAL_REASONS:
            assert f"audit.outcome.refused.{reason}" in i18n.CATALOGS[lang], (lang, reason)


def test_refusals_that_keep_coming_fold_into_a_few_rows_each_counted(visitor, conn, clock):
    """A session that keeps being refused cannot grow the log (the scanner wrote 4,016 rows in two
    minutes): a repeat counts on its row, and past sls.REFUSED_ROWS a form naming ever new users
    shares one row per reason and path. Every attempt stays counted; the page shows how many."""
    visitor.log_in("alice")
    visitor.get(OPT_OUT)
    for _ in range(30):
        assert visitor.post(OPT_OUT, {"target": "carol"}).status_code == 403  # another account's user
    for n in range(40):
        assert visitor.post(OPT_OUT, {"target": f"nobody{n}"}).status_code == 403
    rows = [dict(r) for r in conn.execute("SELECT * FROM audit_log WHERE actor = 'alice' ORDER BY audit_id")]
    assert len(rows) == sls.REFUSED_ROWS
    assert sum(r["repeats"] for r in rows) == 70
    assert rows[0]["target"] == "carol" and rows[0]["repeats"] == 30 and rows[0]["last_at"] == clock.iso()
    assert "×30" in text(visitor.get("/portal/audit"))

    clock.advance(sls.REFUSED_ROWS_WINDOW + 1)  # a pause as long as the hour: a row of its own
    visitor.post(OPT_OUT, {"target": "carol"})
    newest = dict(conn.execute("SELECT * FROM audit_log ORDER BY audit_id DESC LIMIT 1").fetchone())
    assert (newest["target"], newest["repeats"], newest["at"]) == ("carol", 1, clock.iso())


def test_refusals_spread_over_a_day_make_at_most_ten_rows_an_hour(visitor, conn, clock):
    """One refusal a minute, each naming a new user, for a day: the log grows by at most
    sls.REFUSED_ROWS rows an hour, every attempt counted (a rate the 10-minute repeat window alone
    did not bound: 1,297 rows in a day)."""
    visitor.log_in("alice")
    visitor.get(OPT_OUT)
    for n in range(24 * 60):
        clock.advance(60)
        # A day-long session whose login stays recent: each refusal is the rule's, not a re-login's.
        conn.execute("UPDATE sessions SET last_seen = ?, auth_at = ?", (clock.now(), clock.now()))
        conn.commit()
        assert visitor.post(OPT_OUT, {"target": f"nobody{n}"}).status_code == 403
    rows = conn.execute("SELECT COUNT(*), SUM(repeats) FROM audit_log WHERE actor = 'alice'").fetchone()
    assert rows[1] == 24 * 60 and rows[0] <= 24 * sls.REFUSED_ROWS + 1
