"""The control plane of a test server, apart from the portal it steers, as WireMock's admin API
is: mounted only with TEST_HOOKS (`slskit serve --enable-test-hooks`), never by default; served
beyond loopback it needs its key (X-Slskit-Test-Hooks-Key). Every route, on one screen:

    POST   /_test/reset                   replace all state with a scenario; empty the journal, the faults
    POST   /_test/users                   add users beside the stored ones
    POST   /_test/clock                   move one user's time, or everyone's
    GET    /_test/users/<username>        a user's stored SLS state and audit trail
    GET    /_test/users/<username>/devices  the user's devices and the usernames each serves
    GET    /_test/sms?phone=              the texts sent to a phone (the phone)
    POST   /_test/ibkey/push              approve or deny an IB Key notification (the phone)
    POST   /_test/ibkey/activate          activate IB Key with the code the portal shows (the phone)
    POST   /_test/temporary-passcode      issue a KB69 temporary passcode (the help desk)
    POST   /_test/sharing-requests/review approve or decline a device sharing request (compliance, KB2481)
    POST   /_test/physical-devices/deliver  the ordered Digital Security Card+ arrives (KB1943)
    POST   /_test/physical-devices/receive  a device sent back is received: its reserve released (KB975)
    POST   /_test/physical-devices/lost   a device reported lost: its fee charged (KB1861)
    GET    /_test/users/<username>/funds  the account's money, withdrawals and physical devices
    GET    /_test/requests                the request journal (journal.py)
    DELETE /_test/requests                forget a user's entries, or all
    POST   /_test/faults                  a fault on purpose (faults.py)
    GET    /_test/faults                  the faults in place
    DELETE /_test/faults                  remove a user's faults, or all
    DELETE /_test/faults/<id>             remove one fault
    POST   /_test/login-elsewhere         a user logs in on another platform: the gateway's session competes (gateway_hooks.py)
    POST   /_test/brokerage-session       the gateway's brokerage session goes down, as if never up
    POST   /_test/login-options           what a user's next logins meet (brokerage session, screens, reset region)
    POST   /_test/mobile-approval         approve or deny a login waiting in IBKR Mobile (the phone)
    POST   /_test/stubs                   a scripted answer: status, body, headers (stubs.py)
    GET    /_test/stubs                   the stubs in place
    DELETE /_test/stubs                   remove a user's stubs, or all
    DELETE /_test/stubs/<id>              remove one stub
    GET    /_test/scenarios               each scenario's state
    POST   /_test/scenarios/reset         every scenario back to "Started"

docs/steering.md and docs/devices.md describe each for a test suite; docs/gateway.md the gateway's.
"""
from . import faults, gateway_hooks, journal, references_hooks, stubs  # noqa: F401  (their routes on bp)
from .routes import bp

__all__ = ["bp", "init_app"]


def init_app(app):
    """The journal, the faults and the stubs see every request but the hooks' own."""
    journal.init_app(app)
    faults.init_app(app)
    stubs.init_app(app)  # after the faults: a delay, then the scripted answer
