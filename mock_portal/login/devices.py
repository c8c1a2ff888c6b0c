"""Server side of the security devices: what the code step shows and checks, per device type.

Each type answers `verify` with an outcome: 'ok' or the reason for a refusal (`OUTCOME_ERRORS`
maps it to the catalog message). Types with a challenge (ibkey, dsc_plus) or a code sent to the
user (sms) get it from `start`, called by the POST that leads to the code step, never by a GET.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
import struct

import pyotp

from ..db import transaction
from ..i18n import translate
from . import code_card

TOTP_STEP = 30
TOTP_DRIFT_STEPS = 1
SMS_CODE_TTL = 5 * 60
TEMPORARY_FULL_SECONDS = 2 * 24 * 3600         # KB69: full access for 2 days,
TEMPORARY_PORTAL_SECONDS = 12 * 24 * 3600      # then the Client Portal only, 10 more days
TEMPORARY_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # upper case, without I and O (read as 1 and 0)
TEMPORARY_LENGTH = 8

# Refusals that count towards the lock: a wrong answer, not a push still waiting for the phone.
COUNTED = {"invalid", "replayed", "superseded", "expired", "push_denied"}
OUTCOME_ERRORS = {
    "invalid": "error.code_invalid",
    "replayed": "error.code_replayed",
    "superseded": "error.code_superseded",
    "expired": "error.code_expired",
    "no_challenge": "error.code_no_challenge",
    "push_pending": "error.push_pending",
    "push_denied": "error.push_denied",
    "portal_only": "error.temporary_passcode_portal_only",
    "passcode_expired": "error.temporary_passcode_expired",
    "card_expired": "error.code_card_expired",
}


class NotIssued(Exception):
    """A temporary passcode the rules do not allow now; the message says why."""


# What a typed code may contain (docs/devices.md): ASCII and full-width digits (letters for a
# temporary passcode) and spaces, ASCII or ideographic, anywhere. Anything else is refused with
# the usual message: NFKC would also let circled, superscript or other scripts' digits through.
_AS_TYPED = {**{cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)},  # full-width forms -> ASCII
             ord(" "): None, 0x3000: None}                          # spaces are dropped


def _typed(raw, pattern):
    code = (raw or "").translate(_AS_TYPED)
    return code if re.fullmatch(pattern, code, flags=re.ASCII) else None


def _digits(raw, length):
    return _typed(raw, rf"[0-9]{{{length}}}")


def _hash(code):
    return hashlib.sha256(code.encode()).hexdigest()


def _config(device):
    return json.loads(device["config"])


def _b32(secret):
    """The key bytes of a secret as scenario.validate stores it (upper case, no spaces, unpadded)."""
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def ibkey_response(ibkey_secret, challenge):
    """IB Key's answer to a challenge: HOTP (RFC 4226, 6 digits) with the challenge as counter."""
    return pyotp.HOTP(ibkey_secret).at(int(challenge))


def dsc_response(card_secret, pin, challenge):
    """Digital Security Card+: HMAC-SHA256 over "PIN:challenge" keyed by the card's secret,
    dynamically truncated (RFC 4226 section 5.3) to 8 digits."""
    mac = hmac.new(_b32(card_secret), f"{pin}:{challenge}".encode(), hashlib.sha256).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**8:08d}"


def current_challenge(conn, session_id, device):
    return conn.execute(
        "SELECT * FROM challenges WHERE session_id = ? AND device_id = ? AND state = 'open'"
        " ORDER BY challenge_id DESC LIMIT 1", (session_id, device["device_id"])).fetchone()


def _spend(conn, challenge):
    """Mark a challenge used; False when another request spent it first."""
    cur = conn.execute("UPDATE challenges SET state = 'used' WHERE challenge_id = ? AND state = 'open'",
                       (challenge["challenge_id"],))
    return cur.rowcount == 1


# --- authenticator_app ------------------------------------------------------------------------

def verify_totp(conn, device, challenge, raw_code, now, target):
    """A step once accepted (or any earlier one) never is again, across sessions and restarts."""
    code = _digits(raw_code, 6)
    if code is None:
        return "invalid"
    totp = pyotp.TOTP(_config(device)["totp_secret"])
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


# --- ibkey and dsc_plus: a challenge on the page, a response from the device -------------------

