"""Server side of the security devices: checking what the user types at the code step."""
import hmac
import json
import re
import unicodedata

import pyotp

from .db import transaction

TOTP_STEP = 30
TOTP_DRIFT_STEPS = 1


def normalize_code(raw):
    """Full-width digits and stray spaces are what people paste; everything else is refused."""
    code = unicodedata.normalize("NFKC", raw or "").replace(" ", "")
    return code if re.fullmatch(r"[0-9]{6}", code) else None


def verify_totp(conn, device, raw_code, now):
    """'ok', 'invalid' or 'replayed'. A step once accepted (or any earlier one) never is again."""
    code = normalize_code(raw_code)
    if code is None:
        return "invalid"
    totp = pyotp.TOTP(json.loads(device["config"])["totp_secret"])
    current = int(now // TOTP_STEP)
    matched = None
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            matched = step
    if matched is None:
        return "invalid"
    with transaction(conn):
        cur = conn.execute(
            "UPDATE devices SET last_step = ? WHERE device_id = ? AND (last_step IS NULL OR last_step < ?)",
            (matched, device["device_id"], matched))
    return "ok" if cur.rowcount == 1 else "replayed"


VERIFIERS = {"authenticator_app": verify_totp}


def verify(conn, device, raw_code, now):
    return VERIFIERS[device["type"]](conn, device, raw_code, now)


def devices_of(conn, username):
    return conn.execute("SELECT * FROM devices WHERE username = ? ORDER BY device_id", (username,)).fetchall()
