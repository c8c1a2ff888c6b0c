"""The current revision's enrollment in the Secure Login System: three choices, each to its end.

    ibkr_mobile          OK → activation screen (QR code, activation code) → IB Key activated
                         in IBKR Mobile (the test hook plays the phone) → enrolled with an ibkey
    without_ibkr_mobile  OK → Online Security Code Card (print/save, 21 days) → the next login
                         asks for codes by index → enrolled with the card
    other_username       OK → log in with the other username and its device → that device now
                         serves both usernames (KB2481) → enrolled

Continue opens a confirmation through sls.start_change, so the seed's rules hold here too (the
primary user only, nothing changes before OK, audited refusals); OK makes the enrollment
'pending' and only its end state clears `sls_opted_out`, with an audit row and a message.
"""
import base64
import json
import secrets

from .. import funds, limits, sls, users
from ..clock import now
from ..db import transaction
from ..login import code_card
from ..login.devices import devices_of, passcode_issued_at, passcode_reach

CHOICES = ("ibkr_mobile", "without_ibkr_mobile", "other_username")
PATH = "current"                # the audit log's path for this revision's screens
SCREEN = "current.secure_login"  # the one screen that shows and answers its confirmations
ACTIVATION_CODE_LENGTH = 8
# IBKR shares these between usernames (KB2481); a card or a temporary passcode stays its user's.
SHAREABLE = ("authenticator_app", "ibkey", "sms", "dsc_plus")


def start(conn, session_id, actor, choice):
    """Continue: the seed's rules for a change, then the choice recorded beside the confirmation."""
    cid = sls.start_change(conn, session_id, actor, actor["username"], new_opted_out=False, path=PATH,
                           screen=SCREEN)
    with transaction(conn):
        conn.execute("INSERT INTO enrollments (confirmation_id, username, choice, created_at) VALUES (?, ?, ?, ?)",
                     (cid, actor["username"], choice, now()))
    return cid


def of_confirmation(conn, confirmation_id):
    return conn.execute("SELECT * FROM enrollments WHERE confirmation_id = ?", (confirmation_id,)).fetchone()


def _spend(conn, session_id, actor, confirmation_id, expected_target, state):
    """Answer this revision's confirmation (OK: 'pending', Cancel: 'cancelled'); refusals audited."""
    def answer():
        with transaction(conn):
            sls._answerable(conn, session_id, actor, confirmation_id, expected_target, False, SCREEN)
            enrollment = of_confirmation(conn, confirmation_id)
            conn.execute("UPDATE confirmations SET state = ? WHERE confirmation_id = ?",
                         ("done" if state == "pending" else "cancelled", confirmation_id))
            if state == "pending":
                _supersede(conn, actor["username"])
                _prepare(conn, enrollment)
            conn.execute("UPDATE enrollments SET state = ? WHERE confirmation_id = ?", (state, confirmation_id))
        return of_confirmation(conn, confirmation_id)
    return sls._audited(conn, actor, PATH, answer)


def confirm(conn, session_id, actor, confirmation_id, expected_target=None):
    """OK: the enrollment waits for its end state; the card is issued, the activation code made."""
    return _spend(conn, session_id, actor, confirmation_id, expected_target, "pending")


def cancel(conn, session_id, actor, confirmation_id, expected_target=None):
    return _spend(conn, session_id, actor, confirmation_id, expected_target, "cancelled")


def _supersede(conn, username):
    """A new choice replaces an unfinished one; a card never used goes with it."""
    for old in conn.execute("SELECT * FROM enrollments WHERE username = ? AND state = 'pending'", (username,)):
        if old["device_id"] is not None:
            conn.execute("DELETE FROM devices WHERE device_id = ?", (old["device_id"],))
    conn.execute("UPDATE enrollments SET state = 'cancelled' WHERE username = ? AND state = 'pending'", (username,))
    conn.execute("DELETE FROM sharing_requests WHERE username = ? AND state = 'review'", (username,))


