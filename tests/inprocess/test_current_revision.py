"""The article's current revision beside the seed's, at Flask level: chosen per user or
scenario, the User menu path, the three enrollment choices each to its stored end state, a device
serving two usernames, and the seed's screens untouched for everyone else."""
import json
import re
from contextlib import closing
from urllib.parse import parse_qs, urlsplit

import pytest

from flows.devices import CodeCard, IBKey
from mock_portal import db, i18n, limits, scenario
from mock_portal.login import checks, code_card
from html_reading import parse
from portal_client import USERS, Visitor, opted_out, text


SLS = "/portal/current/settings/secure-login"
CHOICES_EN = ["I would like to install IBKR Mobile and use my smart phone as my Secure Login Device.",
              "I would like to enroll in the Secure Login System without installing IBKR Mobile.",
              "I already have access to a Secure Login Device under a different username."]
CONFIRMATION = re.compile(r'name="confirmation" value="([^"]+)"')


@pytest.fixture(autouse=True)
def current_users(conn):
    """alice (ja, primary), bob (her account, not primary) and carol (en, another account) see the
    current revision; dave is added as a seed-revision user of alice's account."""
    conn.executemany("INSERT INTO portal_revisions (username, revision) VALUES (?, 'current')",
                     [("alice",), ("bob",), ("carol",)])


def log_in(visitor, username, code=None):
    visitor.submit_password(username)
    page = visitor.get("/sso/login/code")
    response = visitor.post("/sso/login/code", {"code": code(text(page)) if code else visitor.code(username)})
    assert response.status_code == 303, text(response)
    return visitor.get(response.headers["Location"], follow_redirects=True)


def choose(visitor, choice):
    """Continue with one of the three radio buttons, then the confirmation's id."""
    visitor.get(SLS)
    response = visitor.post(SLS, {"choice": choice})
    assert response.status_code == 303, text(response)
    dialog = visitor.get(response.headers["Location"])
    assert 'role="dialog"' in text(dialog) or "<dialog" in text(dialog)
    return CONFIRMATION.search(text(dialog)).group(1)


def ok(visitor, choice):
    response = visitor.post(f"{SLS}/confirm", {"confirmation": choose(visitor, choice)})
    assert response.status_code == 303, text(response)
    return visitor.get(response.headers["Location"])


def stored_devices(conn, username):
    from mock_portal.login.devices import devices_of
    return [(d["type"], d["username"]) for d in devices_of(conn, username)]


def test_the_scenario_chooses_the_revision_per_user_or_for_all():
    user = {**USERS["alice"], "portal_revision": "current"}
    assert scenario.validate({"users": [user]})
    assert scenario.validate({"portal_revision": "current", "users": [USERS["carol"]]})
    with pytest.raises(scenario.ScenarioError, match=r"users\[0\]\.portal_revision: must be 'seed' or 'current'"):
        scenario.validate({"users": [{**user, "portal_revision": "2024"}]})
    with pytest.raises(scenario.ScenarioError, match="portal_revision: must be"):
        scenario.validate({"portal_revision": True, "users": []})


def test_a_scenario_file_stores_the_revision(tmp_path):
    from mock_portal.serving import build_app
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"portal_revision": "current",
                                "users": [USERS["carol"], {**USERS["alice"], "portal_revision": "seed"}]}))
    app = build_app(str(tmp_path / "db.sqlite"), str(path))
    with closing(db.connect(app.config["DATABASE"])) as c:
        assert dict(c.execute("SELECT username, revision FROM portal_revisions").fetchall()) == \
            {"carol": "current", "alice": "seed"}


