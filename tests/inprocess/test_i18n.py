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
    problems = {where: bad for where, response in seen if (bad := untranslated(text(response)))}
    assert problems == {}
    for where, response in seen:
        assert f'<html lang="{lang}">' in text(response), where
    # The walk really reached the screens it names.
    pages = "".join(text(r) for _, r in seen)
    for key in ("sls.not_allowed.heading", "confirm.body.classic", "confirm.body.opt_out", "audit.heading",
                "account.limit.otc_orders.restricted", "account.limit.otc_orders.standard",
                "error.session_expired", "error.target_mismatch", "classic.menu.sls_opt_out",
                "audit.outcome.refused.session_expired", "opt_out.agreement_heading"):
        expected = i18n.CATALOGS[lang][key].split("%(")[0]
        assert expected in pages.replace("&#39;", "'"), key


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
    problems = {where: bad for where, response in seen if (bad := untranslated(text(response)))}
    assert problems == {}
    for where, response in seen:
        if response.mimetype == "text/html":
            assert f'<html lang="{lang}">' in text(response), where
    pages = "".join(text(r) for _, r in seen)
    for key in ("current.user_menu", "current.settings.user_settings", "current.choice.ibkr_mobile",
                "current.choice.without_ibkr_mobile", "current.choice.other_username", "current.confirm.ibkr_mobile",
                "current.confirm.without_ibkr_mobile", "current.confirm.other_username", "current.ibkey.qr_alt",
                "error.ibkey_not_activated", "current.card.heading", "current.card.valid_until",
                "error.other_username_same", "second.prompt.security_code_card", "error.last_device",
                "error.choose_enrollment", "sls.not_allowed.heading", "current.other.lead",
                "second.prompt.ibkey_push", "second.no_notification", "error.temporary_passcode_card_only",
                "current.card.issue"):
        expected = i18n.CATALOGS[lang][key].split("%(")[0]
        assert expected in pages.replace("&#39;", "'"), key
