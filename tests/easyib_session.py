"""Run by the gateway client tests with the interpreter that has EasyIB (`python -m venv .venv-easyib &&
.venv-easyib/bin/pip install easyib`, or SLSKIT_EASYIB_PYTHON): EasyIB's REST client, built as its
README builds it, against `slskit serve --gateway`.
Env: SLSKIT_GATEWAY_URL (https://127.0.0.1:PORT), SLSKIT_GATEWAY_CA (the PEM to trust, given as
EasyIB's `ssl` argument, which it hands to requests' `verify`; unset: EasyIB's default, False),
SLSKIT_STEPS (comma-separated REST methods, default DEFAULT_STEPS).
Prints one JSON line: what the constructor fetched (the account id), each step's result or its error
as a string, and every HTTP exchange on the wire."""
import contextlib
import json
import os
import sys
from collections import Counter
from importlib.metadata import version

import requests

DEFAULT_STEPS = "get_accounts,ping_server,get_auth_status,log_out,ping_server"
WIRE = []
_send = requests.Session.send


def recording_send(session, request, **kwargs):
    # EasyIB reads only .json() and never the status (log_out and re_authenticate read nothing).
    entry = {"method": request.method, "path": request.path_url}
    WIRE.append(entry)
    try:
        response = _send(session, request, **kwargs)
    except Exception as e:
        entry["error"] = type(e).__name__
        raise
    entry.update(status=response.status_code, type=response.headers.get("Content-Type"))
    return response


def outcome(call):
    try:
        # EasyIB prints progress ("Reauthenticating ...") to stdout, which carries only the report.
        with contextlib.redirect_stdout(sys.stderr):
            return {"result": call()}
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"[:400]}


def main():
    requests.Session.send = recording_send
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
    seen = Counter()
    for step in os.environ.get("SLSKIT_STEPS", DEFAULT_STEPS).split(","):
        seen[step] += 1  # a step run twice (e.g. a check after logout) gets its own key: "step#2"
        key = step if seen[step] == 1 else f"{step}#{seen[step]}"
        report["steps"][key] = outcome(lambda: getattr(api, step)())
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
