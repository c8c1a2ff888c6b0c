"""The device algorithms against the RFCs' published known-answer vectors, on both sides: the
kit's emulators (flows/devices.py, written out by hand) and the portal's checks
(mock_portal/login/devices.py, pyotp). Two independent implementations pinned to the same published
answers cannot be wrong the same way."""
from contextlib import closing

import pytest

from flows.devices import AuthenticatorApp, IBKey, hotp
from mock_portal import db, scenario
from mock_portal.login import devices
from mock_portal.serving import FAST_PASSWORD_HASH


# The RFCs' secret: the ASCII bytes "12345678901234567890", base32 as a scenario holds it.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

# RFC 4226 Appendix D: HOTP values for counts 0..9 (6 digits).
RFC4226_HOTP = ["755224", "287082", "359152", "969429", "338314",
                "254676", "287922", "162583", "399871", "520489"]

# RFC 6238 Appendix B, SHA-1 column: time in seconds and the 8-digit TOTP. A 6-digit code is the
# same value modulo 10**6, i.e. its last six digits.
RFC6238_TOTP_SHA1 = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                     (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]


@pytest.mark.parametrize("count, expected", list(enumerate(RFC4226_HOTP)))
def test_hotp_of_the_emulators_and_the_portal_match_rfc_4226(count, expected):
    assert hotp(b"12345678901234567890", count) == expected
    assert IBKey(RFC_SECRET).response(str(count)) == expected
    assert devices.ibkey_response(RFC_SECRET, str(count)) == expected


@pytest.mark.parametrize("at, expected", RFC6238_TOTP_SHA1)
def test_the_authenticator_app_emulator_matches_rfc_6238(at, expected):
    assert hotp(b"12345678901234567890", at // 30, digits=8) == expected
    assert AuthenticatorApp(RFC_SECRET, clock=lambda: at).code() == expected[-6:]


def test_the_portal_accepts_exactly_rfc_6238s_codes(tmp_path):
    """verify_totp as the login calls it: each published code at its time is 'ok' (in time order,
    so no step is a replay), the code of another time is 'invalid'."""
    with closing(db.connect(str(tmp_path / "portal.sqlite"))) as conn:
        db.init_schema(conn)
        scenario.replace(conn, {"users": [{
            "username": "rfc", "password": "rfc pass 1", "account_id": "U6238000", "primary": True,
            "locale": "en", "sls_opted_out": True,
            "devices": [{"type": "authenticator_app", "totp_secret": RFC_SECRET}]}]}, FAST_PASSWORD_HASH)
        device = devices.devices_of(conn, "rfc")[0]
        codes = [code[-6:] for _, code in RFC6238_TOTP_SHA1]
        for i, (at, _) in enumerate(RFC6238_TOTP_SHA1):
            another_times = codes[(i + 2) % len(codes)]  # (i + 1) may be the next 30 s step
            assert devices.verify_totp(conn, device, None, another_times, at, "portal") == "invalid"
            assert devices.verify_totp(conn, device, None, codes[i], at, "portal") == "ok"
