"""Logging in without the UI, for tests whose subject is not the login itself.

Uses the browser context's own request client, so the session cookie lands in the context
(and in its saved storage state) exactly as a UI login would leave it. Works for every device
type: the device combobox is answered with the user's device, and the emulator reads the
challenge from the code page (or the SMS/passcode through the test hooks).
"""
import re

from .devices import Hooks
from .labels import LABELS

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
OPTION = re.compile(r'<option value="([0-9]+)" data-device-type="([a-z_]+)"')


def _csrf(response):
    match = CSRF.search(response.text())
    if not match:
        raise AssertionError(f"no CSRF token on {response.url} (status {response.status})")
    return match.group(1)


def log_in_over_http(request, base_url, user, target="portal"):
    """Password and security code through the login forms' POSTs; raises if either is refused."""
    base = base_url.rstrip("/")
    page = request.get(f"{base}/sso/login?lang={user.locale}&target={target}")
    response = request.post(f"{base}/sso/login", form={
        "csrf_token": _csrf(page), "username": user.username, "password": user.password, "target": target})
    if "/sso/login/code" not in response.url:
        if target == "trading" and response.ok:
            return response
        raise AssertionError(f"password refused for {user.username} (status {response.status})")
    options = OPTION.findall(response.text())
    if options:  # several devices: choose the emulated one first
        device_id = next((i for i, kind in options if kind == user.device.type), None)
        if device_id is None:
            raise AssertionError(f"{user.username} has no {user.device.type} device to choose")
        response = request.post(f"{base}/sso/login/device", form={"csrf_token": _csrf(response), "device": device_id})
    code = user.device.respond(response.text(), Hooks(request, base))
    response = request.post(f"{base}/sso/login/code", form={"csrf_token": _csrf(response), "code": code})
    if not response.ok or "/portal/" not in response.url:
        raise AssertionError(f"security code refused for {user.username} (status {response.status})")
    return response


def save_logged_in_state(new_context, base_url, user, path, target="portal"):
    """Log in over HTTP in a scratch context from `new_context()` and save its storage state to
    `path`, for contexts that start logged in (`new_context(storage_state=path)`)."""
    scratch = new_context()
    try:
        log_in_over_http(scratch.request, base_url, user, target)
        scratch.storage_state(path=str(path))
    finally:
        scratch.close()
    return str(path)


__all__ = ["LABELS", "log_in_over_http", "save_logged_in_state"]