def _verify_response(expected_of, length):
    def verify(conn, device, challenge, raw_code, now, target):
        if challenge is None:
            return "no_challenge"
        code = _digits(raw_code, length)
        if code is None or not hmac.compare_digest(expected_of(_config(device), challenge["challenge"]), code):
            return "invalid"
        with transaction(conn):
            return "ok" if _spend(conn, challenge) else "replayed"
    return verify


verify_ibkey = _verify_response(lambda c, ch: ibkey_response(c["ibkey_secret"], ch), 6)
verify_dsc = _verify_response(lambda c, ch: dsc_response(c["card_secret"], c["pin"], ch), 8)


def verify_push(conn, session_id, device):
    """The IB Key notification: approved on the phone (the test hook plays the phone) or not."""
    challenge = current_challenge(conn, session_id, device)
    if challenge is None or challenge["push"] is None:
        return "no_challenge"
    if challenge["push"] != "approved":
        return "push_" + challenge["push"]
    with transaction(conn):
        return "ok" if _spend(conn, challenge) else "replayed"


def answer_push(conn, username, decision):
    """Test hook: approve or deny the newest pending push to `username`'s IB Key. False if none."""
    with transaction(conn):
        row = conn.execute(
            "SELECT c.challenge_id FROM challenges c JOIN devices d ON d.device_id = c.device_id"
            " WHERE d.username = ? AND d.type = 'ibkey' AND c.state = 'open' AND c.push = 'pending'"
            " ORDER BY c.challenge_id DESC LIMIT 1", (username,)).fetchone()
        if row is None:
            return False
        conn.execute("UPDATE challenges SET push = ? WHERE challenge_id = ?",
                     ("approved" if decision == "approve" else "denied", row["challenge_id"]))
    return True


# --- sms ---------------------------------------------------------------------------------------

def verify_sms(conn, device, challenge, raw_code, now, target):
    code = _digits(raw_code, 6)
    if code is None:
        return "invalid"
    if challenge is None or not hmac.compare_digest(challenge["code_hash"] or "", _hash(code)):
        # A code that a resend replaced gets its own message: the person has two texts on the phone.
        old = conn.execute("SELECT 1 FROM challenges WHERE session_id = ? AND device_id = ? AND"
                           " state = 'superseded' AND code_hash = ?",
                           (challenge["session_id"] if challenge else "", device["device_id"], _hash(code))).fetchone()
        return "superseded" if old else ("invalid" if challenge else "no_challenge")
    if now - challenge["created_at"] > SMS_CODE_TTL:
        return "expired"
    with transaction(conn):
        return "ok" if _spend(conn, challenge) else "replayed"


# --- temporary_passcode (KB69) -----------------------------------------------------------------

def _latest_passcode(conn, username):
    return conn.execute("SELECT * FROM temporary_passcodes WHERE username = ? ORDER BY passcode_id DESC LIMIT 1",
                        (username,)).fetchone()


def verify_temporary(conn, device, challenge, raw_code, now, target):
    code = _typed(raw_code, rf"[A-Za-z]{{{TEMPORARY_LENGTH}}}")
    if code is None:
        return "invalid"
    code = code.upper()
    row = _latest_passcode(conn, device["username"])
    if row is None or not hmac.compare_digest(row["passcode_hash"], _hash(code)):
        return "invalid"
    reach = passcode_reach(row["issued_at"], now)
    if not reach:
        return "passcode_expired"
    if target == "trading" and "trading" not in reach:
        return "portal_only"
    return "ok"


def passcode_reach(issued_at, now):
    """KB69: the screens a temporary passcode issued at `issued_at` opens now: both for 2 days,
    then the Client Portal only for 10 more days, then none. The login and every later request
    of its session ask this (mock_portal/access.py)."""
    age = now - issued_at
    if age > TEMPORARY_PORTAL_SECONDS:
        return frozenset()
    if age > TEMPORARY_FULL_SECONDS:
        return frozenset({"portal"})
    return frozenset({"portal", "trading"})


def passcode_issued_at(conn, device):
    """When the temporary passcode a login just used was issued; None for any other device."""
    if device["type"] != "temporary_passcode":
        return None
    row = _latest_passcode(conn, device["username"])
    return row["issued_at"] if row else None


