"""Emulators of the security devices a user holds: what the person would read off them.

Each emulator answers the code step from what the page shows (`respond(html, hooks)`; in a
browser `answer(page)`). Devices that receive something from the portal (the SMS phone, the
IB Key notification, the help desk's temporary passcode) reach it through the portal's test
hooks, which a portal started with `--enable-test-hooks` serves.

The device algorithms (TOTP, HOTP, the card's response) are written out here on purpose, not
shared with the portal's (mock_portal/login/devices.py, which uses pyotp): each side is an
independent check of the other, and both are pinned to the RFCs' published known-answer
vectors (tests/inprocess/test_known_answers.py), so they cannot be wrong the same way.

Time: a device reads its user's `DeviceClock`, real time plus the offset the portal's test
hook set for that user; `TestHooks.advance_clock(seconds, user)` moves both at once.
"""
import base64
import hashlib
import hmac
import re
import struct
import time

from .portal_http import hooks_of_page

TOTP_STEP = 30
CHALLENGE = re.compile(r'data-challenge="([0-9]+)"')


class DeviceClock:
    """What one user's devices take as now: real time plus the offset the portal's test hook
    answered for that user (one offset for portal and devices, as in Keycloak's testsuite)."""

    def __init__(self, source=time.time, offset=0.0):
        self.source, self.offset = source, offset

    def __call__(self):
        return self.source() + self.offset


def base32_key(secret):
    """A scenario's base32 secret (spaces and lower case allowed, padding optional) as bytes."""
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def truncate(mac, digits):
    """RFC 4226 section 5.3: dynamic truncation of an HMAC to `digits` decimal digits."""
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**digits:0{digits}d}"


def hotp(key, counter, digits=6):
    """HOTP (RFC 4226): HMAC-SHA-1 over the 8-byte big-endian counter, truncated."""
    return truncate(hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest(), digits)


def read_challenge(html):
    """The challenge code the page shows (IB Key, Digital Security Card+)."""
    match = CHALLENGE.search(html)
    if not match:
        raise AssertionError("the code page shows no challenge code")
    return match.group(1)


class Device:
    type = None

    def answer(self, page):
        """What the person types at the code step, from what `page` shows."""
        return self.respond(page.content(), hooks_of_page(page))

    def respond(self, html, hooks):
        """The same from the page's HTML; `hooks` is the portal's `TestHooks`."""
        raise NotImplementedError