def test_the_user_menu_path_to_the_three_choices(visitor):
    home = log_in(visitor, "carol")
    assert home.request.path == "/portal/current/"
    page = text(home)
    assert parse(page).find(aria_label="User menu", popovertarget="user-menu") is not None
    assert parse(page).find("a", href="/portal/current/settings").text == "Settings"
    settings = parse(text(visitor.get("/portal/current/settings")))
    assert "User Settings" in [h.text for h in settings.find_all("h2")]
    assert "Security" in [h.text for h in settings.find_all("h3")]
    assert settings.find("a", href=SLS).text == "Secure Login System"
    sls_page = text(visitor.get(SLS))
    radios = parse(sls_page).find_all("input", type="radio")
    assert [radio.parent.text for radio in radios] == CHOICES_EN
    assert "Secure Login is not required for trading" in sls_page


def test_the_seed_revision_stays_the_default(visitor, other_visitor, extra_users):
    # dave has no revision of his own: the seed's screens, and none of the current revision's.
    assert visitor.log_in("dave").request.path == "/portal/"
    away = visitor.get("/portal/current/settings")
    assert away.status_code == 302 and away.headers["Location"] == "/portal/"
    assert "user-menu" not in text(visitor.get("/portal/"))


def test_the_serve_flag_makes_current_the_default(app, conn, visitor):
    conn.execute("DELETE FROM portal_revisions")
    app.config["PORTAL_REVISION"] = "current"
    assert log_in(visitor, "carol").request.path == "/portal/current/"


def test_nothing_changes_before_ok_and_cancel_changes_nothing(visitor, conn):
    log_in(visitor, "carol")
    cid = choose(visitor, "without_ibkr_mobile")
    assert opted_out(conn, "carol") and stored_devices(conn, "carol") == [("authenticator_app", "carol")]
    response = visitor.post(f"{SLS}/cancel", {"confirmation": cid}, follow_redirects=True)
    assert "The change was cancelled" in text(response)
    assert stored_devices(conn, "carol") == [("authenticator_app", "carol")] and opted_out(conn, "carol")
    assert visitor.post(f"{SLS}/confirm", {"confirmation": cid}).status_code == 409  # spent


def test_no_choice_and_a_foreign_choice_are_refused(visitor, conn):
    log_in(visitor, "carol")
    visitor.get(SLS)
    assert "Select one of the radio buttons" in text(visitor.post(SLS, {}))
    assert visitor.post(SLS, {"choice": "fax"}).status_code == 400
    assert opted_out(conn, "carol")


def test_a_user_who_is_not_primary_gets_no_radio(visitor, conn):
    log_in(visitor, "bob")
    page = text(visitor.get(SLS))
    assert 'type="radio"' not in page and "alice" in page
    assert visitor.post(SLS, {"choice": "ibkr_mobile"}).status_code == 403
    assert opted_out(conn, "bob")


def test_the_seed_and_classic_screens_do_not_enroll_a_current_revision_user(visitor, conn):
    """Enrolling in the current revision means choosing a device: the seed's Secure Login
    Settings and the classic SLS Opt Out page refuse its users (audited), for themselves or by
    the primary user for another user of the account."""
    log_in(visitor, "alice")
    for screen, form in (("/portal/settings/secure-login", {"choice": "always_use_device"}),
                         ("/classic/account/security/secure-login/opt-out", {"target": "alice"}),
                         ("/classic/account/security/secure-login/opt-out", {"target": "bob"})):
        visitor.get(screen)
        refused = visitor.post(screen, form)
        assert refused.status_code == 409, (screen, text(refused))
        assert "User menu" in text(refused) or "ユーザーメニュー" in text(refused)
    assert opted_out(conn, "alice") and opted_out(conn, "bob")
    outcomes = [r[0] for r in conn.execute("SELECT outcome FROM audit_log WHERE actor = 'alice'")]
    assert outcomes.count("refused:enroll_with_device") == 3


