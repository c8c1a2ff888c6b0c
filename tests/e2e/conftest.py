"""The gateway's fixtures for the e2e tests of its clients and its login (test_gateway_clients,
test_more_gateway_clients, test_gateway_session_clients, test_gateway_login): one
`slskit serve --gateway` per module (and xdist worker), reset for each test."""
import pytest

from flows.flow import PortalUser
from flows.live import LivePortal
from flows.users import new_paper_account, new_user_entry


@pytest.fixture(scope="module")
def gateway_server(tmp_path_factory):
    """One gateway per module (and xdist worker)."""
    folder = tmp_path_factory.mktemp("gateway")
    with LivePortal(str(folder / "portal.sqlite"), test_hooks=True, extra_args=["--gateway"]) as portal:
        yield portal


@pytest.fixture
def gateway(gateway_server):
    """The gateway as a test starts it: no session, no user, nothing paced yet. It holds one
    session at a time, as the real one, and its penalty box is by address (every client here is
    127.0.0.1), so a test starts from a reset whatever the one before it left; each test adds the
    users it needs."""
    gateway_server.reset({"users": []})
    return gateway_server


@pytest.fixture
def gateway_user(gateway):
    """Factory: a fresh user on the gateway, with its paper account and login options when asked."""
    def make(locale="en", paper=False, **options):
        entry = {**new_user_entry(locale=locale), **options, **({"paper": new_paper_account()} if paper else {})}
        gateway.add_users([entry])
        return PortalUser.from_scenario(entry)
    return make


@pytest.fixture
def gateway_page(browser):
    # A browser cannot be handed a CA file: it accepts the gateway's certificate as its users' do.
    context = browser.new_context(ignore_https_errors=True, locale="en")
    yield context.new_page()
    context.close()
