"""Shared by the gateway clients' scripts (ibind_session.py, easyib_session.py), each run with its
client's own interpreter: every HTTP exchange the client makes through requests, as the server
answered it (neither client keeps the status of what it reads), and the steps run by name."""
from collections import Counter

import requests


WIRE = []
_send = requests.Session.send


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
    """From now on, every exchange goes to WIRE."""
    requests.Session.send = _recording_send


def run_steps(target, steps, outcome):
    """`outcome(call)` of each named method of `target`; a step run again (a check after a
    logout) gets its own key, "step#2"."""
    seen, results = Counter(), {}
    for step in steps.split(","):
        seen[step] += 1
        key = step if seen[step] == 1 else f"{step}#{seen[step]}"
        results[key] = outcome(lambda: getattr(target, step)())
    return results
