"""Playwright page objects, security-device emulators and the article's flow as steps."""
from .devices import AuthenticatorApp, device_for
from .flow import ARTICLE_STEPS, PortalUser, cancel_sls_opt_out

__all__ = ["ARTICLE_STEPS", "AuthenticatorApp", "PortalUser", "cancel_sls_opt_out", "device_for"]
