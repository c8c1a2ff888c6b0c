"""Logging in without the UI, for tests whose subject is not the login itself.

Uses the browser context's own request client, so the session cookie lands in the context
(and in its saved storage state) exactly as a UI login would leave it.
"""
import re

from .labels import LABELS

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


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
    response = request.post(f"{base}/sso/login/code", form={
        "csrf_token": _csrf(response), "code": user.device.code()})
    if not response.ok or "/portal/" not in response.url:
        raise AssertionError(f"security code refused for {user.username} (status {response.status})")
    return response


__all__ = ["LABELS", "log_in_over_http"]
