"""The article's current revision end to end: each of the three enrollment choices in ja
and en, in real Chromium against a live `slskit serve`, to a verified stored state."""
import pytest

from flows.current import cancel_sls_opt_out_current
from flows.devices import CodeCard, IBKey
from flows.pages import HomePage
from flows.pages.current import CurrentPortal, CurrentSecondFactorPage, EnrollmentPage


def devices(portal, user):
    return [(d["type"], sorted(d["usernames"])) for d in portal.devices_of(user.username)]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_ibkr_mobile_activates_ib_key(page, portal, portal_user, lang):
    user = portal_user(locale=lang, portal_revision="current")
    run = cancel_sls_opt_out_current(page, portal.base_url, user, "ibkr_mobile")
    assert [s.number for s in run.steps] == list(range(1, 9))
    assert isinstance(run.device, IBKey)
    assert portal.user_state(user.username)["sls_opted_out"] == 0
    assert devices(portal, user) == [("authenticator_app", [user.username]), ("ibkey", [user.username])]
    # The activated IB Key logs the user in: chosen in the combobox, its challenge answered.
    CurrentPortal(page, lang).log_out()
    login = HomePage(page, lang).navigate(portal.base_url).choose_portal_login()
    login.log_in(user.username, user.password).next(CurrentSecondFactorPage).authenticate(run.device)
    CurrentPortal(page, lang).expect_loaded()


def expect_printable(page, lang):
    """On the card page: Print opens the browser's print dialog, and a print shows the card alone."""
    from playwright.sync_api import expect

    from flows.pages.current import CodeCardPage
    card_page = CodeCardPage(page, lang)
    page.wait_for_load_state("load")  # print.js (after the table) has run: its handler is on the button
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")  # no dialog
    card_page.click(card_page.print_button)
    assert page.evaluate("() => window.printed") == 1
    page.emulate_media(media="print")
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(card_page.print_button).to_be_hidden()
    expect(card_page.card).to_be_visible()
    page.emulate_media(media="screen")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_code_card_is_asked_at_the_next_login(page, portal, portal_user, lang, tmp_path):
    user = portal_user(locale=lang, portal_revision="current")
    # Saved in one language, printed (read off the page) in the other: both ways keep the card.
    card_path = str(tmp_path / "card.txt") if lang == "en" else None
    run = cancel_sls_opt_out_current(page, portal.base_url, user, "without_ibkr_mobile", card_path=card_path,
                                     on_done=lambda step: step.number == 7 and expect_printable(page, lang))
    assert isinstance(run.device, CodeCard) and len(run.device.codes) == 40
    assert portal.user_state(user.username)["sls_opted_out"] == 0
    assert devices(portal, user) == [("authenticator_app", [user.username]),
                                     ("security_code_card", [user.username])]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_device_under_another_username_serves_both(page, portal, portal_user, lang):
    holder = portal_user(locale=lang, sls_opted_out=False)
    user = portal_user(locale=lang, portal_revision="current")
    run = cancel_sls_opt_out_current(page, portal.base_url, user, "other_username", other_user=holder)
    assert run.device is holder.device
    assert portal.user_state(user.username)["sls_opted_out"] == 0
    both = sorted([holder.username, user.username])
    assert ("authenticator_app", both) in devices(portal, user)
    assert devices(portal, holder) == [("authenticator_app", both)]
    if lang == "en":  # removing it from one leaves the other (both languages at Flask level)
        EnrollmentPage(page, lang).remove_device(holder.username)
        assert devices(portal, user) == [("authenticator_app", [user.username])]
        assert devices(portal, holder) == [("authenticator_app", [holder.username])]
        CurrentPortal(page, lang).expect_loaded()


@pytest.mark.parametrize("lang, notified", [("ja", False), ("en", True)])
def test_ib_key_login_with_or_without_the_notification(page, portal, portal_user, lang, notified):
    from flows.users import random_base32_secret
    user = portal_user(locale=lang, portal_revision="current",
                       devices=[{"type": "ibkey", "ibkey_secret": random_base32_secret()}])
    HomePage(page, lang).navigate(portal.base_url).choose_portal_login().log_in(user.username, user.password)
    step = CurrentSecondFactorPage(page, lang).expect_notification()
    if notified:
        step.approve_on_phone(user.device)
    else:  # "Didn't receive the notification?": the challenge, answered in IB Key
        step.respond_to_challenge(user.device)
    CurrentPortal(page, lang).expect_loaded()


def test_slskit_demo_runs_the_current_revision_and_prints_its_steps():
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--revision", "current", "--lang", "en",
                             "--choice", "without_ibkr_mobile"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    printed = [line.split("ms  ", 1)[1] for line in result.stdout.splitlines() if line.startswith("  step ")]
    assert len(printed) == 8
    assert printed[3].startswith("Click the User menu (head and shoulders icon in the top right corner)")
    assert "without installing IBKR Mobile" in printed[5]
    assert "revision: current  choice: without_ibkr_mobile" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("OK: smith01 is enrolled")


def test_log_in_fixture_logs_a_current_revision_ib_key_user_in(log_in, portal_user):
    from flows.users import random_base32_secret
    user = portal_user(locale="ja", portal_revision="current",
                       devices=[{"type": "ibkey", "ibkey_secret": random_base32_secret()}])
    page = log_in(user)  # over HTTP: the notification is not waited for, the challenge is answered
    CurrentPortal(page, "ja").expect_loaded()  # the portal's start page: the current revision's
