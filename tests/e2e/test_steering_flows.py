"""The article under faults on purpose, in Chromium: a second of latency on every
request with no timeout changed, the connection dropped once OK was received, a 503 on Continue;
and what the request journal says a flow sent."""
import re

import pytest
from playwright.sync_api import expect

from flows import cancel_sls_opt_out
from flows.flow import PortalUser
from flows.live import LivePortal
from flows.pages import SecureLoginSettingsPage
from flows.users import new_user_entry


SETTINGS = "/portal/settings/secure-login"
ALREADY_MADE = {"ja": "この変更はすでに行われています", "en": "This change was already made"}


@pytest.fixture(scope="module")
def own_portal(tmp_path_factory):
    """A portal of this module's own: a fault for every visitor (the anonymous home and login
    pages included) must slow no other test's portal."""
    with LivePortal(str(tmp_path_factory.mktemp("steering") / "portal.sqlite")) as portal:
        yield portal


def settings_page(log_in, user):
    page = log_in(user)
    page.goto(SETTINGS)
    return SecureLoginSettingsPage(page, user.locale).expect_opted_out()


def test_the_article_passes_with_a_second_of_latency_on_every_request(own_portal, page):
    entry = new_user_entry(locale="ja")
    own_portal.add_users([entry])
    user = PortalUser.from_scenario(entry)
    with own_portal.inject(fixedDelayMilliseconds=1000):
        steps = cancel_sls_opt_out(page, own_portal.base_url, user)
    assert len(steps) == 7 and own_portal.user_state(user.username)["sls_opted_out"] == 0
    slowed = own_portal.requests(user)
    assert slowed and all(e["duration_ms"] >= 1000 and "fixedDelayMilliseconds" in e["fault"] for e in slowed)
    own_portal.verify(user, 1, "POST", f"{SETTINGS}/confirm")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_connection_dropped_after_ok_was_received_leaves_one_change_and_the_retry_says_so(
        portal, portal_user, log_in, lang):
    user = portal_user(locale=lang)
    settings = settings_page(log_in, user)
    dialog = settings.choose_always_use_device().continue_()
    # Every OK of this user is dropped once handled while the block runs: Chromium sends a POST
    # again by itself when a reused connection closes without an answer, and meets the same.
    with portal.inject(user, "POST", f"{SETTINGS}/confirm", fault="CONNECTION_DROPPED", when="after"):
        with settings.page.expect_event("requestfailed") as failed:
            dialog.click(dialog.ok_button)
        assert failed.value.url.endswith("/confirm")  # no answer at all: the browser's own error page
        expect(settings.page).to_have_url(re.compile(r"^chrome-error://"))
    state = portal.user_state(user.username)
    assert state["sls_opted_out"] == 0 and [row["outcome"] for row in state["audit"]] == ["changed"]
    # Back to the dialog (a reload of what the browser last showed): the change was made, once.
    settings.page.go_back()
    expect(settings.notice).to_contain_text(ALREADY_MADE[lang])
    settings.expect_enrolled()
    state = portal.user_state(user.username)
    assert [row["outcome"] for row in state["audit"]] == ["changed"]
    oks = portal.requests(user, "POST", f"{SETTINGS}/confirm")
    assert oks and all(e["status"] is None and "CONNECTION_DROPPED after" in e["fault"] for e in oks)


def test_a_503_on_continue_shows_the_portals_error_and_a_retry_completes(portal, portal_user, log_in):
    user = portal_user(locale="en")
    settings = settings_page(log_in, user)
    with portal.inject(user, "POST", SETTINGS, status=503, count=1):
        settings.choose_always_use_device()
        settings.click(settings.continue_button)
        expect(settings.page.get_by_role("alert")).to_have_text(
            "The portal is unavailable right now. Please try again in a moment.")
    settings.page.go_back()
    settings.choose_always_use_device().continue_().ok().expect_enrolled()
    sent = portal.requests(user, "POST", SETTINGS)
    assert [e["status"] for e in sent] == [503, 303]
    assert portal.user_state(user.username)["sls_opted_out"] == 0
