"""Today's login page (LOGIN_PAGE 'current'): one page whose blocks (`.xyzblock`) script
shows and hides as the server answers, as the brokerage's live page and the Client Portal
Gateway's do (what is known of it, and where from: docs/gateway.md).

The page's script posts the same forms as the seed's two screens, to the same routes, asking for
JSON (`Accept: application/json`): every rule of the login (lockout, replay, drift, CSRF and origin,
rights by factors, KB69) is the seed's, in one place (mock_portal/login/routes.py); only the answer's form
differs. An answer names the block to show next:

    {"step": "username" | "choose" | "silver" | "notification" | "gold" | "temp" | "bronze" | "mobile"
             | "promo" | "done",
     "csrf_token": ..., "error": text, "notice": text, "devices": [{"value", "label"}],
     "prompt": text, "challenge": text, "resend": bool, "redirect": path}

Which page a visitor meets: their own choice (the `slskit_login_page` cookie, which the pytest
plugin's fixtures set per test), else the scenario's (`"login_page"`), else the server's
(`--login-page`; `slskit serve --gateway` defaults to 'current').
"""
from flask import current_app, g, jsonify, request

from ..i18n import translate
from . import devices

PAGES = ("seed", "current")
COOKIE = "slskit_login_page"
TEMPLATES = {"seed": "login/seed.html", "current": "login/today.html"}

# The device picker's option values. "IB Key" 5.2a and "Mobile Authenticator App" 4 are seen on the
# live page; the others are the second-factor type codes the login protocol uses for those devices
# (SMS 4.2, DSC+ 5.1, SSC 3, TSC 6: docs/gateway.md, "The device picker").
DEVICE_VALUES = {
    "ibkey": "5.2a",
    "authenticator_app": "4",
    "sms": "4.2",
    "dsc_plus": "5.1",
    "security_code_card": "3",
    "temporary_passcode": "6",
}
# The code block each device type answers in: silver (a typed code), notification (IB Key's push,
# with its challenge/response in gold), gold (a challenge and its response), temp, bronze (card).
BLOCKS = {
    "authenticator_app": "silver",
    "sms": "silver",
    "ibkey": "notification",
    "dsc_plus": "gold",
    "temporary_passcode": "temp",
    "security_code_card": "bronze",
}


def setting(conn):
    """The scenario's choice, if it made one (portal_settings)."""
    row = conn.execute("SELECT value FROM portal_settings WHERE key = 'login_page'").fetchone()
    return row["value"] if row else None


def choice(conn):
    """Which login page this visitor meets: 'seed' or 'current'."""
    asked = request.cookies.get(COOKIE)
    if asked in PAGES:
        return asked
    return setting(conn) or current_app.config["LOGIN_PAGE"]


def template(conn):
    return TEMPLATES[choice(conn)]


def wants_json():
    """The page's script asks for JSON; a form posted without script (or the seed's) gets HTML."""
    return request.accept_mimetypes.best == "application/json"


def device_values(owned):
    """(value, device) for the picker: its type's value, and for a second device of the same
    type (two phones) the value with "#2", so each can be chosen."""
    seen, values = {}, []
    for device in owned:
        value = DEVICE_VALUES[device["type"]]
        seen[value] = seen.get(value, 0) + 1
        values.append((value if seen[value] == 1 else f"{value}#{seen[value]}", device))
    return values


def device_by_value(owned, raw):
    """The user's device that a picker value names, or None."""
    return next((d for value, d in device_values(owned) if value == raw), None)


def answer(step, status=200, error=None, notice=None, **fields):
    """A JSON answer of the page's script: the block to show, the session's CSRF token (a login
    step rotates the session, and with it the token) and the messages in the user's language."""
    body = {"step": step, "csrf_token": g.session["csrf_token"] if g.get("session") is not None else None,
            **fields}
    if error:
        body["error"] = translate(error)
    if notice:
        body["notice"] = translate(notice)
    return jsonify(body), status


def code_step(device, owned, challenge, status=200, error=None, notice=None):
    """The answer for the code step: the device picker while none is chosen, else its block."""
    if device is None:
        return answer("choose", status, error, notice,
                      devices=[{"value": value, "label": devices.name(d)} for value, d in device_values(owned)])
    block = BLOCKS[device["type"]]
    fields = {"prompt": translate(f"second.prompt.{'ibkey_push' if block == 'notification' else device['type']}"),
              "resend": device["type"] == "sms"}
    if challenge is not None and challenge["challenge"]:
        fields["challenge"] = challenge["challenge"]
    return answer(block, status, error, notice, **fields)
