"""The gateway held against the brokerage's published API descriptions with schemathesis
(tests/specs/README.md says where each comes from): every route the gateway serves, each against
the current description (IB REST API 2.29.0) where it has the route, else the older Swagger one
(ib-rs), else the twin the baseline names; property-based cases (schemathesis's positive and
negative data, derandomized: the same cases every run), and four checks: no server error, the
statuses the description lists, its content types, its response schemas.

Every finding is either fixed or declared, with its reason, in tests/specs/conformance-baseline.txt;
an entry no longer found fails too, so the baseline never goes stale.
"""
import copy
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks as core_checks
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

SPECS = Path(__file__).resolve().parent / "specs"
DESCRIPTIONS = {"2.29.0": SPECS / "ibkr-openapi-2.29.0.subset.json", "ib-rs": SPECS / "ib-rs-swagger.subset.json"}
BASELINE = SPECS / "conformance-baseline.txt"
CHECKS = [core_checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]
STATES = ("out", "in", "paced")
ENTRY = re.compile(r"^(?P<description>\S+)\s+(?P<state>\S+)\s+(?P<method>[A-Z]+)\s+(?P<path>/\S*)\s+"
                   r"(?P<finding>(?:status|content-type|schema)\s.*?)\s+--\s+(?P<reason>\S.*)$")
TWIN = re.compile(r"^(?P<description>\S+)\s+(?P<method>[A-Z]+)\s+(?P<path>/\S*)\s+=\s+(?P<as_method>[A-Z]+)\s+"
                  r"(?P<as_path>/\S*)\s+--\s+(?P<reason>\S.*)$")


class BaselineError(ValueError):
    """A line of the baseline that cannot be read: the message names it."""


@dataclass(frozen=True)
class Finding:
    description: str
    state: str
    method: str
    path: str
    finding: str

    def line(self):
        return f"{self.description} {self.state} {self.method} {self.path}  {self.finding}  -- REASON"


def read_baseline(path=BASELINE):
    """(twins, entries): twins {(method, path): (description, method, path)}; entries
    {Finding-like key with `*` allowed: (section, reason)}."""
    twins, entries, section = {}, {}, None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]").split(":")[0].strip()
            continue
        where = f"{path.name} line {number}"
        if section == "twins":
            match = TWIN.match(line)
            if not match:
                raise BaselineError(f"{where}: a twin is DESCRIPTION METHOD PATH = METHOD PATH -- REASON")
            twins[(match["method"], match["path"])] = (match["description"], match["as_method"], match["as_path"])
        elif section == "declared":
            match = ENTRY.match(line)
            if not match:
                raise BaselineError(f"{where}: an entry is DESCRIPTION STATE METHOD PATH FINDING -- REASON "
                                    "(FINDING: status N, content-type T or schema WHERE: KEYWORD)")
            if match["description"] not in (*DESCRIPTIONS, "*") or match["state"] not in (*STATES, "*"):
                raise BaselineError(f"{where}: DESCRIPTION is {', '.join(DESCRIPTIONS)} or *; "
                                    f"STATE is {', '.join(STATES)} or *")
            key = Finding(match["description"], match["state"], match["method"], match["path"], match["finding"])
            entries[key] = (section, match["reason"])
        else:
            raise BaselineError(f"{where}: outside a [twins] or [declared] section")
    return twins, entries


def declared_as(found, entries):
    """The baseline entry that declares `found`, or None."""
    for key in entries:
        if key.description in ("*", found.description) and key.state in ("*", found.state) \
                and (key.method, key.path, key.finding) == (found.method, found.path, found.finding):
            return key
    return None


