"""Run by tests/e2e/test_ibeam.py with the interpreter that has IBeam installed: IBeam's own
LoginHandler and PyOTP 2FA handler, built the way ibeam_starter builds them, from IBEAM_*
environment variables (IBEAM_GATEWAY_BASE_URL points at the mock). Prints one JSON line.
With SLSKIT_PORTAL_SOCKET it runs in its own network namespace and reaches the mock through that
Unix socket (socket_bridge.py).

What it does besides the login, each when its variable is set:
    SLSKIT_IBEAM_LOGIN=0      no login (its checks of a session someone else opened)
    SLSKIT_IBEAM_MAINTAIN=1   one round of its maintenance after the login (its StrategyHandler)
    SLSKIT_IBEAM_STATUS=1     its own checks of the session (tickle, validate), then its logout
    SLSKIT_IBEAM_LOGOUT=0     ... without the logout"""
import fcntl
import json
import logging
import os
import socket
import struct
import sys
from urllib.parse import urlsplit

from ibeam.config import Config
from ibeam.src import two_fa_selector, var
from ibeam.src.handlers.login_handler import LoginHandler
from ibeam.src.handlers.secrets_handler import SecretsHandler
from ibeam.src.login.driver import DriverFactory
from ibeam.src.login.targets import create_targets

import socket_bridge