def test_ibkr_mobile_activation_enrolls_with_a_new_ibkey(app, hooks, visitor, conn):
    log_in(visitor, "carol")
    page = text(ok(visitor, "ibkr_mobile"))
    assert 'src="data:image/svg+xml' in page and 'alt="QR code to activate IB Key"' in page
    code = re.search(r'data-activation-code="([0-9]+)"', page).group(1)
    # The QR code carries that activation code for this username (what IBKR Mobile scans).
    import html

    import segno
    qr = html.unescape(re.search(r'<img src="([^"]+)"', page).group(1))
    assert qr == segno.make(f"ibkey-activate:carol:{code}", error="m").svg_data_uri(scale=5, border=2)
    refused = visitor.post(f"{SLS}/ibkey", {})
    assert refused.status_code == 409 and "IB Key is not activated yet" in text(refused)
    assert opted_out(conn, "carol")

    assert hooks.post("/_test/ibkey/activate", json={"activation_code": "00000000"}).status_code == 404
    answer = hooks.post("/_test/ibkey/activate", json={"activation_code": code}).get_json()
    assert answer["username"] == "carol"
    assert not opted_out(conn, "carol")
    assert stored_devices(conn, "carol") == [("authenticator_app", "carol"), ("ibkey", "carol")]
    assert hooks.post("/_test/ibkey/activate", json={"activation_code": code}).status_code == 404  # once
    done = visitor.post(f"{SLS}/ibkey", {}, follow_redirects=True)
    assert "Secure Login is required for trading" in text(done)
    audit = conn.execute("SELECT old_state, new_state, path, outcome FROM audit_log WHERE target = 'carol'").fetchall()
    assert [tuple(r) for r in audit] == [("opted_out", "enrolled", "current", "changed")]

    # The new IB Key logs carol in: the phone answers the challenge with the secret it received.
    phone = IBKey(answer["ibkey_secret"], username="carol")
    fresh = Visitor(app.test_client(), visitor.clock)
    fresh.submit_password("carol")
    fresh.get("/sso/login/code")  # the combobox, with the rotated session's token
    ibkey_id = conn.execute("SELECT device_id FROM devices WHERE username = 'carol' AND type = 'ibkey'").fetchone()[0]
    fresh.post("/sso/login/device", {"device": str(ibkey_id)})
    code_page = fresh.get("/sso/login/code?respond=challenge")  # no notification waited for
    response = fresh.post("/sso/login/code", {"code": phone.respond(text(code_page), None), "respond": "challenge"})
    assert response.status_code == 303 and "/portal/" in response.headers["Location"]


def test_the_code_card_is_printable_saveable_and_asked_at_the_next_login(app, visitor, conn, clock):
    log_in(visitor, "carol")
    page = text(ok(visitor, "without_ibkr_mobile"))
    card = CodeCard.from_html(page)
    assert len(card.codes) == code_card.CARD_SIZE and 'id="print-card"' in page
    saved = visitor.get(f"{SLS}/card.txt")
    assert saved.headers["Content-Disposition"].startswith("attachment")
    assert CodeCard.from_text(text(saved)).codes == card.codes
    assert "Valid until" in page and opted_out(conn, "carol")  # enrolled only once the card is used

    visitor.post("/sso/logout", {})
    visitor.submit_password("carol")
    code_page = text(visitor.get("/sso/login/code"))
    assert 'id="device"' not in code_page  # no combobox: the login asks for the new card
    first, second = re.search(r'data-card-indexes="([0-9]{2}) ([0-9]{2})"', code_page).groups()
    wrong = visitor.post("/sso/login/code", {"code": "000000" if card.codes[first] != "000" else "999999"})
    assert wrong.status_code == 401 and opted_out(conn, "carol")
    code_page = text(visitor.get("/sso/login/code"))
    response = visitor.post("/sso/login/code", {"code": card.respond(code_page, None)})
    assert response.status_code == 303, text(response)
    assert not opted_out(conn, "carol")
    assert stored_devices(conn, "carol") == [("authenticator_app", "carol"), ("security_code_card", "carol")]


