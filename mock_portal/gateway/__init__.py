"""The Client Portal Gateway's /v1 API, mounted only with GATEWAY (`slskit serve --gateway`).

    session.py  the gateway's one session: opened by a login through it, ended by a logout or idling
    api.py      the routes and their answers (the blueprint)
    pacing.py   the brokerage's pacing limits, 429 and the penalty box, on the user's test clock
    allow_list.py  conf.yaml's ips.allow / ips.deny: "Access Denied" before anything else
"""
from .api import bp, json_error

__all__ = ["bp", "json_error"]