def _prepare(conn, enrollment):
    if enrollment["choice"] == "ibkr_mobile":
        code = "".join(secrets.choice("0123456789") for _ in range(ACTIVATION_CODE_LENGTH))
        conn.execute("UPDATE enrollments SET activation_code = ? WHERE confirmation_id = ?",
                     (code, enrollment["confirmation_id"]))
    elif enrollment["choice"] == "without_ibkr_mobile":
        device_id = issue_card(conn, enrollment["username"])
        conn.execute("UPDATE enrollments SET device_id = ? WHERE confirmation_id = ?",
                     (device_id, enrollment["confirmation_id"]))


def issue_card(conn, username):
    """A new Online Security Code Card for `username` (inside the caller's transaction)."""
    config = code_card.new_card(now())
    return conn.execute("INSERT INTO devices (username, type, config) VALUES (?, ?, ?)",
                        (username, code_card.TYPE, json.dumps(config))).lastrowid


def pending(conn, username, choice=None):
    """The user's enrollment waiting for its end state (of `choice`, when given), or None."""
    row = conn.execute("SELECT * FROM enrollments WHERE username = ? AND state = 'pending'"
                       " ORDER BY created_at DESC LIMIT 1", (username,)).fetchone()
    return row if row is not None and choice in (None, row["choice"]) else None


def _complete(conn, enrollment):
    """The end state: the user is enrolled (audited, with a message), the enrollment done."""
    conn.execute("UPDATE enrollments SET state = 'done', done_at = ? WHERE confirmation_id = ?",
                 (now(), enrollment["confirmation_id"]))
    user = users.find(conn, enrollment["username"])
    if user["sls_opted_out"]:
        conn.execute("UPDATE users SET sls_opted_out = 0 WHERE username = ?", (user["username"],))
        sls._audit(conn, user["username"], user["username"], "opted_out", "enrolled", PATH, "changed")
        sls._message(conn, user["username"], "message.sls_enrolled",
                     target=user["username"], actor=user["username"])


# --- ibkr_mobile: the phone activates IB Key ---------------------------------------------------

def activation_payload(enrollment):
    """What the QR code carries: the activation code for this username."""
    return f"ibkey-activate:{enrollment['username']}:{enrollment['activation_code']}"


def activate_ibkey(conn, activation_code):
    """IBKR Mobile activates IB Key with the code it scanned or was given: a new ibkey device for
    the enrolling user, who is enrolled. Returns (username, ibkey_secret), or None for a code
    no pending enrollment shows."""
    with transaction(conn):
        enrollment = conn.execute("SELECT * FROM enrollments WHERE choice = 'ibkr_mobile' AND state = 'pending'"
                                  " AND activation_code = ?", (str(activation_code)[:limits.ID],)).fetchone()
        if enrollment is None:
            return None
        secret = base64.b32encode(secrets.token_bytes(20)).decode()
        device_id = conn.execute("INSERT INTO devices (username, type, config) VALUES (?, 'ibkey', ?)",
                                 (enrollment["username"], json.dumps({"type": "ibkey", "ibkey_secret": secret}))
                                 ).lastrowid
        conn.execute("UPDATE enrollments SET device_id = ? WHERE confirmation_id = ?",
                     (device_id, enrollment["confirmation_id"]))
        _complete(conn, enrollment)
    return enrollment["username"], secret


# --- without_ibkr_mobile: the first login with the card ----------------------------------------

def card_owed(conn, username):
    """The card of a pending enrollment: the next login asks for it, not for the old device."""
    enrollment = pending(conn, username, "without_ibkr_mobile")
    if enrollment is None or enrollment["device_id"] is None:
        return None
    return conn.execute("SELECT * FROM devices WHERE device_id = ?", (enrollment["device_id"],)).fetchone()


