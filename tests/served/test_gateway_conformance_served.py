"""The same conformance check as tests/inprocess/test_gateway_conformance.py, against a real
`slskit serve --gateway` over HTTPS with its printed certificate as the only trust anchor: what
waitress and TLS add to the answers (headers, content types) is held against the descriptions too.
Pacing is off here (`--no-pacing`): the in-process check covers it on the user's frozen clock."""
import pyotp

import conformance
from flows.live import LivePortal
from flows.portal_http import HttpVisitor
from flows.users import new_user_entry
from mock_portal import create_app


def test_the_served_gateway_conforms_to_the_descriptions_but_for_its_declared_differences(tmp_path):
    twins, entries = conformance.read_baseline()
    routes = conformance.served_routes(create_app({"GATEWAY": True, "DATABASE": str(tmp_path / "routes.sqlite")}))
    documents, uncovered = conformance.descriptions_for(routes, twins)
    assert not uncovered
    with LivePortal(str(tmp_path / "gw.sqlite"), test_hooks=True, extra_args=["--gateway", "--no-pacing"]) as portal:
        run = conformance.Run(documents, base_url=portal.base_url, ca=portal.ca_file, examples=5)
        operations = list(run.operations())
        run.check("out", operations)
        entry = new_user_entry(locale="en")
        portal.add_users([entry])
        HttpVisitor(portal.base_url, ssl_context=portal.ssl_context).log_in(
            entry["username"], entry["password"], pyotp.TOTP(entry["devices"][0]["totp_secret"]).now(), lang="en")
        logout = [(d, op) for d, op in operations if op.path == "/api/logout"]
        run.check("in", [(d, op) for d, op in operations if (d, op) not in logout])
        run.check("in", logout, examples=1, modes=(conformance.GenerationMode.POSITIVE,))
    for state in ("out", "in"):
        assert {(m, p) for (s, m, p) in run.calls if s == state} == routes, state
    problems = conformance.problems(run.found, entries, ("out", "in"))
    assert not problems, "\n  ".join([""] + problems)
