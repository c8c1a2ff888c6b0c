"""The gateway's /v1 API held against the brokerage's published descriptions (tests/conformance.py):
every route it serves, without a session, logged in (logout last) and with pacing on; every
finding is fixed or declared with its reason in tests/specs/conformance-baseline.txt."""
import json
from pathlib import Path

import pytest

import conformance
from portal_client import Visitor


def served(app_like):
    return conformance.served_routes(app_like(GATEWAY=True))


def report(lines):
    return "\n  ".join([""] + lines)


@pytest.fixture(scope="module")
def baseline():
    return conformance.read_baseline()


def test_every_route_the_gateway_serves_is_held_against_a_description(app_like, baseline):
    twins, _ = baseline
    documents, uncovered = conformance.descriptions_for(served(app_like), twins)
    assert not uncovered, ("routes no description has: add a [twins] line to tests/specs/conformance-baseline.txt"
                           + report(uncovered))
    held = {(method.upper(), "/v1" + path) for document in documents.values()
            for path, item in document["paths"].items() for method in item}
    assert held == served(app_like)
    assert set(documents) == {"2.29.0", "ib-rs"}  # the older description for the routes only it has
    assert set(documents["ib-rs"]["paths"]) == {"/api/iserver/reauthenticate", "/portal/iserver/reauthenticate"}


def test_the_gateway_conforms_to_the_descriptions_but_for_its_declared_differences(app_like, clock, baseline):
    twins, entries = baseline
    gateway = app_like(GATEWAY=True)
    documents, _ = conformance.descriptions_for(conformance.served_routes(gateway), twins)
    run = conformance.Run(documents, app=gateway)
    operations = list(run.operations())
    run.check("out", operations)
    Visitor(gateway.test_client(), clock).log_in("alice")  # a login through the gateway opens its session
    logout = [(d, op) for d, op in operations if op.path == "/api/logout"]
    run.check("in", [(d, op) for d, op in operations if (d, op) not in logout])
    run.check("in", logout, examples=1, modes=(conformance.GenerationMode.POSITIVE,))

    paced = app_like(GATEWAY=True, GATEWAY_PACING=True)
    clock.advance(30)
    Visitor(paced.test_client(), clock).log_in("alice")
    paced_run = conformance.Run(documents, app=paced)
    tickle = [(d, op) for d, op in paced_run.operations() if op.path == "/api/tickle" and op.method == "post"]
    paced_run.repeat("paced", tickle, 11)  # the eleventh within the second: 429 (the global limit)
    found = {**run.found, **paced_run.found}

    for state in ("out", "in"):  # every route in both states; generated bodies where a route takes one
        assert {(m, p) for (s, m, p) in run.calls if s == state} == conformance.served_routes(gateway), state
    assert run.calls[("in", "POST", "/v1/api/iserver/auth/ssodh/init")] >= 10, run.calls
    problems = conformance.problems(found, entries, conformance.STATES)
    assert not problems, report(problems)


def test_a_baseline_line_that_cannot_be_read_is_named(tmp_path):
    bad = tmp_path / "baseline.txt"
    bad.write_text("[declared]\n2.29.0 in GET /v1/api/sso/validate schema PAPER_USER_NAME: type\n")
    with pytest.raises(conformance.BaselineError, match="baseline.txt line 2: an entry is"):
        conformance.read_baseline(bad)
    bad.write_text("[declared]\n2.29.0 in GET /v1/api/sso/validate server error 500 -- never\n")
    with pytest.raises(conformance.BaselineError, match="line 2"):  # a server error is never declared
        conformance.read_baseline(bad)


def test_the_kept_descriptions_name_their_source():
    for path in conformance.DESCRIPTIONS.values():
        source = json.loads(Path(path).read_text(encoding="utf-8"))["x-subset-source"]
        assert {"repo", "path", "commit", "sha256"} <= set(source) and len(source["commit"]) == 40
