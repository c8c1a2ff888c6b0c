"""Run by the gateway client tests with the interpreter that has ibind (`python -m venv .venv-ibind &&
.venv-ibind/bin/pip install ibind`, or SLSKIT_IBIND_PYTHON): ibind's IbkrClient, built as its users
build it for a local Client Portal Gateway, against `slskit serve --gateway`.
Env: SLSKIT_GATEWAY_URL (https://127.0.0.1:PORT), SLSKIT_GATEWAY_CA (the PEM to trust; unset: ibind's
default, no verification), SLSKIT_STEPS (comma-separated IbkrClient methods, default DEFAULT_STEPS;
`clock+N` lets N seconds pass on SLSKIT_GATEWAY_USER's test clock: client_wire.py).
Prints one JSON line: each step's result (or its error as a string, with the HTTP status ibind saw),
and every HTTP exchange on the wire."""
import json
import logging
import os
import sys
from importlib.metadata import version

from client_wire import WIRE, record, run_steps


# check_health is a tickle: a second tickle within the second is over the gateway's pacing limit.
DEFAULT_STEPS = ("check_health,tickle,authentication_status,check_auth_status,validate,portfolio_accounts,"
                 "receive_brokerage_accounts,logout,check_health")


def outcome(call):
    try:
        result = call()
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"[:400], "status": getattr(e, "status_code", None)}
    # Methods returning a Result carry the JSON body in .data; check_* return a bool.
    return {"result": getattr(result, "data", result)}


def main():
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(relativeCreated)6dms %(name)s %(message)s")
    record()
    from ibind import IbkrClient

    report = {"ibind": version("ibind"), "steps": {}, "wire": WIRE}
    base = os.environ["SLSKIT_GATEWAY_URL"].rstrip("/")
    made = outcome(lambda: IbkrClient(
        url=f"{base}/v1/api/", cacert=os.environ.get("SLSKIT_GATEWAY_CA") or False,
        # ibind retries a refused connection or a TLS failure 3 times with 1.5-4.5 s back-off per call.
        max_retries=0))
    if "error" in made:
        report["construct"] = made
    else:
        client = made["result"]
        report["construct"] = {"result": {"base_url": client.base_url, "cacert": str(client.cacert)}}
        report["steps"] = run_steps(client, os.environ.get("SLSKIT_STEPS", DEFAULT_STEPS), outcome)
        client.close()
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
