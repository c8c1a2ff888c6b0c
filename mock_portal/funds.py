"""The account's money as the article's references describe it (docs/devices.md, "The article's
references"): withdrawal limits by security device (KB1131), the device that authenticates a
withdrawal setting its limit (KB2895), the reserve held for a physical device and its fee
(KB1861), and what may be withdrawn.

Amounts are whole US cents (integers), never floats. The windows are rolling, on the withdrawing
user's clock: the last 24 hours and the last five times 24 hours (KB1131, "single and five day
rolling periods").
"""
import re

from .db import transaction
from .i18n import current_lang

DAY = 24 * 3600
WINDOWS = (("day", DAY), ("five_days", 5 * DAY))
USD = 100  # cents
NO_DEVICE = "none"  # the limits of a user opted out of the Secure Login System, whatever device they hold
# KB1131: (one day, five days) in USD, None for no limit. The security code card of the portal is
# the Online Security Code Card, a temporary device (KB2481) with the temporary passcode's limits.
# The authenticator app is in no table of the brokerage's: the kit gives it the SMS's pair, the
# lowest of a device that is not temporary (a choice, docs/devices.md).
LIMITS = {
    NO_DEVICE: (50_000, 100_000),
    "temporary_passcode": (50_000, 100_000),
    "security_code_card": (50_000, 100_000),
    "sms": (200_000, 600_000),
    "authenticator_app": (200_000, 600_000),
    "ibkey": (1_000_000, 1_000_000),
    "dsc_plus": (None, None),
}
# What an older Account Management help page says instead, kept as a declared difference.
DECLARED_LIMITS = {"ibkey": (200_000, 600_000)}
# KB1861: a device's replacement fee in USD, held as a reserve from its issue until it is returned,
# charged when it is lost. Of these the portal issues the Digital Security Card+ only.
FEES = {"security_code_card_physical": 0, "dsc": 20, "dsc_plus": 20, "gold": 150, "platinum": 150}
# KB1943 and ibkrguides.com: the equity that makes an account eligible for a DSC+ (older pages: 500,000).
DSC_PLUS_EQUITY_USD = 1_000_000
DECLARED_DSC_PLUS_EQUITY_USD = 500_000
# A physical device's states in which its reserve is held; 'lost' charges it, 'returned' releases it.
HELD = ("ordered", "delivered", "active", "in_return")
MAX_AMOUNT_DIGITS = 15  # before the decimal point: more than any account holds, and what SQLite keeps exactly

_AS_TYPED = {**{cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}, 0x3000: ord(" ")}  # full-width forms
AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")


def parse_amount(raw):
    """A typed amount in US dollars as (cents, None), or (None, the refusal's catalog key). Digits,
    thousands separators in groups of three, at most two decimals; full-width forms as their ASCII.
    An exponent ("1e9"), a sign, letters or a third decimal are refused, never guessed at."""
    text = (raw or "").translate(_AS_TYPED).strip()
    if not text:
        return None, "error.amount_missing"
    if text.startswith("-") and AMOUNT.fullmatch(text[1:].strip()):
        return None, "error.amount_not_positive"
    if not AMOUNT.fullmatch(text):
        return None, "error.amount_invalid"
    whole, _, fraction = text.replace(",", "").partition(".")
    if len(whole.lstrip("0")) > MAX_AMOUNT_DIGITS:
        return None, "error.amount_too_large"
    cents = int(whole) * USD + int(fraction.ljust(2, "0") or 0)
    if cents <= 0:
        return None, "error.amount_not_positive"
    return cents, None


def money(cents, lang=None):
    """`cents` as the portal writes an amount: USD 50,000 (en), 50,000米ドル (ja); cents when any."""
    whole, rest = divmod(cents, USD)
    figure = f"{whole:,}" + (f".{rest:02d}" if rest else "")
    return f"{figure}米ドル" if (lang or current_lang()) == "ja" else f"USD {figure}"