def bridge_to_the_portal(base_url, portal_socket):
    """In a new network namespace: loopback up, the portal's address served from the socket file."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    flags = struct.unpack("16sh", fcntl.ioctl(probe, siocgifflags, struct.pack("16sh", b"lo", 0)))[1]
    fcntl.ioctl(probe, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))
    probe.close()
    address = urlsplit(base_url)
    listener = socket.create_server((address.hostname, address.port))

    def connect():
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect(portal_socket)
        return upstream
    socket_bridge.serve(listener, connect)


def main():
    if os.environ.get("SLSKIT_PORTAL_SOCKET"):
        bridge_to_the_portal(os.environ["IBEAM_GATEWAY_BASE_URL"], os.environ["SLSKIT_PORTAL_SOCKET"])
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(relativeCreated)6dms %(name)s %(message)s")
    cnf = Config(var.all_variables)
    driver_factory = DriverFactory(driver_path=cnf.CHROME_DRIVER_PATH, ui_scaling=cnf.UI_SCALING,
                                   page_load_timeout=cnf.PAGE_LOAD_TIMEOUT)
    handler = LoginHandler(
        secrets_handler=SecretsHandler(secrets_source=cnf.SECRETS_SOURCE, gcp_base_url=cnf.GCP_SECRETS_URL),
        two_fa_handler=two_fa_selector.select(handler_name=cnf.TWO_FA_HANDLER, driver_factory=driver_factory,
                                              outputs_dir=cnf.OUTPUTS_DIR, custom_two_fa_handler=cnf.CUSTOM_TWO_FA_HANDLER,
                                              inputs_dir=cnf.INPUTS_DIR),
        driver_factory=driver_factory, targets=create_targets(cnf), base_url=cnf.GATEWAY_BASE_URL,
        route_auth=cnf.ROUTE_AUTH, two_fa_select_target=cnf.TWO_FA_SELECT_TARGET,
        strict_two_fa_code=cnf.STRICT_TWO_FA_CODE, max_immediate_attempts=cnf.MAX_IMMEDIATE_ATTEMPTS,
        oauth_timeout=cnf.OAUTH_TIMEOUT, max_presubmit_buffer=cnf.MAX_PRESUBMIT_BUFFER,
        min_presubmit_buffer=cnf.MIN_PRESUBMIT_BUFFER, max_failed_auth=cnf.MAX_FAILED_AUTH,
        outputs_dir=cnf.OUTPUTS_DIR, use_paper_account=cnf.USE_PAPER_ACCOUNT,
        count_timeout_as_failed=cnf.COUNT_TIMEOUT_AS_FAILED)
    outcome = {}
    if os.environ.get("SLSKIT_IBEAM_LOGIN", "1") == "1":
        success, shutdown = handler.login()
        outcome = {"success": success, "shutdown": shutdown, "failed_attempts": handler.failed_attempts}
    ca_file = os.environ.get("SLSKIT_GATEWAY_CA")
    if os.environ.get("SLSKIT_IBEAM_MAINTAIN"):
        outcome["maintenance"] = maintenance(cnf, http_handler(cnf, ca_file), handler)
    if os.environ.get("SLSKIT_IBEAM_STATUS"):
        outcome.update(gateway_status(cnf, ca_file, logout=os.environ.get("SLSKIT_IBEAM_LOGOUT", "1") == "1"))
    print(json.dumps(outcome))
    return 0


def http_handler(cnf, ca_file):
    """IBeam's HttpHandler, trusting `ca_file` (the gateway's certificate) as IBeam trusts the one
    in its inputs folder."""
    from types import SimpleNamespace

    from ibeam.src.handlers.http_handler import HttpHandler

    # HttpHandler reads only these two of its InputsHandler, which would also want a cacert.jks.
    inputs = SimpleNamespace(valid_certificates=bool(ca_file), cacert_pem_path=ca_file)
    return HttpHandler(inputs_handler=inputs, base_url=cnf.GATEWAY_BASE_URL, route_validate=cnf.ROUTE_VALIDATE,
                       route_tickle=cnf.ROUTE_TICKLE, route_logout=cnf.ROUTE_LOGOUT,
                       route_reauthenticate=cnf.ROUTE_REAUTHENTICATE, route_initialise=cnf.ROUTE_INITIALISE,
                       request_timeout=cnf.REQUEST_TIMEOUT)


class ServedGateway:
    """IBeam's ProcessHandler starts and kills the gateway's Java process; here the gateway is the
    served mock, which IBeam may not kill: a kill is reported as failed, as IBeam logs it."""

    def start_gateway(self):
        return None

    def kill_gateway(self):
        return False


def maintenance(cnf, http, login_handler):
    """One round of IBeam's maintenance as GatewayClient._maintenance makes it (without its health
    server, which would listen beyond loopback): start the gateway (here: it runs), then its
    strategy's try_authenticating, and validate after a success. Its strategy's first look at the
    status is the round's first tickle: the gateway paces /tickle at one a second."""
    from ibeam.src.handlers.strategy_handler import StrategyHandler

    strategy = StrategyHandler(
        http_handler=http, login_handler=login_handler, process_handler=ServedGateway(),
        authentication_strategy=cnf.AUTHENTICATION_STRATEGY, reauthenticate_wait=cnf.REAUTHENTICATE_WAIT,
        restart_failed_sessions=cnf.RESTART_FAILED_SESSIONS, restart_wait=cnf.RESTART_WAIT,
        max_reauthenticate_retries=cnf.MAX_REAUTHENTICATE_RETRIES, max_status_check_retries=cnf.MAX_STATUS_CHECK_RETRIES)
    success, shutdown, status = strategy.try_authenticating(request_retries=cnf.REQUEST_RETRIES)
    return {"success": success, "shutdown": shutdown, "status": status.parsed_status,
            "validate": http.validate() if success else None}


def gateway_status(cnf, ca_file, logout=True):
    """IBeam's own checks of the session after its login, as its maintenance loop makes them:
    tickle (its parsed status) and sso/validate (the body its request read, too), then its logout."""
    http = http_handler(cnf, ca_file)
    status = http.get_status(max_attempts=1)
    # One sso/validate, as its maintenance makes one: the gateway paces it at one a minute. What
    # http.validate() returns is read from it (its RESULT), as that method reads it.
    validated = http.try_request(cnf.GATEWAY_BASE_URL + cnf.ROUTE_VALIDATE, "GET")
    body = json.loads(validated.response) if validated.session else None
    checked = {"status": status.parsed_status, "authenticated": status.authenticated,
               "competing": status.competing, "connected": status.connected, "session_id": status.session_id,
               "validate": bool(body and body["RESULT"]), "validate_body": body}
    if logout:
        # Its strategy handler's test of a logout: the answer's body, byte for byte.
        checked["logout_body"] = http.logout().read().decode("utf8")
        checked["status_after_logout"] = http.get_status(max_attempts=1).parsed_status
    return checked


if __name__ == "__main__":
    sys.exit(main())