def test_the_code_card_expires_after_21_days(app, visitor, conn, clock):
    log_in(visitor, "carol")
    card = CodeCard.from_html(text(ok(visitor, "without_ibkr_mobile")))
    visitor.post("/sso/logout", {})
    clock.advance(code_card.CARD_VALID_SECONDS + 60)
    visitor.submit_password("carol")
    refused = visitor.post("/sso/login/code", {"code": card.respond(text(visitor.get("/sso/login/code")), None)})
    assert refused.status_code == 401 and i18n.CATALOGS["ja"]["error.code_card_expired"] in text(refused)
    assert opted_out(conn, "carol")


def link_with(visitor, other, password=None, code=None):
    ok(visitor, "other_username")
    return visitor.post(f"{SLS}/other-username", {"username": other,
                                                  "password": password or USERS[other]["password"]},
                        follow_redirects=True)


def test_a_device_under_another_username_serves_both(app, visitor, conn, clock):
    log_in(visitor, "carol")
    code_page = link_with(visitor, "alice")
    assert 'name="code"' in text(code_page)
    response = visitor.post(f"{SLS}/other-username/code", {"code": visitor.code("alice")}, follow_redirects=True)
    assert "Secure Login is required for trading" in text(response) and "Used by: alice, carol" in text(response)
    assert not opted_out(conn, "carol")
    assert stored_devices(conn, "carol") == [("authenticator_app", "alice"), ("authenticator_app", "carol")]

    # Both usernames log in with it.
    alices_device = conn.execute("SELECT device_id FROM devices WHERE username = 'alice'").fetchone()[0]
    clock.advance(30)
    both = Visitor(app.test_client(), clock)
    both.submit_password("carol")
    both.get("/sso/login/code")
    both.post("/sso/login/device", {"device": str(alices_device)})
    assert both.post("/sso/login/code", {"code": both.code("alice")}).status_code == 303

    # Removing it from carol leaves it with alice.
    visitor.get(SLS)
    removed = visitor.post(f"{SLS}/devices/{alices_device}/remove", {}, follow_redirects=True)
    assert "The other usernames it serves keep it" in text(removed)
    assert stored_devices(conn, "carol") == [("authenticator_app", "carol")]
    assert stored_devices(conn, "alice") == [("authenticator_app", "alice")]
    clock.advance(30)
    assert log_in(Visitor(app.test_client(), clock), "alice").request.path == "/portal/current/"


def test_the_first_holder_removing_a_shared_device_leaves_it_with_the_other(app, visitor, conn, clock):
    log_in(visitor, "carol")
    link_with(visitor, "alice")
    visitor.post(f"{SLS}/other-username/code", {"code": visitor.code("alice")})
    clock.advance(30)
    alice = Visitor(app.test_client(), clock)
    log_in(alice, "alice")
    conn.execute("INSERT INTO devices (username, type, config) VALUES ('alice', 'sms', ?)",
                 (json.dumps({"type": "sms", "phone": "+81 90-0000-0000"}),))
    shared = conn.execute("SELECT device_id FROM devices WHERE username = 'alice' AND type = 'authenticator_app'"
                          ).fetchone()[0]
    alice.get(SLS)
    assert alice.post(f"{SLS}/devices/{shared}/remove", {}).status_code == 303
    assert stored_devices(conn, "alice") == [("sms", "alice")]
    assert ("authenticator_app", "carol") in stored_devices(conn, "carol")
    assert conn.execute("SELECT username FROM devices WHERE device_id = ?", (shared,)).fetchone()[0] == "carol"


def test_the_last_device_is_not_removed(visitor, conn):
    log_in(visitor, "carol")
    page = text(visitor.get(SLS))
    assert "Remove" not in page
    device = conn.execute("SELECT device_id FROM devices WHERE username = 'carol'").fetchone()[0]
    refused = visitor.post(f"{SLS}/devices/{device}/remove", {})
    assert refused.status_code == 409 and stored_devices(conn, "carol") == [("authenticator_app", "carol")]