def issue_temporary_passcode(conn, username, now):
    """Test hook (the help desk): a new passcode for a user holding a temporary_passcode device.
    Not twice in a row: the user must have logged in with another device since the last one."""
    with transaction(conn):
        if conn.execute("SELECT 1 FROM devices WHERE username = ? AND type = 'temporary_passcode'",
                        (username,)).fetchone() is None:
            raise NotIssued(f"{username!r} has no temporary_passcode device")
        last = _latest_passcode(conn, username)
        if last is not None and not last["cleared"]:
            raise NotIssued("a temporary passcode is not issued twice in a row: "
                            "log in with another security device first")
        passcode = "".join(secrets.choice(TEMPORARY_LETTERS) for _ in range(TEMPORARY_LENGTH))
        conn.execute("INSERT INTO temporary_passcodes (username, passcode_hash, issued_at) VALUES (?, ?, ?)",
                     (username, _hash(passcode), now))
    return passcode


def note_login(conn, device):
    """After a successful login: another device's login allows the next temporary passcode."""
    if device["type"] != "temporary_passcode":
        conn.execute("UPDATE temporary_passcodes SET cleared = 1 WHERE username = ?", (device["username"],))


# --- security_code_card (the current revision, mock_portal/login/code_card.py) ---------------------

_verify_card_codes = _verify_response(code_card.expected, 2 * code_card.CODE_LENGTH)


def verify_card(conn, device, challenge, raw_code, now, target):
    if now > code_card.valid_until(_config(device)):
        return "card_expired"
    return _verify_card_codes(conn, device, challenge, raw_code, now, target)


# --- dispatch ----------------------------------------------------------------------------------

VERIFIERS = {
    "authenticator_app": verify_totp,
    "ibkey": verify_ibkey,
    "sms": verify_sms,
    "dsc_plus": verify_dsc,
    "temporary_passcode": verify_temporary,
    code_card.TYPE: verify_card,
}
# The types whose code step needs something issued first; `start` and resend make it.
CHALLENGED = {"ibkey", "sms", "dsc_plus", code_card.TYPE}


def start(conn, session_id, device, now, lang):
    """Open a new challenge for the session (the previous one is superseded): a challenge to show,
    an SMS to send, an IB Key notification to push."""
    if device["type"] not in CHALLENGED:
        return None
    fields = {"challenge": None, "code_hash": None, "push": None}
    if device["type"] in ("ibkey", "dsc_plus"):
        fields["challenge"] = f"{secrets.randbelow(10**6):06d}"
        fields["push"] = "pending" if device["type"] == "ibkey" else None
    elif device["type"] == code_card.TYPE:
        fields["challenge"] = code_card.new_challenge()
    else:
        code = f"{secrets.randbelow(10**6):06d}"
        fields["code_hash"] = _hash(code)
    with transaction(conn):
        conn.execute("UPDATE challenges SET state = 'superseded' WHERE session_id = ? AND device_id = ?"
                     " AND state = 'open'", (session_id, device["device_id"]))
        conn.execute("INSERT INTO challenges (session_id, device_id, challenge, code_hash, push, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     (session_id, device["device_id"], fields["challenge"], fields["code_hash"], fields["push"], now))
        if device["type"] == "sms":
            conn.execute("INSERT INTO sms_outbox (phone, body, code, at) VALUES (?, ?, ?, ?)",
                         (_config(device)["phone"], translate("sms.body", lang, code=code), code, now))
    return current_challenge(conn, session_id, device)


def verify(conn, session_id, device, raw_code, now, target="portal"):
    challenge = current_challenge(conn, session_id, device) if device["type"] in CHALLENGED else None
    return VERIFIERS[device["type"]](conn, device, challenge, raw_code, now, target)


def devices_of(conn, username):
    """The user's devices, with those another username shares with it (KB2481, shared_devices)."""
    return conn.execute("SELECT * FROM devices WHERE username = ? OR device_id IN"
                        " (SELECT device_id FROM shared_devices WHERE username = ?) ORDER BY device_id",
                        (username, username)).fetchall()


def chosen(conn, username, device_id):
    """The device a session chose (or the user's only one) and all the user's devices."""
    owned = devices_of(conn, username)
    for device in owned:
        if device["device_id"] == device_id:
            return device, owned
    return (owned[0] if len(owned) == 1 else None), owned


def last_digits(device, n=4):
    """What the device list shows of a phone number: its last digits only."""
    return re.sub(r"\D", "", _config(device).get("phone", ""))[-n:]


def name(device):
    """The device as the pickers and lists name it, in the current language (a phone by its
    last digits): the seed's combobox, today's picker, the current revision's device list."""
    if device["type"] == "sms":
        return translate("device.name.sms", last4=last_digits(device))
    return translate(f"device.name.{device['type']}")
