"""Run by the gateway client tests with the interpreter that has ib-web-api (`python -m venv
.venv-ib-web-api && .venv-ib-web-api/bin/pip install ib-web-api`, or SLSKIT_IB_WEB_API_PYTHON): the
client swagger-codegen made of the older published description (Swagger 2.0, "Client Portal Web
API" 1.0.0), configured as its Configuration documents, against `slskit serve --gateway`.
Env: SLSKIT_GATEWAY_URL (https://127.0.0.1:PORT), SLSKIT_GATEWAY_CA (its `ssl_ca_cert`; unset:
`verify_ssl` off), SLSKIT_STEPS (comma-separated names of STEPS, default DEFAULT_STEPS; `clock+N`:
client_wire.py).
Prints one JSON line: each step's result (its model as a dict) or its error with the HTTP status,
and every HTTP exchange on the wire."""
import json
import logging
import os
import sys
from importlib.metadata import version

from client_wire import WIRE, record_urllib3, run_steps


DEFAULT_STEPS = ("iserver_auth_status_post,tickle_post,sso_validate_get,portfolio_accounts_get,"
                 "iserver_accounts_get,logout_post,iserver_auth_status_post")


def outcome(call):
    try:
        result = call()
    except Exception as e:
        first = (str(e).splitlines() or [""])[0]  # its ApiException goes on with every header
        return {"error": f"{type(e).__name__}: {first}"[:400], "status": getattr(e, "status", None)}
    return {"result": result.to_dict() if hasattr(result, "to_dict") else result}


def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    record_urllib3()
    import ib_web_api

    report = {"ib-web-api": version("ib-web-api"), "steps": {}, "wire": WIRE}
    configuration = ib_web_api.Configuration()
    configuration.host = os.environ["SLSKIT_GATEWAY_URL"].rstrip("/") + "/v1/api"  # its default is http://localhost:5000
    ca = os.environ.get("SLSKIT_GATEWAY_CA")
    if ca:
        configuration.ssl_ca_cert = ca
    else:
        configuration.verify_ssl = False
    api = ib_web_api.ApiClient(configuration)  # reads the TLS settings: after them
    session, account, portfolio = ib_web_api.SessionApi(api), ib_web_api.AccountApi(api), ib_web_api.PortfolioApi(api)
    steps = {name: getattr(api_, name) for api_ in (session, account, portfolio) for name in dir(api_)
             if name.endswith(("_get", "_post")) and not name.endswith("_with_http_info")}
    report["construct"] = {"result": {"host": configuration.host, "ssl_ca_cert": configuration.ssl_ca_cert}}
    report["steps"] = run_steps(steps, os.environ.get("SLSKIT_STEPS", DEFAULT_STEPS), outcome)
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
