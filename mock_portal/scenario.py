"""The scenario file: validated as a whole, then written in one transaction.

The CLI (`slskit serve --scenario`), the first start of a new database, the test-only reset
hook and the pytest fixtures all go through `validate` and `replace`/`add_users` here.
`validate` returns the one representation every later reader sees (a secret written in groups
or lower case is stored as one upper-case run); what could not work at login is refused here,
with one line naming the entry.
"""
import base64
import binascii
import json
import math
import re
import secrets
import unicodedata
from importlib import resources

from werkzeug.security import generate_password_hash

from . import funds, limits, timing
from .db import transaction

USERNAME = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{limits.USERNAME - 1}}}$")
ACCOUNT_ID = re.compile(r"^[A-Z]{1,2}[0-9]{4,10}$")
# A paper account's id: DU and digits (the contract; a third letter, "DUE...", is seen too: Voyz/ibind#61).
PAPER_ACCOUNT_ID = re.compile(r"^DU[A-Z]?[0-9]{4,10}$")
USER_KEYS = {"username": str, "password": str, "account_id": str, "primary": bool,
             "locale": str, "sls_opted_out": bool, "devices": list}
# Which revision of the article a user's portal follows: the seed revision or the current one.
# Optional, per user or once at the top level for every user of the file.
PORTAL_REVISIONS = ("seed", "current")
# What the article's references need of a user, all optional (docs/devices.md, "The article's
# references"): KB2481's identification data, the account's equity (KB1943's DSC+ eligibility, what
# may be withdrawn; one account, one figure), where a device is shipped, and whether this username's
# requests to share a device wait for compliance review.
IDENTITY_KEYS = ("birth_date", "citizenship", "residence", "id_number")
ADDRESS_KEYS = ("street", "city", "postal_code", "country")
COUNTRY = re.compile(r"^[A-Z]{2}$")  # ISO 3166-1 alpha-2, as an ID document writes it
OPTIONAL_USER_KEYS = ("portal_revision", "identity", "equity_usd", "shipping_address", "sharing_review")
MAX_EQUITY_USD = 10**15  # what a cent count keeps exactly (mock_portal/funds.py)
# The login page every visitor meets, once at the top level: the seed revision's two screens or
# today's one page (mock_portal/login/todays_page.py). Without it, the server's --login-page.
LOGIN_PAGES = ("seed", "current")
# A user's paper trading account, optional: its own credentials and DU account id (the contract).
PAPER_KEYS = ("username", "password", "account_id")
# What a user's logins meet besides the password and the device, each optional (docs/gateway.md):
# the brokerage session after a gateway login, the screens of today's login page, the daily reset's
# region. The default is the first value.
LOGIN_OPTIONS = {
    "brokerage_session": ("up", "not_up", "no_session"),
    "ibkey_promotion": (False, True),
    "mobile_approval": (False, True),
    "reset_region": ("north_america", "europe", "asia_pacific"),
}


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; the message names the entry and the problem."""


# Each field check returns (the value as stored, None) or (None, the problem).

def _base32_secret(value):
    """Base32 of 128 bits or more. Groups, lower case and padding are how secrets get written
    down; stored as one upper-case run without padding, the form every verifier reads."""
    if not isinstance(value, str):
        return None, "must be a base32 string"
    cleaned = "".join(value.split()).upper().rstrip("=")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        return None, "is not valid base32"
    if len(raw) < 16:
        return None, "must hold at least 128 bits (26 or more base32 characters)"
    return cleaned, None


def _phone(value):
    if not isinstance(value, str) or not re.fullmatch(r"\+?[0-9][0-9 -]{6,19}", value):
        return None, "must be a phone number such as '+81 90-1234-5678'"
    return value, None  # kept as written: the phone's test hook is asked with the same string


def _pin(value):
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4,8}", value):
        return None, "must be a string of 4 to 8 digits"
    return value, None


def _identity(value):
    """KB2481's identification data: birth date, citizenship, country of legal residence, and the
    ID document (its type and number, or a tax number) as one string."""
    if not isinstance(value, dict):
        return None, "must be an object with " + ", ".join(IDENTITY_KEYS)
    unknown = sorted(set(value) - set(IDENTITY_KEYS))
    if unknown:
        return None, f"unknown key {unknown[0]!r} (known: {', '.join(IDENTITY_KEYS)})"
    missing = [k for k in IDENTITY_KEYS if k not in value]
    if missing:
        return None, f"missing {missing[0]!r}"
    if not isinstance(value["birth_date"], str) or not re.fullmatch(r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
                                                                    value["birth_date"]):
        return None, "birth_date must be a date such as '1980-04-01'"
    for key in ("citizenship", "residence"):
        if not isinstance(value[key], str) or not COUNTRY.match(value[key]):
            return None, f"{key} must be a two-letter country code such as 'JP'"
    if not isinstance(value["id_number"], str) or not 1 <= len(value["id_number"].strip()) <= limits.ID:
        return None, f"id_number must be a string of 1-{limits.ID} characters"
    return {**value, "id_number": " ".join(value["id_number"].split())}, None


def _address(value):
    if not isinstance(value, dict):
        return None, "must be an object with " + ", ".join(ADDRESS_KEYS)
    unknown = sorted(set(value) - set(ADDRESS_KEYS))
    if unknown:
        return None, f"unknown key {unknown[0]!r} (known: {', '.join(ADDRESS_KEYS)})"
    for key in ADDRESS_KEYS:
        if not isinstance(value.get(key), str) or not value[key].strip() or len(value[key]) > limits.ADDRESS_FIELD:
            return None, f"{key} must be a string of 1-{limits.ADDRESS_FIELD} characters"
    if not COUNTRY.match(value["country"]):
        return None, "country must be a two-letter country code such as 'JP'"
    return {k: " ".join(value[k].split()) for k in ADDRESS_KEYS}, None


def _equity(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= MAX_EQUITY_USD or abs(value * 100 - round(value * 100)) > 1e-6:
        return None, f"must be a number of US dollars from 0 to {MAX_EQUITY_USD} with at most two decimals"
    return value, None  # in US dollars, as written: validating twice (a file, then replace) changes nothing


def _sharing_review(value):
    return (value, None) if isinstance(value, bool) else (None, "must be a boolean")


OPTIONAL_CHECKS = {"identity": _identity, "shipping_address": _address, "equity_usd": _equity,
                   "sharing_review": _sharing_review}


def _password(value):
    """What a person can type into the login form's password field, and the form keeps whole."""
    if not value:
        return None, "must not be empty"
    if len(value) > limits.FIELD:
        return None, f"must be at most {limits.FIELD} characters (the login form keeps no more)"
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        return None, "must not contain control characters (a person cannot type them into the form)"
    return value, None


