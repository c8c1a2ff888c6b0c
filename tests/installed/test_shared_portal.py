"""Two xdist workers of a team's suite sharing one running portal (`--portal-url`): each test's
users and clock are its own; an unreachable portal is one line."""
import socket

import pytest

from flows.live import LivePortal


SHARED = '''
import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("n", range(6))
def test_my_users_and_my_clock_are_mine(portal, portal_user, log_in, n):
    user = portal_user()
    page = log_in(user)
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    # A second login within the same 30 s would replay the used TOTP step: this user's clock
    # (and their device's with it) moves on, nobody else's.
    portal.advance_clock(30 * (n + 1), user)
    again = log_in(user)
    expect(again.get_by_role("button", name="ログアウト")).to_be_visible()
    assert portal.user_state(user.username)["sls_opted_out"] == 1
'''


def test_two_workers_share_one_running_portal(pytester, tmp_path):
    pytester.makepyfile(test_shared=SHARED)
    with LivePortal(str(tmp_path / "db.sqlite"), test_hooks=True) as running:
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2",
                                               "--portal-url", running.base_url, timeout=300)
        # The demo scenario's users, made when the portal started, are still there afterwards.
        assert running.user_state("tanaka01")["sls_opted_out"] == 1
    result.assert_outcomes(passed=6)


def test_an_unreachable_portal_url_is_one_line(pytester):
    pytester.makepyfile(test_one='def test_it(portal):\n    pass\n')
    with socket.socket() as unused:  # bound, never listening: nothing answers there
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--portal-url", url,
                                               timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert errors == [f"ERROR: --portal-url: cannot reach the portal at {url} ([Errno 111] Connection refused); "
                      "is it running?"], result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