def note_login(conn, device):
    """After a code step that `device` passed: a pending enrollment's card has now been used."""
    if device["type"] != code_card.TYPE:
        return
    with transaction(conn):
        enrollment = conn.execute("SELECT * FROM enrollments WHERE device_id = ? AND state = 'pending'",
                                  (device["device_id"],)).fetchone()
        if enrollment is not None:
            _complete(conn, enrollment)


def card_of(conn, username):
    """The user's newest code card, or None."""
    return conn.execute("SELECT * FROM devices WHERE username = ? AND type = ? ORDER BY device_id DESC LIMIT 1",
                        (username, code_card.TYPE)).fetchone()


# --- other_username: the device of another username serves this one too ------------------------

def shareable_devices(conn, username):
    return [d for d in devices_of(conn, username) if d["type"] in SHAREABLE]


def link(conn, enrollment, device):
    """The login under the other username passed with `device`: it now serves the enrolling user."""
    with transaction(conn):
        _link(conn, enrollment, device)


def _link(conn, enrollment, device):
    conn.execute("INSERT OR IGNORE INTO shared_devices (device_id, username) VALUES (?, ?)",
                 (device["device_id"], enrollment["username"]))
    current = conn.execute("SELECT state FROM enrollments WHERE confirmation_id = ?",
                           (enrollment["confirmation_id"],)).fetchone()
    if current["state"] == "pending":
        _complete(conn, enrollment)


# --- KB2481's three conditions on sharing one device between usernames ---------------------------
#
#   (a) the usernames are one entity's (the same account), or their people's identification data
#       are the same (the scenario's `identity`);
#   (b) no username involved has a temporary device (a temporary passcode still valid, an Online
#       Security Code Card);
#   (c) the device shared is at least as protective as every other device involved (KB1131's
#       limits rank them, funds.protection).
#
# Each refusal has its own message and audit reason. A username whose scenario entry says
# `sharing_review` has its requests wait for compliance review (a test hook decides them).

TEMPORARY = ("temporary_passcode", "security_code_card")


class SharingRefused(Exception):
    """A KB2481 condition the request fails: the catalog key, its parameters, the audit reason."""

    def __init__(self, key, reason, **params):
        super().__init__(key)
        self.key, self.reason, self.params = key, reason, params


def profile(conn, username):
    return conn.execute("SELECT * FROM user_profiles WHERE username = ?", (username,)).fetchone()


def identity_of(conn, username):
    row = profile(conn, username)
    return json.loads(row["identity"]) if row is not None and row["identity"] else None


def same_person(conn, username, other):
    """(a): one account is one entity; across accounts the identification data must match. A
    scenario that gives neither username an identity does not say who they are: taken as one
    person, as before the condition was checked (docs/devices.md)."""
    if users.find(conn, username)["account_id"] == users.find(conn, other)["account_id"]:
        return True
    mine, theirs = identity_of(conn, username), identity_of(conn, other)
    return mine == theirs


def _temporary_device(conn, username, at):
    """A temporary device `username` holds now: an Online Security Code Card, or a temporary
    passcode issued and still valid (KB69). None otherwise."""
    for device in devices_of(conn, username):
        if device["type"] == code_card.TYPE:
            return device
        issued = passcode_issued_at(conn, device)  # None unless a temporary passcode
        if issued is not None and passcode_reach(issued, at):
            return device
    return None


def sharing_problem(conn, username, other, device=None, at=None):
    """Raise SharingRefused for the first KB2481 condition that `username` asking to share `other`'s
    `device` fails ((c) only once the device is known)."""
    at = now() if at is None else at
    if not same_person(conn, username, other):
        raise SharingRefused("error.sharing_not_same_person", "not_same_person", username=username, other=other)
    for holder in (username, other):
        if _temporary_device(conn, holder, at) is not None:
            raise SharingRefused("error.sharing_temporary_device", "temporary_device", holder=holder)
    if device is None:
        return
    for holder in (username, other):
        for mine in devices_of(conn, holder):
            if mine["device_id"] != device["device_id"] and mine["type"] not in TEMPORARY \
                    and funds.protection(mine["type"]) > funds.protection(device["type"]):
                raise SharingRefused("error.sharing_less_secure_device", "less_secure_device",
                                     device=device, stronger=mine, holder=holder)