# Each device type: its required fields and their checks (docs/devices.md). New types add a row here.
DEVICE_TYPES = {
    "authenticator_app": {"totp_secret": _base32_secret},
    "ibkey": {"ibkey_secret": _base32_secret},
    "sms": {"phone": _phone},
    "dsc_plus": {"card_secret": _base32_secret, "pin": _pin},
    "temporary_passcode": {},  # the passcode itself is issued later, through the test hook
}


def _device_errors(where, device, stored):
    """The device entry's problems; its stored form goes into `stored`."""
    if not isinstance(device, dict):
        yield f"{where}: must be an object"
        return
    kind = device.get("type")
    if not isinstance(kind, str) or kind not in DEVICE_TYPES:
        yield f"{where}.type: unknown device type {kind!r} (known: {', '.join(DEVICE_TYPES)})"
        return
    fields = DEVICE_TYPES[kind]
    for key in device:
        if key != "type" and key not in fields:
            yield f"{where}: unknown key {key!r}"
    stored["type"] = kind
    for key, check in fields.items():
        if key not in device:
            yield f"{where}: missing {key!r}"
            continue
        stored[key], problem = check(device[key])
        if problem:
            yield f"{where}.{key}: {problem}"


def _user_errors(where, user, stored):
    """The user entry's problems; its stored form (devices included) goes into `stored`."""
    if not isinstance(user, dict):
        yield f"{where}: must be an object"
        return
    for key in user:
        if key not in USER_KEYS and key not in OPTIONAL_USER_KEYS and key != "paper" and key not in LOGIN_OPTIONS:
            yield f"{where}: unknown key {key!r}"
    if "portal_revision" in user and user["portal_revision"] not in PORTAL_REVISIONS:
        yield f"{where}.portal_revision: must be 'seed' or 'current'"
    for key, kind in USER_KEYS.items():
        if key not in user:
            yield f"{where}: missing {key!r}"
        elif not isinstance(user[key], kind):
            yield f"{where}.{key}: must be a {'boolean' if kind is bool else kind.__name__}"
    if isinstance(user.get("username"), str) and not USERNAME.match(user["username"]):
        yield f"{where}.username: must be 1-64 letters, digits, '.', '_' or '-'"
    if isinstance(user.get("password"), str) and (problem := _password(user["password"])[1]):
        yield f"{where}.password: {problem}"
    if isinstance(user.get("account_id"), str) and not ACCOUNT_ID.match(user["account_id"]):
        yield f"{where}.account_id: must look like U1234567"
    if user.get("locale") not in (None, "ja", "en") and isinstance(user.get("locale"), str):
        yield f"{where}.locale: must be 'ja' or 'en'"
    yield from option_errors(where, user)
    stored.update(user)
    if "paper" in user:
        stored["paper"] = {}
        yield from _paper_errors(f"{where}.paper", user["paper"], stored["paper"])
    for key, check in OPTIONAL_CHECKS.items():
        if key in user:
            stored[key], problem = check(user[key])
            if problem:
                yield f"{where}.{key}: {problem}"
    if isinstance(user.get("devices"), list):
        if not user["devices"]:
            yield f"{where}.devices: a user needs at least one security device"
        stored["devices"] = [{} for _ in user["devices"]]
        for j, device in enumerate(user["devices"]):
            yield from _device_errors(f"{where}.devices[{j}]", device, stored["devices"][j])


