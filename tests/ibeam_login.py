"""Run by tests/test_e2e_ibeam.py with the interpreter that has IBeam installed: IBeam's own
LoginHandler and PyOTP 2FA handler, built the way ibeam_starter builds them, from IBEAM_*
environment variables (IBEAM_GATEWAY_BASE_URL points at the mock). Prints one JSON line.
With SLSKIT_PORTAL_SOCKET it runs in its own network namespace and reaches the mock through that
Unix socket (socket_bridge.py)."""
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
    success, shutdown = handler.login()
    print(json.dumps({"success": success, "shutdown": shutdown, "failed_attempts": handler.failed_attempts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