def served_routes(app):
    """(method, path) of every route of the gateway's blueprint."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("gateway.")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def descriptions_for(routes, twins):
    """{description: raw document holding exactly the routes it is held against}, under the
    gateway's /v1 (its paths prefixed with /api, IBeam's /portal twins added), and what no
    description covers."""
    raw = {name: json.loads(path.read_text(encoding="utf-8")) for name, path in DESCRIPTIONS.items()}
    kept = {name: {} for name in raw}
    uncovered = []
    for method, path in sorted(routes):
        short = path.removeprefix("/v1/api")
        owner = next((name for name in raw if path.startswith("/v1/api/")
                      and method.lower() in raw[name]["paths"].get(short, {})), None)
        if owner is not None:
            operation = raw[owner]["paths"][short][method.lower()]
        elif (method, path) in twins:
            owner, as_method, as_path = twins[(method, path)]
            operation = copy.deepcopy(raw[owner]["paths"][as_path][as_method.lower()])
            if method == "GET":  # a GET carries no body
                operation.pop("requestBody", None)
                operation["parameters"] = [p for p in operation.get("parameters", []) if p.get("in") != "body"]
        else:
            uncovered.append(f"{method} {path}")
            continue
        kept[owner].setdefault(path.removeprefix("/v1"), {})[method.lower()] = operation
    documents = {}
    for name, document in raw.items():
        if kept[name]:
            documents[name] = {**{k: v for k, v in document.items() if k not in ("paths", "basePath", "servers")},
                               "paths": kept[name]}
    return documents, uncovered


def finding_key(failure, response):
    """The baseline's words for one schemathesis failure."""
    kind = type(failure).__name__
    if kind == "ServerError":
        return f"server error {response.status_code}"
    if kind == "UndefinedStatusCode":
        return f"status {failure.status_code}"
    if kind in ("UndefinedContentType", "MissingContentType"):
        return f"content-type {response.headers.get('content-type', ['(none)'])[0]}"
    if kind == "JsonSchemaError":
        where = "/".join(str(p) for p in failure.instance_path) or "(root)"
        return f"schema {where}: {failure.schema_path[-1] if failure.schema_path else '(root)'}"
    return f"{kind}: {getattr(failure, 'title', '')}"


class Run:
    """Findings of the descriptions' operations, state by state, against an app in this process
    (`app`) or a served gateway (`base_url`, trusting `ca`, its printed certificate)."""

    def __init__(self, documents, app=None, base_url=None, ca=None, examples=10):
        self.app, self.examples = app, examples
        self.schemas = {}
        for name, document in documents.items():
            schema = schemathesis.openapi.from_dict(document)
            if app is not None:
                schema.app = app
                schema.config.update(base_url="http://localhost/v1")
            else:
                schema.config.update(base_url=base_url.rstrip("/") + "/v1", tls_verify=ca)
            self.schemas[name] = schema
        self.found = {}  # Finding -> an example's message
        self.calls = Counter()  # (state, METHOD, path) -> the cases sent

    def operations(self):
        for name, schema in self.schemas.items():
            for result in schema.get_all_operations():
                yield name, result.ok()

    def check(self, state, operations, examples=None, modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
        for description, operation in operations:
            for mode in modes:
                self._cases(description, state, operation, mode, examples or self.examples)

    def repeat(self, state, operations, times):
        """The same case of each operation `times` in a row (pacing counts them)."""
        for description, operation in operations:
            case = operation.Case()
            for _ in range(times):
                self._send(description, state, operation, case)

    def _cases(self, description, state, operation, mode, examples):
        @given(operation.as_strategy(generation_mode=mode))
        @settings(max_examples=examples, database=None, derandomize=True, deadline=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def call(case):
            self._send(description, state, operation, case)
        try:
            call()
        except Unsatisfiable:
            pass  # negative data for an operation with nothing to negate (no body, no parameters)

    def _send(self, description, state, operation, case):
        self.calls[(state, operation.method.upper(), "/v1" + operation.path)] += 1
        if self.app is not None:
            response = case.call(app=self.app, environ_base={"REMOTE_ADDR": "127.0.0.1"})  # a local program
        else:
            response = case.call(timeout=30)
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException as failed:  # schemathesis's FailureGroup is a BaseExceptionGroup
            if isinstance(failed, (KeyboardInterrupt, SystemExit)):
                raise
            for failure in getattr(failed, "exceptions", [failed]):
                found = Finding(description, state, operation.method.upper(), "/v1" + operation.path,
                                finding_key(failure, response))
                self.found.setdefault(found, str(getattr(failure, "message", failure)).splitlines()[:3])


def problems(found, entries, states):
    """What the check fails on, as lines: server errors, findings the baseline does not declare,
    and entries for `states` it no longer finds (empty: the gateway conforms as declared)."""
    lines = [f"server error: {f.method} {f.path} ({f.state}): {f.finding}" for f in found
             if f.finding.startswith("server error")]
    lines += [f"not declared in tests/specs/conformance-baseline.txt: {f.line()}  | {' | '.join(message)}"
              for f, message in found.items() if declared_as(f, entries) is None]
    matched = {declared_as(f, entries) for f in found}
    lines += [f"no longer found, remove it from the baseline: [{entries[k][0]}] {k.line().replace('REASON', entries[k][1])}"
              for k in entries if k not in matched and k.state in (*states, "*")]
    return lines