def option_errors(where, entry):
    """The problems of the login options `entry` gives (the scenario's user, the test hook's body)."""
    for key, values in LOGIN_OPTIONS.items():
        if key in entry and (entry[key] not in values or type(entry[key]) is not type(values[0])):
            yield f"{where}.{key}: must be {_one_of(values)}"


def _one_of(values):
    shown = [json.dumps(v) for v in values]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _paper_errors(where, paper, stored):
    """The paper account's problems; its stored form goes into `stored`."""
    if not isinstance(paper, dict):
        yield f"{where}: must be an object with username, password and account_id"
        return
    for key in paper:
        if key not in PAPER_KEYS:
            yield f"{where}: unknown key {key!r}"
    for key in PAPER_KEYS:
        if key not in paper:
            yield f"{where}: missing {key!r}"
        elif not isinstance(paper[key], str):
            yield f"{where}.{key}: must be a str"
    stored.update(paper)
    if isinstance(paper.get("username"), str) and not USERNAME.match(paper["username"]):
        yield f"{where}.username: must be 1-64 letters, digits, '.', '_' or '-'"
    if isinstance(paper.get("password"), str) and (problem := _password(paper["password"])[1]):
        yield f"{where}.password: {problem}"
    if isinstance(paper.get("account_id"), str) and not PAPER_ACCOUNT_ID.match(paper["account_id"]):
        yield f"{where}.account_id: must look like DU1234567 (a paper account's id starts with DU)"


