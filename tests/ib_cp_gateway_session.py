"""Run by the gateway client tests with the interpreter that has ib-cp-gateway (`python -m venv
.venv-ib-cp-gateway && .venv-ib-cp-gateway/bin/pip install ib-cp-gateway`, or
SLSKIT_IB_CP_GATEWAY_PYTHON): its `IB.API(url, ssl)` against `slskit serve --gateway`.
Env: SLSKIT_GATEWAY_URL (https://127.0.0.1:PORT), SLSKIT_GATEWAY_CA (its `ssl`, which it hands to
requests' `verify`; unset: its default, False), SLSKIT_STEPS (comma-separated API methods, default
DEFAULT_STEPS; `clock+N`: client_wire.py).
Prints one JSON line: each step's result or its error, and every HTTP exchange on the wire."""
import contextlib
import json
import os
import sys
from importlib.metadata import version

from client_wire import WIRE, record, run_steps


DEFAULT_STEPS = "ping_server,get_status,get_validate,get_accounts,logout,get_status"


def outcome(call):
    try:
        with contextlib.redirect_stdout(sys.stderr):  # it prints progress; stdout carries the report
            return {"result": call()}
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"[:400]}


def main():
    record()
    from IB import API

    report = {"ib-cp-gateway": version("ib-cp-gateway"), "steps": {}, "wire": WIRE}
    api = API(os.environ["SLSKIT_GATEWAY_URL"].rstrip("/"), ssl=os.environ.get("SLSKIT_GATEWAY_CA") or False)
    report["construct"] = {"result": {"url": api.url, "ssl": str(api.ssl)}}
    report["steps"] = run_steps(api, os.environ.get("SLSKIT_STEPS", DEFAULT_STEPS), outcome)
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
