"""Users for the Flask-level tests of the article's references (withdrawal limits, sharing one
device, a replacement DSC+, a return), and how one of them logs in with the device of their choice.
Beside portal_client.SCENARIO, which other suites know as it is."""
import re

import pyotp

from flows.devices import DigitalSecurityCard, IBKey, read_challenge
from portal_client import text

TOTP = {"olga": "ONSWG4TFOQYTEMZUGU3DOOBZGAYTEMZU", "walt": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "pia": "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U", "ken": "NB2W45DFOIZA4ZLMOVZ3A2LTMJSW4ZLSEZ4HS7I5",
        "kei": "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ", "lee": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}
IBKEY = "OBQXG43XN5ZGIMJSGM2DKNRXHA4TAMJS"
CARD = {"secret": "MZXW6YTBOI2DGNBVGY3TQOJQGEZDGNBV", "pin": "2468"}
SAME_PERSON = {"birth_date": "1980-04-01", "citizenship": "JP", "residence": "JP", "id_number": "passport TZ1234567"}
ADDRESS = {"street": "1-2-3 Ginza", "city": "Tokyo", "postal_code": "104-0061", "country": "JP"}


def _totp(name):
    return {"type": "authenticator_app", "totp_secret": TOTP[name]}


def _user(username, account, locale, opted_out, devices, **more):
    return {"username": username, "password": f"{username} pass", "account_id": account, "primary": True,
            "locale": locale, "sls_opted_out": opted_out, "devices": devices, **more}


# olga: opted out (ja), an authenticator app, USD 300,000 of equity.
# walt: enrolled (en), an authenticator app and IB Key, USD 3,000,000; his DSC+ requests are eligible.
# pia: enrolled (en), an authenticator app and a Digital Security Card+ from the scenario, USD 50,000.
# ken / kei: the same person's two usernames of two accounts (identical identity), authenticator apps;
#            ken is of the current revision and opted out. lee: someone else (another identity).
USERS = [
    _user("olga", "U4000001", "ja", True, [_totp("olga")], equity_usd=300_000),
    _user("walt", "U4000002", "en", False, [_totp("walt"), {"type": "ibkey", "ibkey_secret": IBKEY}],
          equity_usd=3_000_000, shipping_address=ADDRESS, portal_revision="current"),
    _user("pia", "U4000003", "en", False, [_totp("pia"), {"type": "dsc_plus", "card_secret": CARD["secret"],
                                                          "pin": CARD["pin"]}], equity_usd=50_000),
    _user("ken", "U4000004", "en", True, [_totp("ken")], identity=SAME_PERSON, portal_revision="current"),
    _user("kei", "U4000005", "en", False, [_totp("kei")], identity=SAME_PERSON),
    _user("lee", "U4000006", "en", False, [_totp("lee")],
          identity={**SAME_PERSON, "birth_date": "1975-12-24", "id_number": "passport XY7654321"}),
]
BY_NAME = {u["username"]: u for u in USERS}
DEVICE_OPTION = re.compile(r'<option value="([0-9]+)" data-device-type="([a-z_]+)"')


def answer(username, kind, html, clock):
    """What `username`'s device of `kind` answers to a page showing `html`."""
    if kind == "authenticator_app":
        return pyotp.TOTP(TOTP[username]).at(clock.now())
    if kind == "ibkey":
        return IBKey(IBKEY).response(read_challenge(html))
    if kind == "dsc_plus":
        return DigitalSecurityCard(CARD["secret"], CARD["pin"]).response(read_challenge(html))
    raise ValueError(kind)


def log_in(visitor, username, kind="authenticator_app", target="portal"):
    """Password, then the device of `kind` (chosen first when the user has several); the landing page."""
    clock = visitor.clock
    clock.advance(30)  # a TOTP step of its own: none is accepted twice
    visitor.get(f"/sso/login?target={target}")
    response = visitor.post("/sso/login", {"username": username, "password": BY_NAME[username]["password"],
                                           "target": target})
    assert response.status_code == 303, text(response)
    page = text(visitor.get("/sso/login/code"))
    options = dict((kind_, value) for value, kind_ in DEVICE_OPTION.findall(page))
    if options:
        page = text(visitor.post("/sso/login/device", {"device": options[kind]}, follow_redirects=True))
    response = visitor.post("/sso/login/code", {"code": answer(username, kind, page, clock)})
    assert response.status_code == 303, text(response)
    return visitor.get(response.headers["Location"], follow_redirects=True)


def device_id(conn, username, kind):
    return conn.execute("SELECT device_id FROM devices WHERE username = ? AND type = ? ORDER BY device_id DESC",
                        (username, kind)).fetchone()[0]
