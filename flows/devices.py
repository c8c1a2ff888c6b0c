"""Emulators of the security devices a user holds: what the person would read off them.

Each emulator answers the code step from what the page shows (`respond(html, hooks)`; in a
browser `answer(page)`). Devices that receive something from the portal (the SMS phone, the
IB Key notification, the help desk's temporary passcode) reach it through the portal's test
hooks, which a portal started with `--enable-test-hooks` serves.
"""
import base64
import hashlib
import hmac
import re
import struct
import time

import pyotp

from .portal_http import hooks_of_page

TOTP_STEP = 30
CHALLENGE = re.compile(r'data-challenge="([0-9]+)"')


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
        self.totp = pyotp.TOTP(totp_secret)
        self.clock = clock

    def code(self, offset_steps=0):
        """The code shown now (or `offset_steps` steps away, to test drift)."""
        return self.totp.generate_otp(int(self.clock() // TOTP_STEP) + offset_steps)

    def respond(self, html, hooks):
        return self.code()


class IBKey(Device):
    """IB Key in IBKR Mobile: answers the page's challenge (HOTP with the challenge as counter),
    or approves/denies the login notification through the test hook."""

    type = "ibkey"

    def __init__(self, ibkey_secret, username=None):
        self.hotp = pyotp.HOTP(ibkey_secret.replace(" ", "").upper())
        self.username = username

    def response(self, challenge):
        return self.hotp.at(int(challenge))

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
        cleaned = card_secret.replace(" ", "").upper()
        self.key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
        self.pin = pin

    def response(self, challenge):
        mac = hmac.new(self.key, f"{self.pin}:{challenge}".encode(), hashlib.sha256).digest()
        offset = mac[-1] & 0x0F
        return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**8:08d}"

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