def validate(scenario, existing=()):
    """The scenario as it is stored, or ScenarioError naming the first problem; `existing` are
    users already stored."""
    if not isinstance(scenario, dict):
        raise ScenarioError("the top level must be an object with a 'users' list")
    for key in scenario:
        if key not in ("users", "portal_revision", "login_page"):
            raise ScenarioError(f"unknown key {key!r} at the top level")
    if "portal_revision" in scenario and scenario["portal_revision"] not in PORTAL_REVISIONS:
        raise ScenarioError("portal_revision: must be 'seed' or 'current'")
    if "login_page" in scenario and scenario["login_page"] not in LOGIN_PAGES:
        raise ScenarioError("login_page: must be 'seed' or 'current'")
    users = scenario.get("users")
    if not isinstance(users, list):
        raise ScenarioError("'users' must be a list")
    users = [{} for _ in users]
    for i, user in enumerate(scenario["users"]):
        for problem in _user_errors(f"users[{i}]", user, users[i]):
            raise ScenarioError(problem)
    # Usernames are unique among all of them, live and paper (the contract).
    seen = {u["username"] for u in existing} | {u["paper_username"] for u in existing if u.get("paper_username")}
    paper_accounts = {u["paper_account_id"]: u["account_id"] for u in existing if u.get("paper_account_id")}
    primaries = {}
    for u in existing:
        if u["primary"]:
            primaries[u["account_id"]] = u["username"]
    for i, user in enumerate(users):
        for where, name in ((f"users[{i}].username", user["username"]),
                            (f"users[{i}].paper.username", user.get("paper", {}).get("username"))):
            if name is None:
                continue
            if name in seen:
                raise ScenarioError(f"{where}: {name!r} appears twice (live and paper usernames are one namespace)")
            seen.add(name)
        if "paper" in user:
            # One paper account belongs to one live account: its users may share it, no one else.
            paper_id = user["paper"]["account_id"]
            if paper_accounts.setdefault(paper_id, user["account_id"]) != user["account_id"]:
                raise ScenarioError(f"users[{i}].paper.account_id: {paper_id} is already the paper account of "
                                    f"account {paper_accounts[paper_id]}")
        if user["primary"]:
            if user["account_id"] in primaries:
                raise ScenarioError(
                    f"users[{i}].primary: account {user['account_id']} already has the primary "
                    f"user {primaries[user['account_id']]!r}; an account has exactly one")
            primaries[user["account_id"]] = user["username"]
    equities = {}
    for i, user in enumerate(users):
        if "equity_usd" in user and equities.setdefault(user["account_id"], user["equity_usd"]) != user["equity_usd"]:
            raise ScenarioError(f"users[{i}].equity_usd: account {user['account_id']} is given another equity"
                                " by an earlier user; an account has one")
    for i, user in enumerate(users):
        if user["account_id"] not in primaries:
            raise ScenarioError(
                f"users[{i}].account_id: account {user['account_id']} has no primary user")
    return {**scenario, "users": users}


