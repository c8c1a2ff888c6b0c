"""Scenario entries for the users the kit makes: fresh random ones (fixtures, bench, load tests)
and the built-in demo scenario's (`slskit demo`, `slskit screenshots`).

Plain dicts in the scenario file's shape, so the test hooks, `slskit serve --scenario` and
`PortalUser.from_scenario` all take them as they are. No pytest here: the bench imports it.
"""
import base64
import secrets

# The demo scenario's user for each language (mock_portal/demo_scenario.json).
DEMO_USERS = {"ja": "tanaka01", "en": "smith01"}
OTHER_DEMO_USER = "suzuki02"  # the current revision's other username: its device then serves both


def random_base32_secret(nbytes=20):
    """A device secret of `nbytes` random bytes (160 bits by default), base32 as scenarios take it."""
    return base64.b32encode(secrets.token_bytes(nbytes)).decode().rstrip("=")


def _authenticator_app():
    return {"type": "authenticator_app", "totp_secret": random_base32_secret()}


# Fresh `devices` for a user holding each type of device (docs/devices.md). A temporary passcode's
# user also holds an authenticator app: the help desk issues one only to someone who logs in with
# another device in between.
FRESH_DEVICES = {
    "authenticator_app": lambda: [_authenticator_app()],
    "ibkey": lambda: [{"type": "ibkey", "ibkey_secret": random_base32_secret()}],
    "sms": lambda: [{"type": "sms", "phone": f"+81 90-{secrets.randbelow(10**4):04d}-{secrets.randbelow(10**4):04d}"}],
    "dsc_plus": lambda: [{"type": "dsc_plus", "card_secret": random_base32_secret(), "pin": "2468"}],
    "temporary_passcode": lambda: [{"type": "temporary_passcode"}, _authenticator_app()],
}


def new_user_entry(locale, sls_opted_out=True, primary=True, account_id=None, devices=None, username=None,
                   portal_revision=None, **more):
    """A scenario entry with fresh random credentials and its own account: a fresh user never
    meets a used TOTP step, and shares nothing with another test's users. `portal_revision`:
    'current' for the article's current revision (the portal's default otherwise). `more`: the
    scenario's optional fields as they are (identity, equity_usd, shipping_address, sharing_review;
    docs/devices.md)."""
    tag = secrets.token_hex(4)
    entry = {
        "username": username or f"user{tag}",
        "password": secrets.token_urlsafe(12),
        "account_id": account_id or f"U{secrets.randbelow(10**7):07d}",
        "primary": primary,
        "locale": locale,
        "sls_opted_out": sls_opted_out,
        "devices": devices or [_authenticator_app()],
    }
    entry.update(more)
    return {**entry, "portal_revision": portal_revision} if portal_revision else entry


def demo_user_entry(lang, username=None):
    """The demo scenario's entry for the user of `lang` (or the one named `username`)."""
    from mock_portal.scenario import demo
    return next(u for u in demo()["users"] if u["username"] == (username or DEMO_USERS[lang]))


def new_paper_account():
    """A scenario user's `paper` entry with fresh random credentials: its own username and
    password, and a paper account id (DU...)."""
    tag = secrets.token_hex(4)
    return {"username": f"paper{tag}", "password": secrets.token_urlsafe(12),
            "account_id": f"DU{secrets.randbelow(10**7):07d}"}
