"""Shared by the gateway clients' scripts (ibind_session.py, easyib_session.py, ...), each run with
its client's own interpreter: every HTTP exchange the client makes through requests, as the server
answered it (neither client keeps the status of what it reads), and the steps run by name.

A step `clock+N` lets N seconds pass between two calls on the user's test clock (SLSKIT_GATEWAY_USER,
through the test hooks; never a sleep), as a client's calls are spaced in real use: the gateway
paces them (mock_portal/gateway/pacing.py)."""
import json
import os
import ssl
import urllib.request
from collections import Counter


WIRE = []
_send = None


def _recording_send(session, request, **kwargs):
    entry = {"method": request.method, "path": request.path_url}
    WIRE.append(entry)
    try:
        response = _send(session, request, **kwargs)
    except Exception as e:
        entry["error"] = type(e).__name__
        raise
    entry.update(status=response.status_code, type=response.headers.get("Content-Type"))
    return response


def record():
    """From now on, every exchange through requests goes to WIRE."""
    global _send
    import requests
    _send = requests.Session.send
    requests.Session.send = _recording_send


def record_urllib3():
    """The same for a client that speaks urllib3 itself (ib-web-api)."""
    import urllib3
    sent = urllib3.PoolManager.urlopen

    def recording(manager, method, url, *args, **kwargs):
        entry = {"method": method, "path": "/" + url.split("/", 3)[3] if url.count("/") >= 3 else url}
        WIRE.append(entry)
        try:
            response = sent(manager, method, url, *args, **kwargs)
        except Exception as e:
            entry["error"] = type(e).__name__
            raise
        entry.update(status=response.status, type=response.headers.get("Content-Type"))
        return response
    urllib3.PoolManager.urlopen = recording


def let_time_pass(seconds):
    """The user's test clock moves on `seconds` (POST /_test/clock, not recorded in WIRE)."""
    base, ca = os.environ["SLSKIT_GATEWAY_URL"].rstrip("/"), os.environ.get("SLSKIT_GATEWAY_CA")
    request = urllib.request.Request(
        f"{base}/_test/clock", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"advance": seconds, "username": os.environ["SLSKIT_GATEWAY_USER"]}).encode())
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca) if ca else None,
                                timeout=30) as answer:
        answer.read()


def run_steps(target, steps, outcome):
    """`outcome(call)` of each named method of `target` (or each named callable of a dict); a
    step run again (a check after a logout) gets its own key, "step#2"; `clock+N` moves time."""
    seen, results = Counter(), {}
    for step in steps.split(","):
        if step.startswith("clock+"):
            let_time_pass(float(step.removeprefix("clock+")))
            continue
        seen[step] += 1
        key = step if seen[step] == 1 else f"{step}#{seen[step]}"
        call = target[step] if isinstance(target, dict) else getattr(target, step)
        results[key] = outcome(call)
    return results