def load_file(path):
    """Read and validate a scenario file; errors name the file."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise ScenarioError(f"{path}: cannot be read ({e.strerror})") from None
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except RecursionError:
        raise ScenarioError(f"{path}: nested too deeply to be a scenario") from None
    try:
        return validate(data)
    except ScenarioError as e:
        raise ScenarioError(f"{path}: {e}") from None


def demo():
    """The built-in demo scenario, used on a new database and by `slskit demo`."""
    return json.loads(resources.files("mock_portal").joinpath("demo_scenario.json").read_text("utf-8"))


def _existing_users(conn):
    return [{"username": r["username"], "account_id": r["account_id"], "primary": bool(r["is_primary"]),
             "paper_username": r["paper_username"], "paper_account_id": r["paper_account_id"]}
            for r in conn.execute("SELECT u.username, u.account_id, u.is_primary, p.username AS paper_username,"
                                  " p.account_id AS paper_account_id"
                                  " FROM users u LEFT JOIN paper_accounts p ON p.live_username = u.username")]


def _insert(conn, users, hash_method, portal_revision=None):
    for user in users:
        with timing.part("hash"):
            password_hash = generate_password_hash(user["password"], method=hash_method)
        conn.execute("INSERT OR IGNORE INTO accounts (account_id) VALUES (?)", (user["account_id"],))
        conn.execute(
            "INSERT INTO users (username, password_hash, account_id, is_primary, locale, sls_opted_out)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (user["username"], password_hash, user["account_id"], int(user["primary"]), user["locale"],
             int(user["sls_opted_out"])))
        if "equity_usd" in user:
            conn.execute("UPDATE accounts SET equity_cents = ? WHERE account_id = ?",
                         (round(user["equity_usd"] * funds.USD), user["account_id"]))
        for device in user["devices"]:
            device_id = conn.execute("INSERT INTO devices (username, type, config) VALUES (?, ?, ?)",
                                     (user["username"], device["type"], json.dumps(device))).lastrowid
            if device["type"] in PHYSICAL_FEES:
                _issued(conn, user, device, device_id)
        if "paper" in user:
            paper = user["paper"]
            with timing.part("hash"):
                paper_hash = generate_password_hash(paper["password"], method=hash_method)
            conn.execute("INSERT INTO paper_accounts (username, live_username, password_hash, account_id)"
                         " VALUES (?, ?, ?, ?)", (paper["username"], user["username"], paper_hash, paper["account_id"]))
        options = {key: user[key] for key in LOGIN_OPTIONS if key in user}
        if options:
            conn.execute(f"INSERT INTO login_options (username, {', '.join(options)}) VALUES"
                         f" (?{', ?' * len(options)})", (user["username"], *map(_stored_option, options.values())))
        if any(key in user for key in ("identity", "shipping_address", "sharing_review")):
            conn.execute("INSERT INTO user_profiles (username, identity, shipping_address, sharing_review)"
                         " VALUES (?, ?, ?, ?)",
                         (user["username"], json.dumps(user["identity"]) if "identity" in user else None,
                          json.dumps(user["shipping_address"]) if "shipping_address" in user else None,
                          int(user.get("sharing_review", False))))
        if (revision := user.get("portal_revision", portal_revision)) is not None:
            conn.execute("INSERT INTO portal_revisions (username, revision) VALUES (?, ?)",
                         (user["username"], revision))


def _stored_option(value):
    return int(value) if isinstance(value, bool) else value


# The physical devices a scenario may hold, and their fee in cents (KB1861): issued before the
# scenario starts, so their reserve is held from the start, on their holder's account.
PHYSICAL_FEES = {"dsc_plus": funds.FEES["dsc_plus"] * funds.USD}


def _issued(conn, user, device, device_id):
    conn.execute("INSERT INTO physical_devices (request_id, serial, username, account_id, type, fee_cents,"
                 " config, device_id, state, created_at, ordered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', 0, 0)",
                 (secrets.token_urlsafe(24), new_serial(), user["username"], user["account_id"], device["type"],
                  PHYSICAL_FEES[device["type"]], json.dumps(device), device_id))


def new_serial():
    """A physical device's serial number, as the return form names it (its form is the kit's own)."""
    return "DSC" + "".join(secrets.choice("0123456789") for _ in range(9))


def replace(conn, scenario, hash_method):
    """Replace every user, account and everything that hangs off them with the scenario's."""
    scenario = validate(scenario)
    with transaction(conn):
        for table in ("challenges", "sms_outbox", "temporary_passcodes", "login_failures", "lockouts",
                      "confirmations", "sessions", "messages", "audit_log", "withdrawals", "physical_devices",
                      "sharing_requests", "devices", "gateway_session", "paper_accounts", "login_options", "users",
                      "accounts", "portal_settings"):
            conn.execute(f"DELETE FROM {table}")
        _insert(conn, scenario["users"], hash_method, scenario.get("portal_revision"))
        if "login_page" in scenario:
            conn.execute("INSERT INTO portal_settings (key, value) VALUES ('login_page', ?)",
                         (scenario["login_page"],))


def add_users(conn, users, hash_method):
    """Add users next to the stored ones (the pytest user factory's hook)."""
    with transaction(conn):
        users = validate({"users": users}, existing=_existing_users(conn))["users"]
        _insert(conn, users, hash_method)
