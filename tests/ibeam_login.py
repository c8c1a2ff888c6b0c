"""Run by tests/e2e/test_ibeam.py with the interpreter that has IBeam installed: IBeam's own
LoginHandler and PyOTP 2FA handler, built the way ibeam_starter builds them, from IBEAM_*
environment variables (IBEAM_GATEWAY_BASE_URL points at the mock). Prints one JSON line.
With SLSKIT_PORTAL_SOCKET it runs in its own network namespace and reaches the mock through that
Unix socket (socket_bridge.py). With SLSKIT_IBEAM_LOGIN=0 it does not log in itself: only its checks of
the gateway's session run."""
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
    if os.environ.get("SLSKIT_IBEAM_LOGIN") == "0":  # logged in by another (slskit gateway-login): its checks only
        print(json.dumps(gateway_status(cnf, os.environ.get("SLSKIT_GATEWAY_CA"))))
        return 0
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
    success, shutdown = handler.login()
    outcome = {"success": success, "shutdown": shutdown, "failed_attempts": handler.failed_attempts}
    if os.environ.get("SLSKIT_IBEAM_STATUS"):
        outcome.update(gateway_status(cnf, os.environ.get("SLSKIT_GATEWAY_CA")))
    print(json.dumps(outcome))
    return 0


def gateway_status(cnf, ca_file):
    """IBeam's own checks of the session after its login, as its maintenance loop makes them:
    tickle (its parsed status) and sso/validate, then its logout; `ca_file` is the gateway's
    certificate, trusted as IBeam trusts the one in its inputs folder."""
    from types import SimpleNamespace

    from ibeam.src.handlers.http_handler import HttpHandler

    # HttpHandler reads only these two of its InputsHandler, which would also want a cacert.jks.
    inputs = SimpleNamespace(valid_certificates=bool(ca_file), cacert_pem_path=ca_file)
    http = HttpHandler(inputs_handler=inputs, base_url=cnf.GATEWAY_BASE_URL, route_validate=cnf.ROUTE_VALIDATE,
                       route_tickle=cnf.ROUTE_TICKLE, route_logout=cnf.ROUTE_LOGOUT,
                       route_reauthenticate=cnf.ROUTE_REAUTHENTICATE, route_initialise=cnf.ROUTE_INITIALISE,
                       request_timeout=cnf.REQUEST_TIMEOUT)
    status = http.get_status(max_attempts=1)
    checked = {"status": status.parsed_status, "authenticated": status.authenticated,
               "competing": status.competing, "session_id": status.session_id, "validate": http.validate()}
    # Its strategy handler's test of a logout: the answer's body, byte for byte.
    checked["logout_body"] = http.logout().read().decode("utf8")
    checked["status_after_logout"] = http.get_status(max_attempts=1).parsed_status
    return checked


if __name__ == "__main__":
    sys.exit(main())