def limit_key(device_type, opted_out):
    """Whose limits a withdrawal meets: an opted-out user's are the "no device" pair (KB1131)."""
    return NO_DEVICE if opted_out else device_type


def limits_of(key):
    """(one day, five days) in cents for a limit key, None for no limit."""
    return tuple(None if usd is None else usd * USD for usd in LIMITS[key])


def protection(device_type):
    """How protective a device is, as KB1131's limits rank it (KB2481 shares only the most
    protective device): a higher five-day limit, then a higher one-day limit, ranks higher."""
    five, day = LIMITS[device_type][1], LIMITS[device_type][0]
    return (float("inf") if five is None else five, float("inf") if day is None else day)


def equity(conn, account_id):
    """The account's equity now: the scenario's, less what was withdrawn and the fees charged."""
    row = conn.execute("SELECT equity_cents FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
    withdrawn = conn.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM withdrawals WHERE account_id = ?"
                             " AND state = 'accepted'", (account_id,)).fetchone()[0]
    charged = conn.execute("SELECT COALESCE(SUM(fee_cents), 0) FROM physical_devices WHERE account_id = ?"
                           " AND state = 'lost'", (account_id,)).fetchone()[0]
    return (row["equity_cents"] if row else 0) - withdrawn - charged


def reserves(conn, account_id):
    """The physical devices whose reserve the account holds now (KB1861)."""
    marks = ", ".join("?" * len(HELD))
    return conn.execute(f"SELECT * FROM physical_devices WHERE account_id = ? AND state IN ({marks})"
                        " AND fee_cents > 0 ORDER BY ordered_at, serial", (account_id, *HELD)).fetchall()


def withdrawn_since(conn, account_id, since):
    return conn.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM withdrawals WHERE account_id = ?"
                        " AND state = 'accepted' AND accepted_at > ?", (account_id, since)).fetchone()[0]


def balance(conn, account_id):
    """The account's equity, the reserves it holds, their sum, and what may be withdrawn."""
    held = reserves(conn, account_id)
    total = equity(conn, account_id)
    reserved = sum(r["fee_cents"] for r in held)
    return {"equity": total, "reserves": held, "reserved": reserved, "available": max(0, total - reserved)}


def summary(conn, account_id, now):
    """What the account screen shows of the money: the balance and what the windows already hold."""
    return {**balance(conn, account_id),
            **{f"withdrawn_{name}": withdrawn_since(conn, account_id, now - seconds) for name, seconds in WINDOWS}}


def over_limit(conn, account_id, key, amount, now):
    """Why `amount` may not be withdrawn with the limits `key` now: (catalog key, params) or None.
    The limits first (naming the one exceeded), then what the reserves leave of the equity."""
    for (name, seconds), limit in zip(WINDOWS, limits_of(key)):
        if limit is None:
            continue
        left = max(0, limit - withdrawn_since(conn, account_id, now - seconds))
        if amount > left:
            return f"error.withdrawal_over_{name}_limit", {"limit": money(limit), "left": money(left),
                                                           "amount": money(amount)}
    funds = balance(conn, account_id)
    if amount > funds["available"]:
        return "error.withdrawal_over_available", {"available": money(funds["available"]),
                                                   "reserved": money(funds["reserved"]), "amount": money(amount)}
    return None


def accept(conn, withdrawal_id, key, now):
    """Accept a withdrawal in 'authenticating' against the limits `key`, atomically: None, or why
    not (over_limit's answer; the withdrawal stays as it was)."""
    with transaction(conn):
        row = conn.execute("SELECT * FROM withdrawals WHERE withdrawal_id = ?", (withdrawal_id,)).fetchone()
        problem = over_limit(conn, row["account_id"], key, row["amount_cents"], now)
        if problem is None:
            conn.execute("UPDATE withdrawals SET state = 'accepted', accepted_at = ?, limit_key = ?"
                         " WHERE withdrawal_id = ? AND state = 'authenticating'", (now, key, withdrawal_id))
    return problem