def needs_review(conn, *usernames):
    return any((row := profile(conn, u)) is not None and row["sharing_review"] for u in usernames)


def ask_review(conn, enrollment, device):
    """The request waits for compliance review; the enrollment stays pending until it is decided."""
    with transaction(conn):
        if in_review(conn, enrollment["username"]) is None:
            conn.execute("INSERT INTO sharing_requests (confirmation_id, username, device_id, created_at)"
                         " VALUES (?, ?, ?, ?)", (enrollment["confirmation_id"], enrollment["username"],
                                                  device["device_id"], now()))


def in_review(conn, username):
    """`username`'s request waiting for review, or None."""
    return conn.execute("SELECT * FROM sharing_requests WHERE username = ? AND state = 'review'"
                        " ORDER BY request_id DESC LIMIT 1", (username,)).fetchone()


def decide_review(conn, username, decision, at):
    """Compliance decides `username`'s waiting request ('approve' or 'decline'): the conditions are
    checked again, as things may have changed since. Returns the request decided, or None when
    none waits; raises SharingRefused (nothing decided) when an approval fails a condition."""
    with transaction(conn):
        request = in_review(conn, username)
        if request is None:
            return None
        enrollment = of_confirmation(conn, request["confirmation_id"])
        device = conn.execute("SELECT * FROM devices WHERE device_id = ?", (request["device_id"],)).fetchone()
        if decision == "approve":
            sharing_problem(conn, username, enrollment["link_username"], device, at)
            _link(conn, enrollment, device)
        elif enrollment["state"] == "pending":
            conn.execute("UPDATE enrollments SET state = 'cancelled' WHERE confirmation_id = ?",
                         (enrollment["confirmation_id"],))
        state = "approved" if decision == "approve" else "declined"
        conn.execute("UPDATE sharing_requests SET state = ?, decided_at = ? WHERE request_id = ?",
                     (state, at, request["request_id"]))
        sls._message(conn, username, f"message.sharing_{state}", owner=enrollment["link_username"])
    return request


def holders(conn, device):
    """Every username a device serves: its first holder, then those it is shared with."""
    return [device["username"]] + [r["username"] for r in conn.execute(
        "SELECT username FROM shared_devices WHERE device_id = ? ORDER BY username", (device["device_id"],))]


class LastDevice(Exception):
    """A user keeps at least one device."""


def remove_device(conn, username, device_id):
    """Stop `device_id` serving `username`; the other usernames it serves keep it. False when the
    user holds no such device; LastDevice when it is the user's only one."""
    with transaction(conn):
        owned = devices_of(conn, username)
        device = next((d for d in owned if d["device_id"] == device_id), None)
        if device is None:
            return False
        if len(owned) == 1:
            raise LastDevice()
        if device["username"] != username:
            conn.execute("DELETE FROM shared_devices WHERE device_id = ? AND username = ?", (device_id, username))
            return True
        heir = conn.execute("SELECT username FROM shared_devices WHERE device_id = ? ORDER BY username LIMIT 1",
                            (device_id,)).fetchone()
        if heir is None:
            conn.execute("DELETE FROM devices WHERE device_id = ?", (device_id,))
        else:  # the first holder leaves: the device stays with the next username it serves
            conn.execute("UPDATE devices SET username = ? WHERE device_id = ?", (heir["username"], device_id))
            conn.execute("DELETE FROM shared_devices WHERE device_id = ? AND username = ?",
                         (device_id, heir["username"]))
    return True
