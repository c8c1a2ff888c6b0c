"""Both languages everywhere: every screen is walked in ja and en and fails on a raw catalog key
or a placeholder left unfilled; the two catalogs hold the same keys."""
import re
from html.parser import HTMLParser
from importlib import resources

import pytest

from mock_portal import i18n, sls
from portal_client import text


RAW_KEY = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")
PLACEHOLDER = re.compile(r"%\(\w+\)s")
ACCESSIBLE_ATTRS = {"aria-label", "title", "alt", "placeholder"}


class VisibleText(HTMLParser):
    """What a person (or an accessibility tree) reads: text nodes and naming attributes."""

    def __init__(self):
        super().__init__()
        self.strings, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.strings += [v for k, v in attrs if k in ACCESSIBLE_ATTRS and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.strings.append(data.strip())


def untranslated(html):
    parser = VisibleText()
    parser.feed(html)
    return [s for s in parser.strings if RAW_KEY.search(s) or PLACEHOLDER.search(s)]


def assert_translated(seen, lang, keys, lang_of_html_only=False):
    """A walk's screens, `seen` as [(where, response)], are all in `lang`: no raw catalog key or
    unfilled placeholder on any, each marked <html lang> (with `lang_of_html_only`, each HTML one:
    a walk that fetches an image too), and together they show each of `keys`' texts, so the walk
    really reached the screens it names."""
    problems = {where: bad for where, response in seen if (bad := untranslated(text(response)))}
    assert problems == {}
    for where, response in seen:
        if not lang_of_html_only or response.mimetype == "text/html":
            assert f'<html lang="{lang}">' in text(response), where
    pages = "".join(text(r) for _, r in seen).replace("&#39;", "'")
    for key in keys:
        expected = i18n.CATALOGS[lang][key].split("%(")[0]
        assert expected in pages, key


def test_the_detector_catches_a_raw_key():
    assert untranslated("<h1>sls.heading.opted_out</h1>") == ["sls.heading.opted_out"]
    assert untranslated('<button aria-label="confirm.ok">x</button>') == ["confirm.ok"]
    assert untranslated("<p>%(username)s でログイン中</p>")
    assert untranslated("<p>ユーザー user1 の設定 · U1000001 · 2027-01-15T08:00:00+00:00</p>") == []


def seed_traces(conn):
    """One audit row for every outcome and path, and one message of every kind, for alice's account."""
    outcomes = ["changed"] + [f"refused:{r}" for r in sls.REFUSAL_REASONS]
    for i, outcome in enumerate(outcomes):
        old, new = ("opted_out", "enrolled") if outcome == "changed" else (None, None)
        conn.execute("INSERT INTO audit_log (at, actor, target, old_state, new_state, path, outcome)"
                     " VALUES ('2027-01-15T08:00:00+00:00', 'alice', 'bob', ?, ?, ?, ?)",
                     (old, new, sls.PATHS[i % len(sls.PATHS)], outcome))
    for key in ("message.sls_enrolled", "message.sls_opted_out"):
        conn.execute("INSERT INTO messages (username, at, key, params) VALUES ('alice',"
                     " '2027-01-15T08:00:00+00:00', ?, '{\"target\": \"bob\", \"actor\": \"alice\"}')", (key,))


def walk(app, clock, conn, lang):
    """Every screen and every message a user can meet: (where, response) pairs."""
    from portal_client import Visitor
    conn.execute("UPDATE users SET locale = ?", (lang,))
    seed_traces(conn)
    seen = []

    def see(where, response):
        seen.append((where, response))
        return response

    anon = Visitor(app.test_client(), clock)
    for path in (f"/?lang={lang}", f"/?lang={lang}&notice=logged_out", f"/?lang={lang}&notice=session_expired",
                 f"/sso/login?lang={lang}", f"/sso/login?lang={lang}&target=trading", "/no-such-page"):
        see(path, anon.get(path))
    see("login: wrong password", anon.post("/sso/login", {"username": "alice", "password": "wrong"}))
    see("login: empty", anon.post("/sso/login", {"username": "", "password": ""}))
    see("login: bad csrf", anon.post("/sso/login", {"username": "alice", "password": "x"}, csrf=False))
    anon.submit_password("alice")
    see("second factor", anon.get("/sso/login/code"))
    see("second factor: wrong code", anon.post("/sso/login/code", {"code": "12345"}))

    alice = Visitor(app.test_client(), clock)
    alice.get(f"/sso/login?lang={lang}")
    alice.log_in("alice")
    for path in ("/portal/", "/portal/trading", "/portal/account", "/portal/messages", "/portal/audit",
                 "/portal/settings/", "/portal/settings/user", "/portal/settings/secure-login",
                 "/portal/settings/secure-login/opt-out", "/classic/", "/classic/account",
                 "/classic/account/security", "/classic/account/security/secure-login",
                 "/classic/account/security/secure-login/opt-out"):
        see(path, alice.get(path))
    see("seed: no radio", alice.post("/portal/settings/secure-login", {}))
    see("classic: no user", alice.post("/classic/account/security/secure-login/opt-out", {}))
    see("classic: foreign user", alice.classic_continue("carol"))
    cid = alice.open_classic_confirmation("bob")
    see("classic dialog", alice.get(f"/classic/account/security/secure-login/opt-out?confirmation={cid}"))
    see("classic: tampered", alice.post("/classic/account/security/secure-login/opt-out/confirm",
                                        {"confirmation": cid, "target": "carol"}))
    see("classic: ok", alice.post("/classic/account/security/secure-login/opt-out/confirm",
                                  {"confirmation": cid, "target": "bob"}, follow_redirects=True))
    see("classic: ok again", alice.post("/classic/account/security/secure-login/opt-out/confirm",
                                        {"confirmation": cid, "target": "bob"}, follow_redirects=True))
    see("classic: back", alice.get(f"/classic/account/security/secure-login/opt-out?confirmation={cid}",
                                   follow_redirects=True))
    cid = alice.open_confirmation()
    see("seed dialog", alice.get(f"/portal/settings/secure-login?confirmation={cid}"))
    see("seed: cancel", alice.post("/portal/settings/secure-login/cancel", {"confirmation": cid},
                                     follow_redirects=True))
    cid = alice.open_confirmation()
    see("seed: ok", alice.post("/portal/settings/secure-login/confirm", {"confirmation": cid},
                                 follow_redirects=True))
    see("account unrestricted", alice.get("/portal/account"))
    see("seed: unknown", alice.post("/portal/settings/secure-login/confirm", {"confirmation": "x"}))
    see("seed: enrolled continue", alice.press_continue())
    see("classic: nobody opted out", alice.get("/classic/account/security/secure-login/opt-out"))
    see("agreement", alice.get("/portal/settings/secure-login/opt-out"))
    see("agreement: unticked", alice.post("/portal/settings/secure-login/opt-out", {"signature": "alice"}))
    see("agreement: unsigned", alice.post("/portal/settings/secure-login/opt-out", {"agree": "yes"}))
    response = alice.post("/portal/settings/secure-login/opt-out", {"agree": "yes", "signature": "alice"})
    see("agreement dialog", alice.get(response.headers["Location"]))
    see("agreement: ok", alice.post("/portal/settings/secure-login/opt-out/confirm",
                                    {"confirmation": response.headers["Location"].split("=")[1]},
                                    follow_redirects=True))
    see("account restricted", alice.get("/portal/account"))
    cid = alice.open_confirmation()
    see("seed: expired", (clock.advance(301), alice.post("/portal/settings/secure-login/confirm",
                                                             {"confirmation": cid}))[1])

    clock.advance(30)
    bob = Visitor(app.test_client(), clock)
    bob.log_in("bob")
    for path in ("/portal/settings/secure-login", "/portal/settings/secure-login/opt-out", "/portal/audit",
                 "/classic/account/security/secure-login/opt-out", "/portal/messages"):
        see(f"bob {path}", bob.get(path))
    see("bob: forced continue", bob.post("/portal/settings/secure-login", {"choice": "always_use_device"}))
    clock.advance(31 * 60)
    see("session expired", bob.post("/portal/settings/secure-login", {"choice": "always_use_device"}))
    return seen


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_screen_is_translated(app, clock, conn, lang):
    seen = walk(app, clock, conn, lang)
    assert len(seen) > 50
    assert_translated(seen, lang, ("sls.not_allowed.heading", "confirm.body.classic", "confirm.body.opt_out",
                                   "audit.heading", "account.limit.otc_orders.restricted",
                                   "account.limit.otc_orders.standard", "error.session_expired",
                                   "error.target_mismatch", "classic.menu.sls_opt_out",
                                   "audit.outcome.refused.session_expired", "opt_out.agreement_heading"))


def test_both_catalogs_hold_the_same_keys():
    ja, en = set(i18n.CATALOGS["ja"]), set(i18n.CATALOGS["en"])
    assert ja - en == set() and en - ja == set()


def test_every_translation_has_the_same_placeholders_in_both_languages():
    for key, ja in i18n.CATALOGS["ja"].items():
        assert sorted(PLACEHOLDER.findall(ja)) == sorted(PLACEHOLDER.findall(i18n.CATALOGS["en"][key])), key


def test_the_japanese_catalog_is_japanese():
    # Only names that are the same in both languages may stay ASCII in the ja catalog.
    same_in_both = {"confirm.ok", "audit.path.api"}
    ascii_only = [k for k, v in i18n.CATALOGS["ja"].items() if v.isascii() and k not in same_in_both]
    assert ascii_only == []


def _files(folder):
    """Every file below a package folder (templates are kept in a folder per blueprint)."""
    for entry in folder.iterdir():
        yield from _files(entry) if entry.is_dir() else [entry]


def test_every_key_a_template_names_is_in_the_catalogs():
    named = set()
    for template in _files(resources.files("mock_portal").joinpath("templates")):
        named |= set(re.findall(r"_\('([a-z0-9_.]*[a-z0-9_])'", template.read_text("utf-8")))
    assert named, "no keys found: the pattern is wrong"
    for lang in i18n.LANGS:
        assert named - set(i18n.CATALOGS[lang]) == set(), lang


def test_the_page_objects_labels_are_what_the_portal_says():
    from flows.labels import LABELS
    for lang in i18n.LANGS:
        said = set(i18n.CATALOGS[lang].values())
        missing = {name: label for name, label in LABELS[lang].items() if label not in said}
        assert missing == {}, lang


def walk_current(app, clock, conn, lang):
    """The current revision's screens: the User menu path, the three choices with their
    confirmation, each choice's own screens and refusals, the code card at the next login."""
    from portal_client import USERS, Visitor
    conn.execute("UPDATE users SET locale = ?", (lang,))
    conn.executemany("INSERT INTO portal_revisions (username, revision) VALUES (?, 'current')",
                     [("alice",), ("bob",), ("carol",)])
    seen = []
    sls_path = "/portal/current/settings/secure-login"
    carol = Visitor(app.test_client(), clock)
    carol.get(f"/sso/login?lang={lang}")
    carol.submit_password("carol")
    carol.get("/sso/login/code")
    carol.post("/sso/login/code", {"code": carol.code("carol")})
    for path in ("/portal/current/", "/portal/current/settings", sls_path):
        seen.append((path, carol.get(path)))
    carols_device = conn.execute("SELECT device_id FROM devices WHERE username = 'carol'").fetchone()[0]
    seen.append(("last device", carol.post(f"{sls_path}/devices/{carols_device}/remove", {})))
    seen.append(("no choice", carol.post(sls_path, {})))
    for choice in ("ibkr_mobile", "other_username", "without_ibkr_mobile"):
        location = carol.post(sls_path, {"choice": choice}).headers["Location"]
        seen.append((f"{choice} dialog", carol.get(location)))
        cid = location.split("confirmation=")[1]
        seen.append((f"{choice} ok", carol.post(f"{sls_path}/confirm", {"confirmation": cid}, follow_redirects=True)))
        if choice == "ibkr_mobile":
            seen.append(("not activated", carol.post(f"{sls_path}/ibkey", {})))
        if choice == "other_username":
            seen.append(("same username", carol.post(f"{sls_path}/other-username",
                                                     {"username": "carol", "password": "x"})))
            seen.append(("link code step", carol.post(f"{sls_path}/other-username", {
                "username": "alice", "password": USERS["alice"]["password"]}, follow_redirects=True)))
            seen.append(("link wrong code", carol.post(f"{sls_path}/other-username/code", {"code": "000000"})))
    seen.append(("card saved", carol.get(f"{sls_path}/card.txt")))
    seen.append(("enrolling", carol.get(sls_path)))
    carol.post("/sso/logout", {})
    carol.get(f"/sso/login?lang={lang}")
    carol.submit_password("carol")
    seen.append(("card code step", carol.get("/sso/login/code")))
    seen.append(("card wrong code", carol.post("/sso/login/code", {"code": "000000"})))
    bob = Visitor(app.test_client(), clock)
    bob.get(f"/sso/login?lang={lang}")
    bob.submit_password("bob")
    bob.get("/sso/login/code")
    bob.post("/sso/login/code", {"code": bob.code("bob")})
    seen.append(("bob not allowed", bob.get(sls_path)))
    seen.append(("bob removes no device", bob.post(f"{sls_path}/devices/2/remove", {})))
    # IB Key waiting for the notification, then its challenge; KB69's card-only days.
    from mock_portal.login import devices
    conn.execute("UPDATE devices SET type = 'ibkey', config = ? WHERE username = 'alice'",
                 ('{"type": "ibkey", "ibkey_secret": "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"}',))
    alice = Visitor(app.test_client(), clock)
    alice.get(f"/sso/login?lang={lang}")
    alice.submit_password("alice")
    seen.append(("ibkey notification", alice.get("/sso/login/code")))
    seen.append(("ibkey challenge", alice.get("/sso/login/code?respond=challenge")))
    conn.execute("UPDATE devices SET type = 'temporary_passcode', config = '{\"type\": \"temporary_passcode\"}'"
                 " WHERE username = 'bob'")
    passcode = devices.issue_temporary_passcode(conn, "bob", clock.now())
    clock.advance(3 * 24 * 3600)
    bob = Visitor(app.test_client(), clock)
    bob.get(f"/sso/login?lang={lang}")
    bob.submit_password("bob")
    bob.get("/sso/login/code")
    bob.post("/sso/login/code", {"code": passcode})
    seen.append(("card only", bob.get("/portal/")))
    seen.append(("no card yet", bob.get(f"{sls_path}/card")))
    return seen


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_screen_of_the_current_revision_is_translated(app, clock, conn, lang):
    seen = walk_current(app, clock, conn, lang)
    assert_translated(seen, lang, lang_of_html_only=True, keys=(
                "current.user_menu", "current.settings.user_settings", "current.choice.ibkr_mobile",
                "current.choice.without_ibkr_mobile", "current.choice.other_username", "current.confirm.ibkr_mobile",
                "current.confirm.without_ibkr_mobile", "current.confirm.other_username", "current.ibkey.qr_alt",
                "error.ibkey_not_activated", "current.card.heading", "current.card.valid_until",
                "error.other_username_same", "second.prompt.security_code_card", "error.last_device",
                "error.choose_enrollment", "sls.not_allowed.heading", "current.other.lead",
                "second.prompt.ibkey_push", "second.no_notification", "error.temporary_passcode_card_only",
                "current.card.issue"))


def walk_references(app, clock, conn, lang):
    """The screens of the article's references: the account's limits and money, a withdrawal to its
    device step and refusals, the Withdrawal Limits page, a DSC+ requested, activated and returned,
    the sharing refusals and the review notice, and the messages they leave."""
    import json
    from contextlib import closing

    from flows.devices import DigitalSecurityCard, read_challenge
    from flows.portal_http import confirmation_id
    from mock_portal import control, db, scenario
    from portal_client import Visitor
    from references_users import USERS, device_id, log_in
    app.register_blueprint(control.bp)
    hooks = app.test_client()
    with closing(db.connect(app.config["DATABASE"])) as c:
        scenario.add_users(c, [{**u, "locale": lang} for u in USERS], app.config["PASSWORD_HASH_METHOD"])
    seen = []
    olga = Visitor(app.test_client(), clock)
    log_in(olga, "olga")
    form = "/portal/account/withdrawal"
    seen += [("account", olga.get("/portal/account")), ("withdrawal", olga.get(form))]
    device = str(device_id(conn, "olga", "authenticator_app"))
    for amount in ("1e9", "-1", "", "9" * 20, "60000"):
        seen.append((f"amount {amount}", olga.post(form, {"amount": amount, "currency": "USD", "device": device})))
    seen.append(("currency", olga.post(form, {"amount": "1", "currency": "EUR", "device": device})))
    location = olga.post(form, {"amount": "100", "currency": "USD", "device": device}).headers["Location"]
    seen.append(("withdrawal dialog", olga.get(location)))
    cid = confirmation_id(text(seen[-1][1]))
    seen.append(("withdrawal device", olga.get(olga.post(f"{form}/confirm", {"confirmation": cid}).headers["Location"])))
    seen.append(("withdrawal wrong code", olga.post(f"{form}/authenticate", {"withdrawal": cid, "code": "1"})))
    seen.append(("withdrawal cancelled", olga.post(f"{form}/cancel", {"confirmation": cid}, follow_redirects=True)))
    seen.append(("withdrawal used", olga.post(f"{form}/confirm", {"confirmation": cid})))

    walt = Visitor(app.test_client(), clock)
    log_in(walt, "walt")
    sls_path = "/portal/current/settings/secure-login"
    request_path = f"{sls_path}/physical-device"
    seen += [("limits", walt.get(f"{sls_path}/withdrawal-limits")), ("request", walt.get(request_path)),
             ("change address", walt.get(f"{request_path}?address=change")),
             ("weak pin", walt.post(request_path, {"pin": "1111", "pin_again": "1111", "account": "U4000002"}))]
    summary = walt.post(request_path, {"pin": "2580", "pin_again": "2580", "account": "U4000002"})
    seen.append(("summary", walt.get(summary.headers["Location"])))
    placed = walt.post(f"{request_path}/summary", {"request": summary.headers["Location"].split("request=")[1]})
    seen += [("requested", walt.get(placed.headers["Location"])), ("ordered", walt.get(sls_path)),
             ("in progress", walt.get(request_path))]
    delivered = hooks.post("/_test/physical-devices/deliver", json={"username": "walt"}).get_json()
    serial = delivered["serial"]
    seen.append(("delivered", walt.get(sls_path)))
    page = walt.get(walt.post(f"{request_path}/{serial}/activate", {}).headers["Location"])
    seen += [("activate", page), ("activate wrong", walt.post(f"{request_path}/{serial}/activate/response", {"code": "1"}))]
    card = DigitalSecurityCard(delivered["card_secret"], "2580")
    seen.append(("activated", walt.post(f"{request_path}/{serial}/activate/response",
                                        {"code": card.response(read_challenge(text(seen[-1][1])))},
                                        follow_redirects=True)))
    seen += [("return form", walt.get(f"{request_path}/{serial}/return")),
             ("sent back", walt.post(f"{request_path}/{serial}/return", {}, follow_redirects=True))]
    hooks.post("/_test/physical-devices/receive", json={"serial": serial})
    seen.append(("received", walt.get("/portal/messages")))
    pia = conn.execute("SELECT serial FROM physical_devices WHERE username = 'pia'").fetchone()[0]
    hooks.post("/_test/physical-devices/lost", json={"serial": pia})
    conn.execute("INSERT INTO portal_revisions (username, revision) VALUES ('pia', 'current')")
    pia_visitor = Visitor(app.test_client(), clock)
    log_in(pia_visitor, "pia")
    seen += [("lost", pia_visitor.get("/portal/messages")), ("pia account", pia_visitor.get("/portal/account")),
             ("not eligible", pia_visitor.get(request_path))]

    ken = Visitor(app.test_client(), clock)
    log_in(ken, "ken")
    seen.append(("opted out request", ken.get(request_path)))
    conn.execute("INSERT INTO devices (username, type, config) VALUES ('ken', 'ibkey', ?)",
                 (json.dumps({"type": "ibkey", "ibkey_secret": "OBQXG43XN5ZGIMJSGM2DKNRXHA4TAMJS"}),))
    for other in ("lee", "kei"):
        location = ken.post(sls_path, {"choice": "other_username"}).headers["Location"]
        ken.post(f"{sls_path}/confirm", {"confirmation": confirmation_id(text(ken.get(location)))})
        ken.get(f"{sls_path}/other-username")
        seen.append((f"share with {other}", ken.post(f"{sls_path}/other-username",
                                                     {"username": other, "password": f"{other} pass"})))
    conn.execute("INSERT INTO devices (username, type, config) VALUES ('kei', 'security_code_card', '{}')")
    seen.append(("temporary", ken.post(f"{sls_path}/other-username", {"username": "kei", "password": "kei pass"})))
    conn.execute("INSERT INTO sharing_requests (confirmation_id, username, device_id, created_at) SELECT"
                 " confirmation_id, 'ken', (SELECT device_id FROM devices WHERE username = 'kei' LIMIT 1), 0"
                 " FROM enrollments WHERE username = 'ken' AND state = 'pending'")
    seen.append(("in review", ken.get(sls_path)))
    return seen


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_screen_of_the_references_is_translated(app, clock, conn, lang):
    seen = walk_references(app, clock, conn, lang)
    assert_translated(seen, lang, keys=(
                "funds.limits_heading", "funds.device.none", "error.amount_invalid", "error.amount_too_large",
                "error.withdrawal_over_day_limit", "error.currency_unknown", "withdrawal.confirm",
                "withdrawal.authenticate_heading", "notice.withdrawal_cancelled", "error.confirmation_used",
                "funds.limits_page_heading", "physical.request_heading", "physical.address.street", "error.pin_weak",
                "physical.summary_heading", "physical.requested_heading", "physical.state.ordered",
                "error.physical_device_in_progress", "physical.state.delivered", "physical.activate_heading",
                "notice.physical_device_activated", "physical.return_heading", "notice.physical_device_sent_back",
                "message.physical_device_received", "message.physical_device_lost", "error.physical_device_equity",
                "error.physical_device_enroll_first", "error.sharing_not_same_person",
                "error.sharing_less_secure_device", "error.sharing_temporary_device", "notice.sharing_in_review"))