class AuthenticatorApp(Device):
    """The mobile authenticator app: a TOTP code (RFC 6238, SHA-1, 6 digits, 30 s)."""

    type = "authenticator_app"

    def __init__(self, totp_secret, clock=time.time):
        self.key = base32_key(totp_secret)
        self.clock = clock

    def code(self, offset_steps=0):
        """The code shown now (or `offset_steps` steps away, to test drift): RFC 6238's
        TOTP is HOTP with the number of 30 s steps since the epoch as counter."""
        return hotp(self.key, int(self.clock() // TOTP_STEP) + offset_steps)

    def respond(self, html, hooks):
        return self.code()


class IBKey(Device):
    """IB Key in IBKR Mobile: answers the page's challenge (HOTP with the challenge as counter),
    or approves/denies the login notification through the test hook."""

    type = "ibkey"

    def __init__(self, ibkey_secret, username=None):
        self.key = base32_key(ibkey_secret)
        self.username = username

    def response(self, challenge):
        return hotp(self.key, int(challenge))

    def respond(self, html, hooks):
        return self.response(read_challenge(html))

    def answer_push(self, hooks, decision="approve"):
        """The person taps Approve (or Deny) on the phone's notification."""
        return hooks.answer_ibkey_push(self.username, decision)


class SmsPhone(Device):
    """The mobile phone that receives the SMS: the newest text's code."""

    type = "sms"

    def __init__(self, phone):
        self.phone = phone

    def messages(self, hooks):
        return hooks.sms_messages(self.phone)

    def respond(self, html, hooks):
        texts = self.messages(hooks)
        if not texts:
            raise AssertionError(f"no SMS reached {self.phone}")
        return texts[0]["code"]

    @property
    def last_digits(self):
        return re.sub(r"\D", "", self.phone)[-4:]


class DigitalSecurityCard(Device):
    """Digital Security Card+: PIN and the page's 6-digit challenge in, an 8-digit response out
    (HMAC-SHA256 over "PIN:challenge" keyed by the card's secret, RFC 4226 truncation)."""

    type = "dsc_plus"

    def __init__(self, card_secret, pin):
        self.key = base32_key(card_secret)
        self.pin = pin

    def response(self, challenge):
        return truncate(hmac.new(self.key, f"{self.pin}:{challenge}".encode(), hashlib.sha256).digest(), 8)

    def respond(self, html, hooks):
        return self.response(read_challenge(html))


class TemporaryPasscode(Device):
    """A temporary passcode (KB69) from the help desk, asked for through the test hook the first
    time it is needed and reused while it is valid."""

    type = "temporary_passcode"

    def __init__(self, username=None):
        self.username = username
        self.passcode = None

    def issue(self, hooks):
        self.passcode = hooks.issue_temporary_passcode(self.username)
        return self.passcode

    def respond(self, html, hooks):
        return self.passcode or self.issue(hooks)


class CodeCard(Device):
    """The Online Security Code Card of the current revision, as printed or saved from the portal:
    a login shows two indexes (`data-card-indexes`) and takes their codes one after the other."""

    type = "security_code_card"
    INDEXES = re.compile(r'data-card-indexes="([0-9]+) ([0-9]+)"')
    ON_PAGE = re.compile(r'<td data-index="([0-9]+)">([0-9]+)</td>')
    SAVED = re.compile(r"^([0-9]{2}) ([0-9]+)$", re.M)

    def __init__(self, codes):
        self.codes = dict(codes)

    @classmethod
    def from_html(cls, html):
        """The card as the card page shows it (what the person prints)."""
        return cls(cls._read(cls.ON_PAGE, html))

    @classmethod
    def from_text(cls, text):
        """The card as the Save link's text file holds it."""
        return cls(cls._read(cls.SAVED, text))

    @staticmethod
    def _read(pattern, source):
        codes = dict(pattern.findall(source))
        if not codes:
            raise AssertionError("no Online Security Code Card found")
        return codes

    def respond(self, html, hooks):
        match = self.INDEXES.search(html)
        if not match:
            raise AssertionError("the code page asks for no card indexes")
        return "".join(self.codes[index] for index in match.groups())


ACTIVATION_CODE = re.compile(r'data-activation-code="([0-9]+)"')


def activate_ibkey(hooks, html, username=None):
    """IBKR Mobile activates IB Key with the activation code the portal shows (the QR code carries
    the same): the portal keeps the new device, the phone its secret. Returns the new `IBKey`."""
    match = ACTIVATION_CODE.search(html)
    if not match:
        raise AssertionError("the page shows no IB Key activation code")
    answer = hooks.activate_ibkey(match.group(1))
    return IBKey(answer["ibkey_secret"], username=username or answer["username"])


def device_for(config, clock=time.time, username=None):
    """The emulator for one scenario device entry (`username`: whose device it is, for the hooks)."""
    kind = config["type"]
    if kind == "authenticator_app":
        return AuthenticatorApp(config["totp_secret"], clock=clock)
    if kind == "ibkey":
        return IBKey(config["ibkey_secret"], username=username)
    if kind == "sms":
        return SmsPhone(config["phone"])
    if kind == "dsc_plus":
        return DigitalSecurityCard(config["card_secret"], config["pin"])
    if kind == "temporary_passcode":
        return TemporaryPasscode(username=username)
    raise ValueError(f"no emulator for device type {kind!r}")
