"""Playwright page objects, security-device emulators and the article's flows as steps."""
from .current import cancel_sls_opt_out_current
from .devices import device_for
from .flow import (ARTICLE_STEPS, PortalUser, cancel_sls_opt_out, cancel_sls_opt_out_classic,
                   log_in_through_the_portal, log_in_to_trading, opt_out_with_agreement)
from .gateway import GatewayLoginError, log_in_to_gateway
from .references import request_replacement_dsc_plus, request_withdrawal, return_device, share_device_with

__all__ = ["ARTICLE_STEPS", "GatewayLoginError", "PortalUser", "cancel_sls_opt_out", "cancel_sls_opt_out_classic",
           "cancel_sls_opt_out_current", "device_for", "log_in_through_the_portal", "log_in_to_gateway",
           "log_in_to_trading", "opt_out_with_agreement", "request_replacement_dsc_plus", "request_withdrawal",
           "return_device", "share_device_with"]