def test_a_user_who_is_not_primary_removes_no_device(visitor, conn):
    log_in(visitor, "bob")
    conn.execute("INSERT INTO devices (username, type, config) VALUES ('bob', 'sms', ?)",
                 (json.dumps({"type": "sms", "phone": "+81 90-0000-0001"}),))
    before = stored_devices(conn, "bob")
    device = conn.execute("SELECT device_id FROM devices WHERE username = 'bob' AND type = 'sms'").fetchone()[0]
    visitor.get(SLS)
    refused = visitor.post(f"{SLS}/devices/{device}/remove", {})
    assert refused.status_code == 403 and stored_devices(conn, "bob") == before
    assert conn.execute("SELECT outcome FROM audit_log WHERE actor = 'bob'").fetchone()[0] == "refused:not_primary"


def test_an_old_login_confirms_with_the_device_before_a_removal_and_comes_back_to_the_screen(visitor, conn, clock):
    log_in(visitor, "carol")
    conn.execute("INSERT INTO devices (username, type, config) VALUES ('carol', 'sms', ?)",
                 (json.dumps({"type": "sms", "phone": "+81 90-0000-0002"}),))
    device = conn.execute("SELECT device_id FROM devices WHERE username = 'carol' AND type = 'sms'").fetchone()[0]
    visitor.get(SLS)
    clock.advance(16 * 60)
    asked = visitor.post(f"{SLS}/devices/{device}/remove", {})
    assert asked.status_code == 303 and "/sso/reauth" in asked.headers["Location"]
    back = parse_qs(urlsplit(asked.headers["Location"]).query)["next"]
    assert back == [SLS]  # the screen the removal was made on: a GET there shows it, not a 405
    assert visitor.get(SLS).status_code == 200
    assert len(stored_devices(conn, "carol")) == 2  # nothing removed before the device answers


def test_the_other_username_login_is_checked_like_a_login(visitor, conn):
    log_in(visitor, "carol")
    same = link_with(visitor, "carol")
    assert same.status_code == 400 and "other than the one you are logged in with" in text(same)
    wrong = visitor.post(f"{SLS}/other-username", {"username": "alice", "password": "nope"})
    assert wrong.status_code == 401 and "Invalid username password combination" in text(wrong)
    assert conn.execute("SELECT COUNT(*) FROM login_failures WHERE username = 'alice'").fetchone()[0] == 1
    visitor.post(f"{SLS}/other-username", {"username": "alice", "password": USERS["alice"]["password"]})
    bad_code = visitor.post(f"{SLS}/other-username/code", {"code": "000000"})
    assert bad_code.status_code == 401 and opted_out(conn, "carol")
    assert stored_devices(conn, "carol") == [("authenticator_app", "carol")]


def test_a_link_that_passes_starts_the_other_usernames_failure_count_afresh(visitor, other_visitor, conn):
    """The link is a login under the other username: passing it clears that username's failures,
    as a login that passes does, so nine failures before it and one after lock nothing."""
    other_visitor.fail_password("alice", 9)
    log_in(visitor, "carol")
    link_with(visitor, "alice")
    linked = visitor.post(f"{SLS}/other-username/code", {"code": visitor.code("alice")})
    assert linked.status_code == 303 and not opted_out(conn, "carol")
    assert other_visitor.fail_password("alice").status_code == 401
    assert conn.execute("SELECT COUNT(*) FROM lockouts WHERE username = 'alice'").fetchone()[0] == 0
    assert other_visitor.submit_password("alice").status_code == 303  # on to her code step: not locked


