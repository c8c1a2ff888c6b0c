"""One copy of the kit in a team's run: where the importable `flows` is the kit's, the fixtures
hand out `flows`'s own objects and raise `flows`'s own exceptions, whenever and however the team
imports it; only a team's own `flows` package, which shadows the kit's, makes the fixtures use a
private copy, and then everything the team gets comes from that one copy (docs/plugin.md)."""
import sys
from pathlib import Path

FLOWS_AFTER_THE_FIXTURES = '''
import sys

import pytest


def test_the_fixtures_objects_are_flows_own(portal, portal_user):
    user = portal_user()
    import flows  # after the fixtures ran, as a test body that needs it late does
    import flows.portal_http
    assert isinstance(user, flows.PortalUser)
    assert isinstance(portal, flows.portal_http.TestHooks)
    with pytest.raises(flows.portal_http.PortalError, match="answered 400"):
        portal_user(locale="fr")  # the portal refuses the entry; the fixture raises
    assert type(user).__module__ == "flows.flow"
    assert not [name for name in sys.modules if name.startswith("_slskit")]
'''


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=240)


def test_a_test_that_imports_flows_after_the_fixtures_gets_flows_own_objects(pytester):
    pytester.makepyfile(test_late=FLOWS_AFTER_THE_FIXTURES)
    run(pytester).assert_outcomes(passed=1)


def test_a_run_that_never_imports_flows_names_the_kits_errors_by_flows(pytester, monkeypatch, tmp_path):
    pytester.makepyfile(test_page='def test_a_page(page):\n    page.set_content("<p>hi</p>")\n')
    monkeypatch.setenv("SLSKIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["E * flows.browser.BrowserNotFound: The browser named by SLSKIT_CHROMIUM*"])
    assert "_slskit" not in result.stdout.str()


TEAM_FLOWS = '''
import flows
import pytest
from slskit_plugin import kit


def test_our_flows_is_ours():
    assert flows.OWNER == "the team"


def test_the_kit_the_fixtures_use_is_the_one_kit_returns(portal, portal_user):
    user = portal_user()
    assert isinstance(user, kit().PortalUser) and isinstance(user, kit("flow").PortalUser)
    with pytest.raises(kit("portal_http").PortalError):
        portal_user(locale="fr")
    # The copy's names say what it is (docs/plugin.md).
    assert type(user).__module__ == "_slskit_flows.flow"
    assert flows.OWNER == "the team"
'''


def test_a_team_flows_package_that_only_pytest_puts_on_the_path_stays_the_teams(pytester):
    # `pytest` (the script, not `python -m pytest`) in a project whose tests are a package: only
    # collection puts the project's folder, and with it the team's `flows`, on sys.path.
    pytester.mkpydir("flows").joinpath("__init__.py").write_text('OWNER = "the team"\n')
    tests = pytester.mkpydir("tests")
    (tests / "test_team.py").write_text(TEAM_FLOWS)
    script = Path(sys.executable).parent / "pytest"
    result = pytester.run(str(script), "-p", "no:cacheprovider", "tests", timeout=240)
    result.assert_outcomes(passed=2)
