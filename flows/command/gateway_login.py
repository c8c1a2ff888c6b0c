"""`slskit gateway-login`: log in through a Client Portal Gateway's login page in a browser, once,
as every gateway user must before their programs use its API (flows/gateway.py); exit 0 once the
gateway says its session is authenticated, 1 with one line when it is not."""
import os

from . import SECRET_ENV_VAR, CommandError

PASSWORD_ENV_VAR = "SLSKIT_PASSWORD"


def run(args):
    from playwright.sync_api import expect

    from ..browser import BrowserNotFound
    from ..gateway import GatewayLoginError, log_in_to_gateway
    password = args.password or os.environ.get(PASSWORD_ENV_VAR)
    secret = args.totp_secret or os.environ.get(SECRET_ENV_VAR)
    if not password or not secret:
        missing = [name for name, value in (("--password", password), ("--totp-secret", secret)) if not value]
        raise CommandError(f"{' and '.join(missing)} missing (or ${PASSWORD_ENV_VAR}, ${SECRET_ENV_VAR})")
    if args.cacert and not os.path.isfile(args.cacert):
        raise CommandError(f"--cacert {args.cacert} is not a file")
    expect.set_options(timeout=args.timeout * 1000)  # a loaded machine is slow, not wrong
    try:
        log_in_to_gateway(args.url, args.username, password, secret, paper=args.paper, cacert=args.cacert,
                          browser_path=args.browser_path, timeout=args.timeout)
    except (ValueError, BrowserNotFound) as e:  # an argument the login cannot use; no browser to use
        raise CommandError(str(e)) from None
    except GatewayLoginError as e:
        raise CommandError(str(e), 1) from None
    mode = "paper" if args.paper else "live"
    print(f"logged in to the gateway at {args.url.rstrip('/')} as {args.username} ({mode}): "
          "its session is authenticated", flush=True)
    return 0
