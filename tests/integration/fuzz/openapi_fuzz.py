"""Schemathesis against a running service's /openapi.json: bounded examples per operation.

For each operation, positive and negative cases are generated (hypothesis,
derandomized, so CI sends the same requests each run) with a valid token,
then negative cases without one. Each response is counted by status code and
checked: not a server error, and the body conforms to the documented schema
(plus the status code is a documented one, for an API that documents its
errors). Failures are collected, not raised, so one run finds them all.

Some operations read their body straight from the request and so document
none; for those the fuzz adds a minimal body schema (`UNDECLARED_BODIES`,
written from the code) so bodies are generated at all.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hypothesis
import requests
import schemathesis
from fuzz_rig import FuzzServices, others_use_random
from hypothesis import HealthCheck, Phase
from hypothesis.errors import HypothesisException
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from tally import Finding, Tally

TIMEOUT_S = 30.0
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

SCHEMA_BODY = {
    "type": "object",
    "required": ["schema"],
    "properties": {
        "schema": {"type": "string"},
        "schemaType": {"type": "string"},
        "references": {"type": "array"},
    },
}
LEVEL_BODY = {
    "type": "object",
    "required": ["compatibility"],
    "properties": {"compatibility": {"type": "string"}},
}
IDENTIFIER = {
    "type": "object",
    "required": ["kind", "value"],
    "properties": {"kind": {"type": "string"}, "value": {"type": "string"}},
}
# Operations whose body the code reads but the document does not describe.
UNDECLARED_BODIES: dict[str, dict[tuple[str, str], tuple[str, dict[str, Any]]]] = {
    "gateway": {
        ("post", "/v1/events"): (
            "application/json",
            {"anyOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
        ),
        ("post", "/v1/identity/resolve"): (
            "application/json",
            {
                "anyOf": [
                    IDENTIFIER,
                    {
                        "type": "object",
                        "required": ["identifiers"],
                        "properties": {"identifiers": {"type": "array", "items": IDENTIFIER}},
                    },
                ]
            },
        ),
    },
    "registry": {
        ("post", "/subjects/{subject}/versions"): ("application/json", SCHEMA_BODY),
        ("post", "/subjects/{subject}"): ("application/json", SCHEMA_BODY),
        ("post", "/compatibility/subjects/{subject}/versions"): ("application/json", SCHEMA_BODY),
        ("post", "/compatibility/subjects/{subject}/versions/{version}"): (
            "application/json",
            SCHEMA_BODY,
        ),
        ("put", "/config"): ("application/json", LEVEL_BODY),
        ("put", "/config/{subject}"): ("application/json", LEVEL_BODY),
    },
    "alerts": {
        ("post", "/signin"): (
            "application/x-www-form-urlencoded",
            {"type": "object", "properties": {"token": {"type": "string"}}},
        ),
    },
}
# Operations left out, and why.
EXCLUDED: dict[str, dict[str, str]] = {
    "alerts": {
        "GET /feed": "a server-sent event stream that stays open (the barrage calls it streamed)",
    },
}


@dataclass(frozen=True)
class Plan:
    """One batch of cases for an operation: how they are generated, and who sends them."""

    mode: GenerationMode
    headers: dict[str, str] | None  # a valid token, or None: the generated header or none
    in_schema: bool  # the token goes in the generated case (declared header) or the call


def plans(api: str, services: FuzzServices) -> list[Plan]:
    """Valid-token positive and negative cases, then negative ones with the generated token."""
    tokens = services.tokens
    if api == "registry":
        return [
            Plan(GenerationMode.POSITIVE, None, False),
            Plan(GenerationMode.NEGATIVE, None, False),
        ]
    if api == "gateway":
        caller, declared = tokens.publishers[0], True
    elif api == "consent":
        caller, declared = tokens.consent["ig-lead"], True
    else:
        caller, declared = tokens.duty["dsl-northgate"], False
    headers = {"authorization": f"Bearer {caller.token}"}
    return [
        Plan(GenerationMode.POSITIVE, headers, declared),
        Plan(GenerationMode.NEGATIVE, headers, declared),
        Plan(GenerationMode.NEGATIVE, None, declared),
    ]


def documented_statuses(document: dict[str, Any]) -> dict[str, set[int]]:
    """Per operation ("METHOD /path"), the status codes its document lists."""
    found: dict[str, set[int]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                found[f"{method.upper()} {path}"] = {
                    int(code) for code in operation.get("responses", {}) if code.isdigit()
                }
    return found


def declares_errors(document: dict[str, Any]) -> bool:
    """Whether every operation of the document lists at least one 4xx answer."""
    return all(
        any(400 <= status < 500 for status in statuses)
        for statuses in documented_statuses(document).values()
    )


def with_bodies(api: str, document: dict[str, Any]) -> dict[str, Any]:
    """The document, with a body schema for each operation that reads one undocumented."""
    patched = copy.deepcopy(document)
    for (method, path), (media_type, schema) in UNDECLARED_BODIES.get(api, {}).items():
        operation = patched["paths"][path][method]
        if "requestBody" not in operation:
            operation["requestBody"] = {
                "required": True,
                "content": {media_type: {"schema": schema}},
            }
    return patched


def _problem(failure: Exception) -> str:
    title = getattr(failure, "title", type(failure).__name__)
    return f"{type(failure).__name__}: {title}"


def _send(case: Any, base_url: str, session: requests.Session, headers: dict[str, str] | None):
    return case.call(
        base_url=base_url,
        session=session,
        headers=headers,
        timeout=TIMEOUT_S,
        allow_redirects=False,
    )


def fuzz_operation(
    api: str,
    operation: Any,
    base_url: str,
    plan: Plan,
    examples: int,
    checks: list[Callable[..., Any]],
    tally: Tally,
) -> None:
    """Send up to `examples` generated cases of one plan; count and check every answer."""
    session = requests.Session()
    label = operation.label
    fixed = plan.headers if plan.in_schema else None
    at_call = None if plan.in_schema else plan.headers

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(case=operation.as_strategy(plan.mode, headers=fixed))
    def run(case: Any) -> None:
        try:
            response = _send(case, base_url, session, at_call)
        except requests.RequestException as exc:
            tally.find(Finding(api, label, f"no answer: {exc!r}", None, case.as_curl_command()))
            return
        tally.count(api, label, response.status_code)
        try:
            case.validate_response(response, checks=checks, headers=at_call)
        except FailureGroup as group:
            curl = case.as_curl_command(headers=at_call, base_url=base_url)
            for failure in group.exceptions:
                tally.find(Finding(api, label, _problem(failure), response.status_code, curl))

    try:
        with others_use_random():
            run()
    except HypothesisException as exc:  # e.g. nothing to negate in this operation
        tally.note(api, f"{label} {plan.mode.value}: no cases ({type(exc).__name__})")
    finally:
        session.close()


def fuzz_api(api: str, services: FuzzServices, examples: int, tally: Tally) -> dict[str, Any]:
    """Fuzz every operation of one API; return what its document declares (for the report)."""
    base_url = services.url(api)
    document = requests.get(f"{base_url}/openapi.json", timeout=TIMEOUT_S).json()
    schema = schemathesis.openapi.from_dict(
        with_bodies(api, document), config=schemathesis.Config()
    )
    checks: list[Callable[..., Any]] = [not_a_server_error, response_schema_conformance]
    errors_declared = declares_errors(document)
    if errors_declared:
        checks.append(status_code_conformance)
    excluded = EXCLUDED.get(api, {})
    for label, reason in excluded.items():
        tally.note(api, f"{label} not fuzzed: {reason}")
    for method, path in UNDECLARED_BODIES.get(api, {}):
        tally.note(api, f"{method.upper()} {path}: reads a body its document does not describe")
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in excluded:
            continue
        for plan in plans(api, services):
            fuzz_operation(api, operation, base_url, plan, examples, checks, tally)
    statuses = documented_statuses(document)
    return {
        "errors_documented": errors_declared,
        "without_documented_errors": sorted(
            label
            for label, codes in statuses.items()
            if not any(400 <= code < 500 for code in codes)
        ),
        "documented_statuses": {label: sorted(codes) for label, codes in statuses.items()},
    }
