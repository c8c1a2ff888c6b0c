"""Emulators of the security devices a user holds: what the person would read off them."""
import time

import pyotp

TOTP_STEP = 30


class AuthenticatorApp:
    """The mobile authenticator app: a TOTP code (RFC 6238, SHA-1, 6 digits, 30 s)."""

    type = "authenticator_app"

    def __init__(self, totp_secret, clock=time.time):
        self.totp = pyotp.TOTP(totp_secret)
        self.clock = clock

    def code(self, offset_steps=0):
        """The code shown now (or `offset_steps` steps away, to test drift)."""
        return self.totp.generate_otp(int(self.clock() // TOTP_STEP) + offset_steps)

    def answer(self, page):
        """What the person types at the code step (the page's prompt is not needed here)."""
        return self.code()


def device_for(config, clock=time.time):
    """The emulator for one scenario device entry."""
    if config["type"] == "authenticator_app":
        return AuthenticatorApp(config["totp_secret"], clock=clock)
    raise ValueError(f"no emulator for device type {config['type']!r}")
