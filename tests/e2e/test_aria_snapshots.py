"""Every screen of docs/contract.md (ja and en) against its committed ARIA snapshot in docs/aria/:
the roles, accessible names and structure another team's suite relies on, browser-build
independent. Volatile values (usernames, account numbers, codes, dates) are written as patterns.

A change of a label or of a screen's structure fails with a diff per screen; after an intended
change, record again with `pytest tests/e2e/test_aria_snapshots.py --update-aria-snapshots` and
commit docs/aria/ with it (the diff is the review).
"""
import difflib
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from flows.current import activate_ibkey_in_ibkr_mobile
from flows.pages import HomePage, PortalMenu
from flows.pages.current import CurrentPortal, CurrentSettingsPage, EnrollmentPage


SNAPSHOTS = Path(__file__).resolve().parents[2] / "docs" / "aria"
# Stricter than Playwright's default (a template's children may be a subset): an element added
# to a screen is a change of its structure too.
HEADER = "- /children: deep-equal\n"
MATCH_TIMEOUT_MS = 2_000  # each screen is loaded before it is compared: a mismatch is not late
# Values that differ from run to run, and the pattern each is written as.
DATES = (re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?: ?UTC)?)?"),
         r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?: ?UTC)?)?")
SEED_PATHS = ["/portal/trading", "/portal/account", "/portal/messages", "/portal/audit", "/portal/settings/",
              "/portal/settings/user"]
CLASSIC_PATHS = ["/classic/", "/classic/account", "/classic/account/security", "/classic/account/security/secure-login",
                 "/classic/account/security/secure-login/opt-out"]


def js_escape(text):
    return re.sub(r"[\\^$.*+?()\[\]{}|/]", r"\\\g<0>", text)


def as_pattern(value, volatile):
    """`value` as a JavaScript regex with each volatile part as its pattern, or None."""
    spans = sorted((m.start(), m.end(), pattern) for finder, pattern in volatile for m in finder.finditer(value))
    if not spans:
        return None
    out, at = [], 0
    for start, end, pattern in spans:
        if start >= at:
            out += [js_escape(value[at:start]), pattern]
            at = end
    pattern = "^" + "".join(out) + js_escape(value[at:]) + "$"
    return pattern.replace(": ", r":\x20").replace(" #", r"\x20#")  # what YAML would read as a mapping or a comment


QUOTED = re.compile(r'^(\s*- [\w/-]+ )"((?:[^"\\]|\\.)*)"(.*)$')
TEXT = re.compile(r'^(\s*- [\w-]+: )(.*)$')  # `- role: text`; not `- /url:`, `- /children:`


def generalize(snapshot, volatile):
    """The snapshot with every name or text holding a volatile value written as a pattern."""
    lines = []
    for line in snapshot.splitlines():
        if m := QUOTED.match(line):
            value, tail = m[2].replace('\\"', '"').replace("\\\\", "\\"), m[3]
        elif m := TEXT.match(line):
            value, tail = m[2][1:-1].replace('\\"', '"') if m[2].startswith('"') else m[2], ""
        else:
            lines.append(line)
            continue
        pattern = as_pattern(value, volatile)
        lines.append(line if pattern is None else f"{m[1]}/{pattern}/{tail}")
    return "\n".join(lines) + "\n"


class Screens:
    """Compares (or with --update-aria-snapshots records) one language's screens, and keeps every
    mismatch so one run shows all of them."""

    def __init__(self, page, lang, record, volatile):
        self.page, self.lang, self.record, self.volatile = page, lang, record, volatile
        self.folder, self.problems, self.seen = SNAPSHOTS / lang, [], []

    def check(self, name, locator=None, volatile=()):
        """`volatile`: this screen's own (finder, pattern) pairs beside the run's."""
        locator = locator or self.page.locator("body")
        actual = HEADER + generalize(locator.aria_snapshot(), [*self.volatile, *volatile])
        path = self.folder / f"{name}.aria.yml"
        self.seen.append(path.name)
        if self.record:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        if not path.exists():
            self.problems.append(f"{self.lang}/{path.name}: no snapshot (record with --update-aria-snapshots)")
            return
        template = path.read_text(encoding="utf-8")
        try:
            expect(locator).to_match_aria_snapshot(template, timeout=MATCH_TIMEOUT_MS)
        except AssertionError as e:
            diff = difflib.unified_diff(template.splitlines(), actual.splitlines(),
                                        f"docs/aria/{self.lang}/{path.name} (committed)", "this run", lineterm="")
            self.problems.append("\n".join(diff) or f"{self.lang}/{path.name}: {e}")

    def goto(self, name, path):
        self.page.goto(path)
        self.check(name)