@pytest.mark.parametrize("who", ["locked", "unknown", "known"])
@pytest.mark.parametrize("where", ["login", "link"])
def test_a_password_costs_one_hash_check_whoever_the_username_is(visitor, other_visitor, monkeypatch, where, who):
    """The same work for a locked, an unknown and a known username, at the login and at the link,
    so the answer's timing tells none of them apart."""
    if who == "locked":
        other_visitor.fail_password("alice", 10)
    if where == "link":
        log_in(visitor, "carol")
        ok(visitor, "other_username")
    calls = []
    real = checks.check_password_hash
    monkeypatch.setattr(checks, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    form = {"username": "nobody" if who == "unknown" else "alice",
            "password": USERS["alice"]["password"] if who == "locked" else "not the password"}
    if where == "login":
        visitor.get("/sso/login")
        refused = visitor.post("/sso/login", form)
    else:
        refused = visitor.post(f"{SLS}/other-username", form)
    assert refused.status_code == 401 and len(calls) == 1


def test_ib_key_waits_for_the_notification_and_the_link_switches_to_the_challenge(app, hooks, visitor, conn):
    from mock_portal.login.devices import ibkey_response
    secret = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
    conn.execute("UPDATE devices SET type = 'ibkey', config = ? WHERE username = 'carol'",
                 (json.dumps({"type": "ibkey", "ibkey_secret": secret}),))
    visitor.submit_password("carol")
    page = text(visitor.get("/sso/login/code"))
    assert "A notification was sent to IBKR Mobile" in page or "IBKRモバイルに通知を送信しました" in page
    assert "data-challenge" not in page and 'name="code"' not in page
    link = parse(page).find("a", href="/sso/login/code?respond=challenge").attrs["href"]
    challenge_page = text(visitor.get(link))
    challenge = re.search(r'data-challenge="([0-9]+)"', challenge_page).group(1)
    wrong = visitor.post("/sso/login/code", {"code": "000000", "respond": "challenge"})
    assert wrong.status_code == 401 and "data-challenge" in text(wrong)  # still the challenge, not the push
    response = visitor.post("/sso/login/code", {"code": ibkey_response(secret, challenge), "respond": "challenge"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/portal/")


def test_ib_key_notification_approved_logs_in_and_the_seed_page_is_unchanged(app, hooks, visitor, conn):
    secret = {"type": "ibkey", "ibkey_secret": "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"}
    conn.execute("UPDATE devices SET type = 'ibkey', config = ? WHERE username IN ('carol', 'alice')",
                 (json.dumps(secret),))
    conn.execute("DELETE FROM portal_revisions WHERE username = 'alice'")
    visitor.submit_password("alice")
    assert "data-challenge" in text(visitor.get("/sso/login/code"))  # the seed's page: both at once
    carol = Visitor(app.test_client(), visitor.clock)
    carol.submit_password("carol")
    carol.get("/sso/login/code")
    assert hooks.post("/_test/ibkey/push", json={"username": "carol", "decision": "approve"}).status_code == 200
    assert carol.post("/sso/login/code", {"push": "1"}).status_code == 303


def test_kb69_after_two_days_a_temporary_passcode_opens_only_the_code_card(app, hooks, visitor, conn, clock):
    conn.execute("INSERT INTO devices (username, type, config) VALUES ('carol', 'temporary_passcode', ?)",
                 (json.dumps({"type": "temporary_passcode"}),))
    passcode = hooks.post("/_test/temporary-passcode", json={"username": "carol"}).get_json()["passcode"]
    clock.advance(3 * 24 * 3600)
    visitor.submit_password("carol")
    visitor.get("/sso/login/code")
    device = conn.execute("SELECT device_id FROM devices WHERE username = 'carol' AND type = 'temporary_passcode'"
                          ).fetchone()[0]
    visitor.post("/sso/login/device", {"device": str(device)})
    assert visitor.post("/sso/login/code", {"code": passcode}).status_code == 303
    reason = i18n.CATALOGS["en"]["error.temporary_passcode_card_only"]  # carol speaks English
    for path in ("/portal/", "/portal/current/settings", SLS, "/portal/account", "/classic/"):
        refused = visitor.get(path)
        assert refused.status_code == 403 and reason in text(refused), path
    assert f'href="{SLS}/card"' in text(visitor.get("/portal/"))  # the refusal points at the card
    page = visitor.get(f"{SLS}/card")
    assert page.status_code == 200 and "data-index" not in text(page)
    clock.advance(16 * 60)  # an older login confirms with its device before a card is issued...
    asked = visitor.post(f"{SLS}/card", {})
    assert asked.status_code == 303 and "/sso/reauth" in asked.headers["Location"]
    assert visitor.get(asked.headers["Location"]).status_code == 200  # ...which this session may do
    visitor.post("/sso/reauth/device", {"device": str(device), "next": f"{SLS}/card"})  # of her two
    back = visitor.post("/sso/reauth", {"code": passcode, "next": f"{SLS}/card"})
    assert back.status_code == 303 and back.headers["Location"] == f"{SLS}/card"
    visitor.post(f"{SLS}/card", {})
    visitor.post(f"{SLS}/card", {})  # twice: still one card
    card = CodeCard.from_html(text(visitor.get(f"{SLS}/card")))
    assert CodeCard.from_text(text(visitor.get(f"{SLS}/card.txt"))).codes == card.codes
    assert stored_devices(conn, "carol").count(("security_code_card", "carol")) == 1
    assert visitor.post(SLS, {"choice": "ibkr_mobile"}).status_code == 403 and opted_out(conn, "carol")


def test_kb69_in_the_first_two_days_the_portal_is_open(app, hooks, visitor, conn, clock):
    conn.execute("UPDATE devices SET type = 'temporary_passcode', config = ? WHERE username = 'carol'",
                 (json.dumps({"type": "temporary_passcode"}),))
    passcode = hooks.post("/_test/temporary-passcode", json={"username": "carol"}).get_json()["passcode"]
    clock.advance(24 * 3600)
    visitor.submit_password("carol")
    visitor.get("/sso/login/code")
    assert visitor.post("/sso/login/code", {"code": passcode}).status_code == 303
    assert visitor.get(SLS).status_code == 200 and visitor.get("/portal/current/settings").status_code == 200


def test_a_refused_change_on_the_current_screens_is_audited_with_their_path(visitor, conn, clock):
    log_in(visitor, "bob")
    visitor.get(SLS)
    assert visitor.post(SLS, {"choice": "ibkr_mobile"}).status_code == 403
    clock.advance(31 * 60)  # the session expires: the access rule refuses before the view runs
    assert visitor.post(SLS, {"choice": "ibkr_mobile"}).status_code == 401
    rows = conn.execute("SELECT path, outcome FROM audit_log WHERE actor = 'bob' ORDER BY audit_id").fetchall()
    assert [tuple(r) for r in rows] == [("current", "refused:not_primary"), ("current", "refused:session_expired")]


def test_both_login_forms_take_what_the_portal_keeps_of_a_username_and_a_password(visitor):
    """The login page and the current revision's login with another username: one pair of fields,
    their maxlength mock_portal/limits.py's."""
    def fields(page):
        return {name: parse(page).find("input", name=name).attrs["maxlength"] for name in ("username", "password")}
    login = fields(text(visitor.get("/sso/login")))
    log_in(visitor, "carol")
    other = fields(text(ok(visitor, "other_username")))
    assert login == other == {"username": str(limits.USERNAME), "password": str(limits.FIELD)}


def test_an_old_login_confirms_with_the_device_before_a_code_card_is_issued(visitor, conn, clock):
    """A card is a second factor: a session whose login is older than 15 minutes gets none before
    the device it has answers, and then comes back to the card's screen."""
    log_in(visitor, "carol")
    clock.advance(16 * 60)
    asked = visitor.post(f"{SLS}/card", {})
    assert asked.status_code == 303 and "/sso/reauth" in asked.headers["Location"]
    assert parse_qs(urlsplit(asked.headers["Location"]).query)["next"] == [f"{SLS}/card"]
    assert stored_devices(conn, "carol") == [("authenticator_app", "carol")]
    back = visitor.post("/sso/reauth", {"code": visitor.code("carol"), "next": f"{SLS}/card"})
    assert back.status_code == 303 and back.headers["Location"] == f"{SLS}/card"
    assert visitor.post(f"{SLS}/card", {}).status_code == 303
    assert stored_devices(conn, "carol") == [("authenticator_app", "carol"), ("security_code_card", "carol")]
