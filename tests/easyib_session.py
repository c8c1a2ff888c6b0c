"""Run by the gateway client tests with the interpreter that has EasyIB (`python -m venv .venv-easyib &&
.venv-easyib/bin/pip install easyib`, or SLSKIT_EASYIB_PYTHON): EasyIB's REST client, built as its
README builds it, against `slskit serve --gateway`.
Env: SLSKIT_GATEWAY_URL (https://127.0.0.1:PORT), SLSKIT_GATEWAY_CA (the PEM to trust, given as
EasyIB's `ssl` argument, which it hands to requests' `verify`; unset: EasyIB's default, False),
SLSKIT_STEPS (comma-separated REST methods, default DEFAULT_STEPS; `clock+N`: client_wire.py).
Prints one JSON line: what the constructor fetched (the account id), each step's result or its error
as a string, and every HTTP exchange on the wire."""
import contextlib
import json
import os
import sys
from importlib.metadata import version

from client_wire import WIRE, record, run_steps


# The constructor read /portfolio/accounts: a second read within 5 s is over the gateway's pacing limit.
DEFAULT_STEPS = "clock+5,get_accounts,ping_server,get_auth_status,log_out,ping_server"


def outcome(call):
    try:
        # EasyIB prints progress ("Reauthenticating ...") to stdout, which carries only the report.
        with contextlib.redirect_stdout(sys.stderr):
            return {"result": call()}
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"[:400]}


def main():
    record()
    from easyib import REST

    report = {"easyib": version("easyib"), "steps": {}, "wire": WIRE}
    url = os.environ["SLSKIT_GATEWAY_URL"].rstrip("/")  # EasyIB appends "/v1/api/" itself
    ssl = os.environ.get("SLSKIT_GATEWAY_CA") or False
    made = outcome(lambda: REST(url=url, ssl=ssl))
    if "error" in made:
        report["construct"] = made
        # The constructor fails before a login; its other methods need only url and ssl, so the
        # session calls still show what a user of the same class would meet.
        api = REST.__new__(REST)
        api.url, api.ssl, api.id = f"{url}/v1/api/", ssl, None
    else:
        api = made["result"]
        report["construct"] = {"result": {"url": api.url, "ssl": str(api.ssl), "id": api.id}}
    report["steps"] = run_steps(api, os.environ.get("SLSKIT_STEPS", DEFAULT_STEPS), outcome)
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