def volatile_of(*users):
    names = [(re.compile(re.escape(u.username)), r"[\w.-]+") for u in users]
    accounts = [(re.compile(re.escape(u.entry["account_id"])), r"U\d{7}") for u in users]
    return names + accounts + [DATES]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_screen_matches_its_committed_aria_snapshot(page, portal, portal_user, lang, pytestconfig):
    devices = [{"type": "authenticator_app", "totp_secret": "NB2W45DFOIZA4ZLMOVZ3A2LTMJSW4ZLSEZ4HS7I5"},
               {"type": "sms", "phone": "+81 90-0000-1234"}]
    user = portal_user(locale=lang, sls_opted_out=True, devices=devices)
    current = portal_user(locale=lang, portal_revision="current")
    screens = Screens(page, lang, pytestconfig.getoption("--update-aria-snapshots"), volatile_of(user, current))

    # Before login: home, its login menu, the login, the gateway's login, the device choice, the code.
    home = HomePage(page, lang).navigate(portal.base_url)
    screens.check("home")
    home.click(home.login_menu_button)
    expect(home.portal_login_link).to_be_visible()
    screens.check("home-login-menu")
    screens.goto("gateway-login", f"/sso/Login?forwardTo=22&RL=1&ip2loc=on&lang={lang}")
    login = home.navigate(portal.base_url).choose_portal_login()
    screens.check("login")
    second = login.log_in(user.username, user.password)
    screens.check("device-choice")
    second.choose_device(user.device)
    screens.check("second-factor")
    second.fill(user.device.answer(page)).submit()

    # The seed's portal, the article's screens in order, then the rest of the contract's paths.
    menu = PortalMenu(page, lang).expect_loaded()
    screens.check("portal")
    box = menu.open_user_settings().open_secure_login_system()
    screens.check("user-settings-secure-login-box")
    settings = box.open_settings().expect_opted_out()
    screens.check("secure-login-settings-opted-out")
    dialog = settings.choose_always_use_device().continue_()
    screens.check("confirmation")
    dialog.ok().expect_enrolled()
    screens.check("secure-login-settings-enrolled")
    for path in SEED_PATHS + CLASSIC_PATHS:
        screens.goto(path.strip("/").replace("/", "-"), path)
    screens.goto("opt-out-agreement", "/portal/settings/secure-login/opt-out")
    screens.goto("reauth", "/sso/reauth?next=/portal/settings/secure-login")

    # The current revision, in the same browser: log out, log in as its user.
    page.goto("/portal/")
    PortalMenu(page, lang).log_out()
    login = HomePage(page, lang).navigate(portal.base_url).choose_portal_login()
    login.log_in(current.username, current.password).authenticate(current.device)
    portal_page = CurrentPortal(page, lang).expect_loaded()
    screens.check("current-portal")
    portal_page.click(portal_page.user_menu)
    expect(portal_page.settings).to_be_visible()
    screens.check("current-user-menu")
    portal_page.click(portal_page.settings)
    settings = CurrentSettingsPage(page, lang).expect_loaded()
    screens.check("current-settings")
    settings.open_secure_login_system().expect_opted_out()
    screens.check("current-secure-login-opted-out")
    screens.goto("current-code-card", "/portal/current/settings/secure-login/card")
    # The other username's login, left unanswered (the user stays opted out), then IB Key to the end.
    page.goto("/portal/current/settings/secure-login")
    confirmation = EnrollmentPage(page, lang).expect_opted_out().choose("other_username").continue_("other_username")
    screens.check("current-confirmation")
    confirmation.ok()
    screens.check("current-other-username")
    page.goto("/portal/current/settings/secure-login")
    activation = EnrollmentPage(page, lang).expect_opted_out().choose("ibkr_mobile").continue_("ibkr_mobile").ok()
    code = page.locator("#activation-code").inner_text()
    screens.check("current-ibkey-activation", volatile=[(re.compile(re.escape(code)), r"\d{8}")])
    activate_ibkey_in_ibkr_mobile(page, activation, current)
    screens.check("current-secure-login-enrolled")

    stray = sorted(p.name for p in screens.folder.glob("*.aria.yml") if p.name not in screens.seen)
    assert not stray, f"snapshots of no screen the test visits: {stray}"
    assert not screens.problems, "\n\n".join(screens.problems)


def test_a_renamed_label_or_an_added_element_fails_the_committed_snapshot(page, portal):
    """The comparison itself, on the committed login screen: it matches as served; a label the
    contract names, renamed on the page or in the snapshot, and an element added, do not."""
    template = (SNAPSHOTS / "ja" / "login.aria.yml").read_text(encoding="utf-8")
    body = page.locator("body")
    page.goto("/sso/login?lang=ja")
    expect(body).to_match_aria_snapshot(template)
    expect(body).not_to_match_aria_snapshot(template.replace('"ユーザー名"', '"ユーザーID"'), timeout=MATCH_TIMEOUT_MS)
    page.get_by_text("ユーザー名", exact=True).evaluate("label => label.textContent = 'ユーザーID'")
    expect(body).not_to_match_aria_snapshot(template, timeout=MATCH_TIMEOUT_MS)
    page.reload()
    page.locator("main").evaluate("main => main.append(Object.assign(document.createElement('button'), {textContent: 'ヘルプ'}))")
    expect(body).not_to_match_aria_snapshot(template, timeout=MATCH_TIMEOUT_MS)


