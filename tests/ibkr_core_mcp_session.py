"""Run by the gateway client tests with the interpreter that has ibkr-core-mcp (`python -m venv
.venv-ibkr-core-mcp && .venv-ibkr-core-mcp/bin/pip install ibkr-core-mcp`, or
SLSKIT_IBKR_CORE_MCP_PYTHON): its IBKRClient with `NoAuth` (the gateway holds the session the
browser opened: no cookies to copy) and its GatewayManager's checks, against `slskit serve --gateway`.

IBKRClient turns TLS verification off on its session (localhost only), but requests lets
REQUESTS_CA_BUNDLE override that: pointed at the gateway's printed certificate (SLSKIT_GATEWAY_CA
here), every IBKRClient exchange verifies it. GatewayManager passes verify=False on each call, which
no variable overrides: its probes never verify.
Env: SLSKIT_GATEWAY_URL (https://127.0.0.1:PORT; its IBKR_GATEWAY_URL is that + /v1/api),
SLSKIT_GATEWAY_CA, SLSKIT_STEPS (comma-separated names of steps, default DEFAULT_STEPS; `clock+N`:
client_wire.py).
Prints one JSON line: each step's result or its error, and every HTTP exchange on the wire."""
import json
import logging
import os
import sys
import tempfile
from importlib.metadata import version
from urllib.parse import urlsplit

from client_wire import WIRE, record, run_steps


DEFAULT_STEPS = "ping,get_auth_status,tickle,validate_sso,get_accounts,get_brokerage_accounts,logout,ping"


def plain(value):
    """Its pydantic models as dicts."""
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def outcome(call):
    try:
        return {"result": plain(call())}
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"[:400], "status": getattr(e, "status_code", None)}


def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    base = os.environ["SLSKIT_GATEWAY_URL"].rstrip("/")
    os.environ["IBKR_GATEWAY_URL"] = f"{base}/v1/api"
    os.environ["IBKR_SQLITE_PATH"] = os.path.join(tempfile.mkdtemp(), "store.db")
    if os.environ.get("SLSKIT_GATEWAY_CA"):
        os.environ["REQUESTS_CA_BUNDLE"] = os.environ["SLSKIT_GATEWAY_CA"]
    record()
    from ibkr_core_mcp import Config, IBKRClient, NoAuth
    from ibkr_core_mcp.gateway import GatewayManager

    report = {"ibkr-core-mcp": version("ibkr-core-mcp"), "steps": {}, "wire": WIRE}
    config = Config.from_env(dotenv_path=os.devnull)  # no .env: the environment above is all of it
    client = IBKRClient(config, auth=NoAuth())
    manager = GatewayManager(port=urlsplit(base).port)  # it always asks https://localhost:PORT
    report["construct"] = {"result": {"gateway_url": config.gateway_url,
                                      "REQUESTS_CA_BUNDLE": os.environ.get("REQUESTS_CA_BUNDLE")}}
    steps = {name: getattr(client, name) for name in ("ping", "get_auth_status", "tickle", "validate_sso",
                                                      "get_accounts", "get_brokerage_accounts", "reauthenticate",
                                                      "logout")}
    steps.update(is_gateway_reachable=manager.is_gateway_reachable, is_authenticated=manager.is_authenticated)
    report["steps"] = run_steps(steps, os.environ.get("SLSKIT_STEPS", DEFAULT_STEPS), outcome)
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
