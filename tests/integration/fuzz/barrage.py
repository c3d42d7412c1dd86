"""The bad-input barrage: hand-written hostile requests, then generated ones, to all four APIs.

Every request goes to the services of one run on 127.0.0.1, one after the
other, each with a timeout; the number of generated requests is fixed up
front, so the barrage ends by itself. Each answer is counted by status
code; a 5xx or no answer at all is a finding, kept with a reproducer (and
the body, in test-artifacts/fuzz-5xx/). Every event the gateway acknowledged
(202) is remembered, to be looked for on its ingest topic afterwards.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import hypothesis
from fuzz_rig import APIS, Caller, FuzzServices, others_use_random
from hostile import (
    AVRO_RECORD,
    CONTENT_TYPES,
    FORMULAS,
    NESTED,
    NHS_NUMBERS,
    OVER_LIMIT,
    RAW_BODIES,
    Raw,
    agreement_body,
    attendance_event,
    body_of,
    child_ref,
    directive_body,
    dump,
    hostile_values,
    json_values,
    mutated,
    pick,
    raw_bodies,
)
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from tally import ARTIFACTS, Finding, Tally

TIMEOUT_S = 30.0
SAVED_BODIES = ARTIFACTS / "fuzz-5xx"
MAX_SAVED = 60
# Each API's share of the generated requests (the hand-written ones come on top).
SHARES = {"gateway": 0.35, "consent": 0.27, "alerts": 0.18, "registry": 0.20}
PREVIEW = 160


@dataclass(frozen=True)
class Probe:
    """One request of the barrage."""

    api: str
    operation: str  # "METHOD /template", as the API documents it
    method: str
    path: str  # concrete, already percent-encoded where it must be
    headers: dict[str, Any] = field(default_factory=dict)
    body: bytes | None = None
    name: str = "generated"
    stream: bool = False  # read the status line only (a server-sent event stream)


ENCODED = re.compile(r"(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9._~-])+")


def _segment(value: str) -> str:
    """A path segment: percent-encoded unless it already is (a hostile '%ff' stays)."""
    return value if ENCODED.fullmatch(value) else quote(value, safe="")


HOSTILE_IDS = (
    "%ff",
    "%c0%af",
    "%00",
    "..",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "a" * 5000,
    *FORMULAS[:4],
    *NHS_NUMBERS,
    " ",
    "\u0000x",
    "\U0001f600",
)
HOSTILE_VERSIONS = (
    "\u00b2",
    "\u0663",
    "-1",
    "-2",
    "0",
    "latest",
    "2147483648",
    "1.0",
    "+1",
    "0x1",
    "1e3",
    "9" * 40,
    "%ff",
    "1 ",
)


@dataclass(repr=False)
class Context:
    """What the barrage knows of the services: tokens, and what its setup created."""

    services: FuzzServices
    agreement_id: str = ""
    child: str = ""
    fhir_bundle: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    sent_events: list[tuple[Caller, dict[str, Any]]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Context(run={self.services.suffix!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: FBT001 - its protocol
        """Hypothesis prints strategies' arguments with this: the short form, not every field."""
        printer.text(repr(self))

    @property
    def own(self) -> Caller:
        """The first publisher: the gateway's usual caller."""
        return self.services.tokens.publishers[0]

    @property
    def officer(self) -> Caller:
        """A consent user with both roles."""
        return self.services.tokens.consent["ig-lead"]

    @property
    def manager(self) -> Caller:
        """A duty manager of the alerts service."""
        return self.services.tokens.duty["dsl-northgate"]

    def alerts_of(self, caller: Caller) -> list[str]:
        """The alert ids seeded into the view of the caller's agency."""
        return self.services.alert_ids.get(str(caller.agency), [])


class Barrage:
    """Sends probes, counts answers, remembers acknowledged events and findings."""

    def __init__(self, services: FuzzServices, tally: Tally) -> None:
        self.services = services
        self.tally = tally
        self.client = httpx.Client(timeout=TIMEOUT_S)
        self.acked: dict[str, str] = {}  # event_id -> topic
        self.saved = 0

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    def reproducer(self, probe: Probe, url: str, saved: str | None) -> str:
        """A curl command for the probe, the body shown shortened (and saved when it is long)."""
        parts = [f"curl -X {probe.method} '{url}'"]
        for name, value in probe.headers.items():
            shown = value.decode("latin-1") if isinstance(value, bytes) else value
            parts.append(f"-H {json.dumps(f'{name}: {shown}')}")
        body = probe.body or b""
        if saved:
            parts.append(f"--data-binary @{saved}")
        elif body:
            parts.append(f"--data-binary {json.dumps(body.decode('latin-1'))}")
        preview = repr(body[:PREVIEW]) + (f"... ({len(body)} bytes)" if len(body) > PREVIEW else "")
        return f"{probe.name}: {' '.join(parts)}   # body {preview}"

    def _save(self, probe: Probe) -> str | None:
        if not probe.body or len(probe.body) <= PREVIEW or self.saved >= MAX_SAVED:
            return None
        SAVED_BODIES.mkdir(parents=True, exist_ok=True)
        self.saved += 1
        path = SAVED_BODIES / f"{probe.api}-{self.saved}.bin"
        path.write_bytes(probe.body)
        return str(path.relative_to(ARTIFACTS.parent))

    def _fresh_client(self) -> None:
        """Drop pooled connections: one the server closed after an error is not reused."""
        self.client.close()
        self.client = httpx.Client(timeout=TIMEOUT_S)

    def _exchange(self, probe: Probe, url: str) -> httpx.Response:
        request = self.client.build_request(
            probe.method, url, headers=probe.headers, content=probe.body
        )
        response = self.client.send(request, stream=probe.stream)
        if probe.stream:
            response.close()
        return response

    def send(self, probe: Probe) -> httpx.Response | None:
        """Send one probe; count its answer; note 5xx, no answer and acknowledged events.

        A transport error is tried once more on a new connection (the first may
        have been a kept-alive connection the server had just closed).
        """
        url = self.services.url(probe.api) + probe.path
        try:
            try:
                response = self._exchange(probe, url)
            except httpx.TransportError:
                self._fresh_client()
                response = self._exchange(probe, url)
        except httpx.HTTPError as exc:
            self._fresh_client()
            reproducer = self.reproducer(probe, url, self._save(probe))
            problem = f"no answer ({type(exc).__name__}: {exc})"
            self.tally.find(
                Finding(probe.api, probe.operation, problem, None, reproducer), probe.name
            )
            return None
        self.tally.count(probe.api, probe.operation, response.status_code)
        if response.status_code >= 500:
            self._fresh_client()
            reproducer = self.reproducer(probe, url, self._save(probe))
            text = "" if probe.stream else response.text[:200]
            reproducer += f"\n    answer: {text!r}"
            self.tally.find(
                Finding(
                    probe.api, probe.operation, "server error", response.status_code, reproducer
                ),
                probe.name,
            )
        elif probe.operation == "POST /v1/events" and response.status_code == 202:
            for event in response.json()["events"]:
                self.acked[str(event["event_id"])] = str(event["topic"])
        return response


# ---------------------------------------------------------------- gateway


def _auth_variants(ctx: Context, api: str) -> dict[str, dict[str, Any]]:
    """Authorization headers, good and bad, for an API."""
    own = {"gateway": ctx.own, "consent": ctx.officer, "alerts": ctx.manager}[api]
    foreign = ctx.officer if api != "consent" else ctx.own
    return {
        "own": own.headers,
        "none": {},
        "unknown token": {"Authorization": "Bearer dev-token-nobody"},
        "bearer without a token": {"Authorization": "Bearer"},
        "basic": {"Authorization": "Basic ZGV2OmRldg=="},
        "lower-case scheme": {"authorization": f"bearer {own.token}"},
        "another service's token": foreign.headers,
        "8 KB token": {"Authorization": "Bearer " + "t" * 8192},
        "latin-1 bytes token": {"Authorization": b"Bearer \xff\xfe\xe9"},
        "token with a tab": {"Authorization": "Bearer dev\ttoken"},
    }


def gateway_handwritten(ctx: Context) -> Iterator[Probe]:
    """The brief's hostile cases against the gateway's two POST routes."""
    own, other = ctx.own, ctx.services.tokens.publishers[1]
    events, resolve = "POST /v1/events", "POST /v1/identity/resolve"

    def event(name: str, body: bytes, headers: dict[str, Any] | None = None) -> Probe:
        headers = {**own.headers, "Content-Type": "application/json"} | (headers or {})
        return Probe("gateway", events, "POST", "/v1/events", headers, body, name)

    good = attendance_event(str(own.agency))
    for value in (*NESTED, Raw("9" * 5000, "5000-digit integer")):
        yield event(f"minutes_late: {value.label}", body_of(good | {"minutes_late": value}))
        yield event(f"event_id: {value.label}", body_of(good | {"event_id": value}))
        yield event(f"source: {value.label}", body_of(good | {"source": value}))
    for name, raw in RAW_BODIES:
        yield event(name, raw)
        yield Probe("gateway", resolve, "POST", "/v1/identity/resolve", own.headers, raw, name)
    yield event("body over the limit (6 MiB)", b"[" + b"{}," * (OVER_LIMIT // 3) + b"{}]")
    yield event(
        "event with a 2 MB string",
        body_of(good | {"source": good["source"] | {"system": "s" * 2_000_000}}),
    )
    yield event(
        "2,000 events in one batch",
        body_of([attendance_event(str(own.agency)) for _ in range(2000)]),
    )
    for number in NHS_NUMBERS:
        yield event(
            f"raw NHS number {number!r} as child_ref",
            body_of(attendance_event(str(own.agency)) | {"child_ref": number}),
        )
        yield Probe(
            "gateway",
            resolve,
            "POST",
            "/v1/identity/resolve",
            own.headers,
            body_of({"kind": "nhs_number", "value": number}),
            f"resolve NHS number {number!r}",
        )
    for formula in FORMULAS:
        fresh = attendance_event(str(own.agency))
        yield event(f"formula {formula!r} as child_ref", body_of(fresh | {"child_ref": formula}))
        yield event(
            f"formula {formula!r} as source.system",
            body_of(fresh | {"source": fresh["source"] | {"system": formula}}),
        )
    for content_type in CONTENT_TYPES:
        headers = {"Content-Type": content_type} if content_type else {"Content-Type": ""}
        yield event(
            f"content type {content_type!r}", body_of(attendance_event(str(own.agency))), headers
        )
    yield event(
        "NDJSON with a bad line",
        b'{"a": 1}\n{not json\n',
        {"Content-Type": "application/x-ndjson"},
    )
    yield event(
        "NDJSON of a pretty-printed event",
        json.dumps(attendance_event(str(own.agency)), indent=2).encode(),
        {"Content-Type": "application/x-ndjson"},
    )
    yield event(
        "another agency's event",
        body_of(attendance_event(str(other.agency))),
    )
    for name, headers in _auth_variants(ctx, "gateway").items():
        yield Probe(
            "gateway",
            events,
            "POST",
            "/v1/events",
            {**headers, "Content-Type": "application/json"},
            body_of(attendance_event(str(own.agency))),
            f"token: {name}",
        )


@st.composite
def gateway_probes(draw: st.DrawFn, ctx: Context) -> Probe:
    """A generated request to the gateway."""
    publishers = ctx.services.tokens.publishers
    caller = draw(st.sampled_from(publishers))
    auth_name = draw(st.sampled_from(("own",) * 8 + tuple(_auth_variants(ctx, "gateway"))))
    headers = (
        caller.headers if auth_name == "own" else dict(_auth_variants(ctx, "gateway")[auth_name])
    )
    route = draw(st.sampled_from(("events",) * 8 + ("resolve",) * 2 + ("other",)))
    if route == "other":
        method, path = draw(
            st.sampled_from(
                (("GET", "/v1/events"), ("GET", "/healthz"), ("PUT", "/v1/events"), ("GET", "/v1"))
            )
        )
        return Probe("gateway", f"{method} {path}", method, path, headers, None, auth_name)
    if route == "resolve":
        kind = draw(st.sampled_from(("nhs_number", "upn", "child_ref", "passport", "")))
        document = draw(
            mutated({"kind": kind, "value": draw(st.sampled_from(NHS_NUMBERS))}) | json_values()
        )
        headers |= {"Content-Type": "application/json"}
        return Probe(
            "gateway",
            "POST /v1/identity/resolve",
            "POST",
            "/v1/identity/resolve",
            headers,
            body_of(document),
        )
    shape = draw(st.sampled_from(EVENT_SHAPES))
    if shape == "duplicate" and ctx.sent_events:
        caller, event = draw(pick(ctx.sent_events[-50:]))
        headers = caller.headers if auth_name == "own" else headers
        body, content_type = body_of(event), "application/json"
    else:
        body, content_type = _event_body(draw, ctx, shape, caller)
    if draw(st.integers(0, 9)) == 0:
        content_type = draw(st.sampled_from(CONTENT_TYPES)) or ""
    headers = {**headers, "Content-Type": content_type}
    return Probe("gateway", "POST /v1/events", "POST", "/v1/events", headers, body, shape)


EVENT_SHAPES = (
    *("valid",) * 3,
    "duplicate",
    *("mutated",) * 3,
    "batch",
    "raw",
    "json",
    "ndjson",
    "other agency",
)


def _event_body(draw: st.DrawFn, ctx: Context, shape: str, caller: Caller) -> tuple[bytes, str]:
    """A body of events of one shape, and its content type."""
    agency = str(caller.agency)
    if shape == "valid":
        event = attendance_event(agency)
        if draw(st.booleans()):
            system = draw(st.sampled_from(FORMULAS) | st.text(min_size=1, max_size=40))
            event["source"]["system"] = system
        ctx.sent_events.append((caller, event))
        return body_of(event), "application/json"
    if shape == "batch":
        batch = [attendance_event(agency) for _ in range(draw(st.integers(1, 5)))]
        if draw(st.booleans()):
            index = draw(st.integers(0, len(batch) - 1))
            batch[index] = draw(mutated(batch[index]))
        return body_of(batch), "application/json"
    if shape == "ndjson":
        lines = [attendance_event(agency) for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            lines[0] = draw(mutated(lines[0]))
        return b"\n".join(body_of(line) for line in lines) + b"\n", "application/x-ndjson"
    if shape in {"raw", "json"}:
        body = draw(raw_bodies())[1] if shape == "raw" else body_of(draw(json_values()))
        return body, "application/json"
    if shape == "other agency":
        other = draw(st.sampled_from(ctx.services.tokens.publishers))
        return body_of(attendance_event(str(other.agency))), "application/json"
    return body_of(draw(mutated(attendance_event(agency)))), "application/json"


# ---------------------------------------------------------------- consent


def consent_routes() -> list[tuple[str, str, Callable[[str], str]]]:
    """(method, template, path of an id) of every consent route that takes an id."""
    return [
        ("GET", "/v1/agreements/{agreement_id}", lambda i: f"/v1/agreements/{_segment(i)}"),
        (
            "GET",
            "/v1/agreements/{agreement_id}/versions",
            lambda i: f"/v1/agreements/{_segment(i)}/versions",
        ),
        ("PUT", "/v1/agreements/{agreement_id}", lambda i: f"/v1/agreements/{_segment(i)}"),
        (
            "POST",
            "/v1/agreements/{agreement_id}/retire",
            lambda i: f"/v1/agreements/{_segment(i)}/retire",
        ),
        (
            "GET",
            "/v1/children/{child_ref}/directives",
            lambda i: f"/v1/children/{_segment(i)}/directives",
        ),
        (
            "POST",
            "/v1/children/{child_ref}/directives",
            lambda i: f"/v1/children/{_segment(i)}/directives",
        ),
        (
            "GET",
            "/v1/children/{child_ref}/directives/fhir",
            lambda i: f"/v1/children/{_segment(i)}/directives/fhir",
        ),
        (
            "POST",
            "/v1/children/{child_ref}/directives/fhir",
            lambda i: f"/v1/children/{_segment(i)}/directives/fhir",
        ),
    ]


def _consent_body(ctx: Context, template: str) -> Any:
    if template.endswith("/fhir"):
        return ctx.fhir_bundle
    if "directives" in template:
        return directive_body()
    if template == "/v1/dry-run":
        return {"event": attendance_event("school-100001")}
    body = agreement_body(f"isa-fuzz-{uuid.uuid4().hex[:8]}")
    if template == "/v1/agreements/{agreement_id}":
        del body["id"]
    return body


def consent_handwritten(ctx: Context) -> Iterator[Probe]:
    """The brief's hostile cases against the consent service's routes."""
    officer = {**ctx.officer.headers, "Content-Type": "application/json"}
    writes = [
        ("POST", "/v1/agreements", "/v1/agreements"),
        ("PUT", "/v1/agreements/{agreement_id}", f"/v1/agreements/{ctx.agreement_id}"),
        ("POST", "/v1/children/{child_ref}/directives", f"/v1/children/{ctx.child}/directives"),
        (
            "POST",
            "/v1/children/{child_ref}/directives/fhir",
            f"/v1/children/{ctx.child}/directives/fhir",
        ),
        ("POST", "/v1/dry-run", "/v1/dry-run"),
    ]
    for method, template, path in writes:
        operation = f"{method} {template}"
        base = _consent_body(ctx, template)
        for name, raw in RAW_BODIES:
            yield Probe("consent", operation, method, path, officer, raw, name)
        for value in (*NESTED, Raw("9" * 5000, "5000-digit integer"), "\ud800", "x" * 2_000_000):
            for key in list(base)[:3]:
                label = value.label if isinstance(value, Raw) else repr(value[:8])
                yield Probe(
                    "consent",
                    operation,
                    method,
                    path,
                    officer,
                    body_of(base | {key: value}),
                    f"{key}: {label}",
                )
        for formula in FORMULAS:
            key = "note" if "directives" in template and not template.endswith("fhir") else "title"
            yield Probe(
                "consent",
                operation,
                method,
                path,
                officer,
                body_of(base | {key: formula}),
                f"formula in {key}",
            )
        yield Probe(
            "consent",
            operation,
            method,
            path,
            officer,
            b"[" + b"1," * (OVER_LIMIT // 2) + b"1]",
            "6 MiB body",
        )
        for content_type in CONTENT_TYPES:
            yield Probe(
                "consent",
                operation,
                method,
                path,
                {**ctx.officer.headers, "Content-Type": content_type or ""},
                body_of(base),
                f"content type {content_type!r}",
            )
        yield Probe(
            "consent",
            operation,
            method,
            path,
            {**ctx.services.tokens.consent["auditor"].headers, "Content-Type": "application/json"},
            body_of(base),
            "auditor token on an officer's route",
        )
    for number in (*NHS_NUMBERS, *FORMULAS[:3]):
        for method, template, path_of in consent_routes()[4:]:
            body = body_of(_consent_body(ctx, template)) if method == "POST" else None
            yield Probe(
                "consent",
                f"{method} {template}",
                method,
                path_of(number),
                officer,
                body,
                f"child_ref {number!r}",
            )
        yield Probe(
            "consent",
            "GET /v1/audit",
            "GET",
            f"/v1/audit?child_ref={quote(number)}",
            ctx.officer.headers,
            None,
            f"audit of child_ref {number!r}",
        )
    for name, headers in _auth_variants(ctx, "consent").items():
        yield Probe(
            "consent",
            "POST /v1/agreements",
            "POST",
            "/v1/agreements",
            {**headers, "Content-Type": "application/json"},
            body_of(_consent_body(ctx, "/v1/agreements")),
            f"token: {name}",
        )


@st.composite
def consent_probes(draw: st.DrawFn, ctx: Context) -> Probe:
    """A generated request to the consent service."""
    users = ctx.services.tokens.consent
    auth_name = draw(st.sampled_from(("own",) * 6 + tuple(_auth_variants(ctx, "consent"))))
    headers = (
        draw(st.sampled_from(list(users.values()))).headers
        if auth_name == "own"
        else dict(_auth_variants(ctx, "consent")[auth_name])
    )
    route = draw(
        st.sampled_from(
            ("id",) * 6 + ("create",) * 3 + ("dry-run",) * 2 + ("list", "reference", "audit")
        )
    )
    if route in {"list", "reference"}:
        path = "/v1/agreements" if route == "list" else "/v1/reference"
        return Probe("consent", f"GET {path}", "GET", path, headers)
    if route == "audit":
        child = draw(pick((ctx.child, *HOSTILE_IDS)))
        fmt = draw(st.sampled_from(("json", "csv", "xml", "")))
        path = f"/v1/audit?child_ref={_segment(child)}&format={fmt}"
        return Probe("consent", "GET /v1/audit", "GET", path, headers)
    if route in {"create", "dry-run"}:
        template = "/v1/agreements" if route == "create" else "/v1/dry-run"
        method, routes_path = "POST", template
    else:
        method, template, path_of = draw(st.sampled_from(consent_routes()))
        known = ctx.agreement_id if "agreement_id" in template else ctx.child
        routes_path = path_of(draw(pick((known, known, known, *HOSTILE_IDS))))
        if template.endswith(("/fhir", "/retire")):
            query = "version" if template.endswith("/fhir") else "based_on_version"
            value = draw(st.sampled_from(("R5", "R4", "1", "0", "-1", "9" * 30, "%ff", "")))
            routes_path += f"?{query}={value}"
    body = None
    if method in {"POST", "PUT"} and not template.endswith("/retire"):
        base = _consent_body(ctx, template)
        shape = draw(st.sampled_from(("valid", "mutated", "mutated", "mutated", "raw", "json")))
        if shape == "raw":
            body = draw(raw_bodies())[1]
        elif shape == "json":
            body = body_of(draw(json_values()))
        else:
            body = body_of(base if shape == "valid" else draw(mutated(base)))
        headers = {
            **headers,
            "Content-Type": draw(st.sampled_from(CONTENT_TYPES)) or "application/json",
        }
    return Probe("consent", f"{method} {template}", method, routes_path, headers, body)


# ---------------------------------------------------------------- alerts


def alerts_handwritten(ctx: Context) -> Iterator[Probe]:
    """Hostile alert ids, assignees, sign-in bodies, tokens and feed callers."""
    manager = ctx.manager
    mine = ctx.alerts_of(manager)
    other = ctx.services.tokens.duty["duty-desk"]
    json_manager = {**manager.headers, "Content-Type": "application/json"}
    for alert_id in (*mine[:1], *ctx.alerts_of(other)[:1], *HOSTILE_IDS):
        segment = _segment(alert_id)
        for method, template in (
            ("GET", "/api/alerts/{alert_id}"),
            ("GET", "/api/alerts/{alert_id}/evidence"),
            ("GET", "/alerts/{alert_id}/evidence"),
            ("POST", "/api/alerts/{alert_id}/acknowledge"),
        ):
            path = template.replace("{alert_id}", segment)
            yield Probe(
                "alerts",
                f"{method} {template}",
                method,
                path,
                manager.headers,
                None,
                f"alert id {alert_id[:20]!r}",
            )
    assign = "POST /api/alerts/{alert_id}/assign"
    path = f"/api/alerts/{mine[0]}/assign"
    for value in (
        *FORMULAS,
        *NHS_NUMBERS,
        *NESTED,
        Raw("9" * 5000, "5000-digit integer"),
        "\ud800",
        "x" * 1_000_000,
        None,
        7,
    ):
        label = value.label if isinstance(value, Raw) else repr(value)[:20]
        yield Probe(
            "alerts",
            assign,
            "POST",
            path,
            json_manager,
            body_of({"assignee": value}),
            f"assignee {label}",
        )
    for name, raw in RAW_BODIES:
        yield Probe("alerts", assign, "POST", path, json_manager, raw, name)
        yield Probe(
            "alerts",
            "POST /signin",
            "POST",
            "/signin",
            {"Content-Type": "application/x-www-form-urlencoded"},
            raw,
            f"sign-in body: {name}",
        )
    yield Probe(
        "alerts",
        assign,
        "POST",
        path,
        {**ctx.services.tokens.duty["duty-worker-la"].headers, "Content-Type": "application/json"},
        body_of({"assignee": "vsh"}),
        "a worker of another agency assigns",
    )
    yield Probe(
        "alerts",
        "POST /signin",
        "POST",
        "/signin",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"token=" + b"A" * OVER_LIMIT,
        "6 MiB sign-in body",
    )
    for name, headers in _auth_variants(ctx, "alerts").items():
        yield Probe(
            "alerts", "GET /api/alerts", "GET", "/api/alerts", headers, None, f"token: {name}"
        )
        yield Probe(
            "alerts",
            "GET /feed",
            "GET",
            "/feed",
            headers,
            None,
            f"feed, token: {name}",
            stream=True,
        )
    cookie = {"Cookie": "joinedup_alerts_session=" + "%ff" * 50}
    yield Probe(
        "alerts",
        "POST /api/alerts/{alert_id}/acknowledge",
        "POST",
        f"/api/alerts/{mine[0]}/acknowledge",
        cookie,
        None,
        "unknown session cookie",
    )
    yield Probe(
        "alerts",
        "GET /api/alerts",
        "GET",
        f"/api/alerts?agency={_segment(str(other.agency))}",
        manager.headers,
        None,
        "another agency's alerts",
    )


@st.composite
def alerts_probes(draw: st.DrawFn, ctx: Context) -> Probe:
    """A generated request to the alerts service."""
    users = list(ctx.services.tokens.duty.values())
    caller = draw(st.sampled_from(users))
    auth_name = draw(st.sampled_from(("own",) * 6 + tuple(_auth_variants(ctx, "alerts"))))
    headers = (
        caller.headers if auth_name == "own" else dict(_auth_variants(ctx, "alerts")[auth_name])
    )
    seeded = [i for ids in ctx.services.alert_ids.values() for i in ids]
    alert_id = _segment(draw(pick((*seeded, *HOSTILE_IDS)) | st.text(min_size=1, max_size=30)))
    method, template = draw(
        st.sampled_from(
            (
                ("GET", "/api/alerts"),
                ("GET", "/api/me"),
                ("GET", "/api/alerts/{alert_id}"),
                ("GET", "/api/alerts/{alert_id}/evidence"),
                ("GET", "/alerts/{alert_id}/evidence"),
                ("POST", "/api/alerts/{alert_id}/acknowledge"),
                ("POST", "/api/alerts/{alert_id}/assign"),
                ("POST", "/api/alerts/{alert_id}/assign"),
                ("POST", "/signin"),
                ("POST", "/signout"),
                ("GET", "/"),
                ("GET", "/signin"),
            )
        )
    )
    path = template.replace("{alert_id}", alert_id)
    body = None
    if template == "/api/alerts":
        agency = draw(pick((str(caller.agency), *[str(u.agency) for u in users], *HOSTILE_IDS)))
        path += f"?agency={_segment(agency)}" if draw(st.booleans()) else ""
    elif template.endswith("/assign"):
        assignee = draw(st.sampled_from(list(ctx.services.tokens.duty)) | hostile_values())
        body = body_of(
            draw(mutated({"assignee": "vsh"})) if draw(st.booleans()) else {"assignee": assignee}
        )
        headers = {**headers, "Content-Type": "application/json"}
    elif template == "/signin" and method == "POST":
        token = draw(st.sampled_from([u.token for u in users]) | st.text(max_size=50))
        body = draw(pick((f"token={quote(token)}".encode(), *(raw for _, raw in RAW_BODIES))))
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return Probe("alerts", f"{method} {template}", method, path, headers, body)


# ---------------------------------------------------------------- registry


def registry_handwritten(ctx: Context) -> Iterator[Probe]:
    """Hostile subjects, versions, schemas and config bodies against the registry."""
    json_type = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
    subject = ctx.subject
    for version in HOSTILE_VERSIONS:
        for method, template in (
            ("GET", "/subjects/{subject}/versions/{version}"),
            ("GET", "/subjects/{subject}/versions/{version}/schema"),
            ("POST", "/compatibility/subjects/{subject}/versions/{version}"),
        ):
            path = template.replace("{subject}", subject).replace("{version}", _segment(version))
            body = body_of({"schema": AVRO_RECORD}) if method == "POST" else None
            yield Probe(
                "registry",
                f"{method} {template}",
                method,
                path,
                json_type,
                body,
                f"version {version!r}",
            )
        yield Probe(
            "registry",
            "GET /schemas/ids/{schema_id}",
            "GET",
            f"/schemas/ids/{_segment(version)}",
            {},
            None,
            f"schema id {version!r}",
        )
    for hostile in HOSTILE_IDS:
        path = f"/subjects/{_segment(hostile)}/versions"
        yield Probe(
            "registry",
            "POST /subjects/{subject}/versions",
            "POST",
            path,
            json_type,
            body_of({"schema": AVRO_RECORD}),
            f"subject {hostile[:20]!r}",
        )
        yield Probe(
            "registry",
            "GET /config/{subject}",
            "GET",
            f"/config/{_segment(hostile)}",
            {},
            None,
            f"config of subject {hostile[:20]!r}",
        )
    register = f"/subjects/{subject}/versions"
    record = json.loads(AVRO_RECORD)
    schemas = {
        "schema nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
        "schema objects 20,000 deep": '{"type":' * 20_000 + '"int"' + "}" * 20_000,
        "schema default of 5000 digits": AVRO_RECORD.replace(
            '"long"]', '"long"], "default": ' + "9" * 5000
        ),
        "schema with a 2 MB doc": json.dumps(record | {"doc": "d" * 2_000_000}),
        "fixed of size 5000 digits": '{"type": "fixed", "name": "F", "size": ' + "9" * 5000 + "}",
        "schema with a lone surrogate name": json.dumps(record | {"name": "\ud800"}),
        "schema with a formula name": json.dumps(record | {"name": "=1+1"}),
        "recursive union": json.dumps(["null", ["null", "int"]]),
        "enum with 5000-digit symbol": json.dumps(
            {"type": "enum", "name": "E", "symbols": ["9" * 5000]}
        ),
        "not JSON": "{",
        "primitive": '"string"',
    }
    for name, text in schemas.items():
        for schema_type in ("AVRO", "PROTOBUF", "\u0000"):
            yield Probe(
                "registry",
                "POST /subjects/{subject}/versions",
                "POST",
                register,
                json_type,
                body_of({"schema": text, "schemaType": schema_type}),
                f"{name}, type {schema_type!r}",
            )
    for name, raw in RAW_BODIES:
        yield Probe(
            "registry", "POST /subjects/{subject}/versions", "POST", register, json_type, raw, name
        )
        yield Probe("registry", "PUT /config", "PUT", "/config", json_type, raw, name)
    for value in (*FORMULAS[:3], *NESTED, Raw("9" * 5000, "5000-digit integer"), "\ud800", None):
        label = value.label if isinstance(value, Raw) else repr(value)[:20]
        yield Probe(
            "registry",
            "PUT /config/{subject}",
            "PUT",
            f"/config/{subject}",
            json_type,
            body_of({"compatibility": value}),
            f"level {label}",
        )
        yield Probe(
            "registry",
            "POST /subjects/{subject}/versions",
            "POST",
            register,
            json_type,
            body_of({"schema": value, "references": value}),
            f"schema {label}",
        )
    yield Probe(
        "registry",
        "POST /subjects/{subject}/versions",
        "POST",
        register,
        json_type,
        b'{"schema": "' + b"x" * OVER_LIMIT + b'"}',
        "6 MiB schema",
    )


@st.composite
def registry_probes(draw: st.DrawFn, ctx: Context) -> Probe:
    """A generated request to the registry."""
    subject = _segment(
        draw(pick((ctx.subject,) * 4 + HOSTILE_IDS) | st.text(min_size=1, max_size=20))
    )
    version = _segment(
        draw(st.sampled_from(("1", "latest", *HOSTILE_VERSIONS)) | st.integers().map(str))
    )
    method, template = draw(
        st.sampled_from(
            (
                ("GET", "/subjects"),
                ("GET", "/subjects/{subject}/versions"),
                ("POST", "/subjects/{subject}/versions"),
                ("POST", "/subjects/{subject}/versions"),
                ("POST", "/subjects/{subject}"),
                ("GET", "/subjects/{subject}/versions/{version}"),
                ("GET", "/subjects/{subject}/versions/{version}/schema"),
                ("DELETE", "/subjects/{subject}/versions/{version}"),
                ("POST", "/compatibility/subjects/{subject}/versions/{version}"),
                ("POST", "/compatibility/subjects/{subject}/versions"),
                ("GET", "/schemas/ids/{schema_id}"),
                ("GET", "/config/{subject}"),
                ("PUT", "/config/{subject}"),
                ("PUT", "/config"),
            )
        )
    )
    path = template.replace("{subject}", subject).replace("{version}", version)
    path = path.replace("{schema_id}", version)
    query = draw(
        st.sampled_from(
            (
                "",
                "?deleted=true",
                "?deleted=maybe",
                "?verbose=true",
                "?permanent=true",
                "?defaultToGlobal=%ff",
            )
        )
    )
    body = None
    headers: dict[str, Any] = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
    if method in {"POST", "PUT"}:
        if template.startswith("/config"):
            level = draw(
                st.sampled_from(("BACKWARD", "FULL_TRANSITIVE", "NONE")) | hostile_values()
            )
            document: Any = {"compatibility": level}
        else:
            schema = json.loads(AVRO_RECORD)
            text = dump(draw(mutated(schema))) if draw(st.booleans()) else AVRO_RECORD
            document = {
                "schema": text,
                "schemaType": draw(st.sampled_from(("AVRO", "JSON", "PROTOBUF", ""))),
            }
        shape = draw(st.sampled_from(("drawn", "mutated", "mutated", "raw", "json")))
        if shape == "raw":
            body = draw(raw_bodies())[1]
        elif shape == "json":
            body = body_of(draw(json_values()))
        elif shape == "mutated":
            valid = (
                {"compatibility": "BACKWARD"}
                if template.startswith("/config")
                else {"schema": AVRO_RECORD, "schemaType": "AVRO"}
            )
            body = body_of(draw(mutated(valid)))
        else:
            body = body_of(document)
    return Probe("registry", f"{method} {template}", method, path + query, headers, body)


# ---------------------------------------------------------------- the run

HANDWRITTEN: dict[str, Callable[[Context], Iterator[Probe]]] = {
    "gateway": gateway_handwritten,
    "consent": consent_handwritten,
    "alerts": alerts_handwritten,
    "registry": registry_handwritten,
}
GENERATED: dict[str, Callable[[Context], st.SearchStrategy[Probe]]] = {
    "gateway": gateway_probes,
    "consent": consent_probes,
    "alerts": alerts_probes,
    "registry": registry_probes,
}


def set_up(barrage: Barrage, ctx: Context) -> None:
    """Create what routes need to meet: an agreement, a child's directive, a schema."""
    ctx.agreement_id = f"isa-fuzz-{uuid.uuid4().hex[:8]}"
    ctx.child = child_ref()
    ctx.subject = f"fuzz-{uuid.uuid4().hex[:8]}-value"
    officer = {**ctx.officer.headers, "Content-Type": "application/json"}
    steps = [
        Probe(
            "consent",
            "POST /v1/agreements",
            "POST",
            "/v1/agreements",
            officer,
            body_of(agreement_body(ctx.agreement_id)),
            "set-up",
        ),
        Probe(
            "consent",
            "POST /v1/children/{child_ref}/directives",
            "POST",
            f"/v1/children/{ctx.child}/directives",
            officer,
            body_of(directive_body() | {"id": "dir-fuzz"}),
            "set-up",
        ),
        Probe(
            "registry",
            "POST /subjects/{subject}/versions",
            "POST",
            f"/subjects/{ctx.subject}/versions",
            {"Content-Type": "application/json"},
            body_of({"schema": AVRO_RECORD}),
            "set-up",
        ),
    ]
    for step in steps:
        answer = barrage.send(step)
        if answer is None or not answer.is_success:
            msg = f"set-up {step.operation} failed: {answer and answer.text[:300]}"
            raise AssertionError(msg)
    bundle = barrage.send(
        Probe(
            "consent",
            "GET /v1/children/{child_ref}/directives/fhir",
            "GET",
            f"/v1/children/{ctx.child}/directives/fhir",
            ctx.officer.headers,
            None,
            "set-up",
        )
    )
    assert bundle is not None
    assert bundle.status_code == 200, bundle.text[:300]
    ctx.fhir_bundle = bundle.json()


def generate(barrage: Barrage, ctx: Context, api: str, count: int, seed: int | None) -> None:
    """Send `count` generated requests to one API (hypothesis; fixed seed unless given one)."""

    @hypothesis.settings(
        max_examples=count,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(probe=GENERATED[api](ctx))
    def run(probe: Probe) -> None:
        barrage.send(probe)

    if seed is not None:
        run = hypothesis.seed(seed)(run)
    with others_use_random():
        run()


@dataclass
class BarrageResult:
    """What one barrage did and found."""

    tally: Tally
    acked: dict[str, str]
    health: dict[str, int | None]
    seconds: float
    handwritten: int


def health(barrage: Barrage, ctx: Context) -> dict[str, int | None]:
    """Status of each service's /healthz and /readyz afterwards (and a real request to each)."""
    found: dict[str, int | None] = {}
    for api in APIS:
        for path in ("/healthz", "/readyz"):
            answer = barrage.send(Probe(api, f"GET {path}", "GET", path, name="health afterwards"))
            found[f"{api} {path}"] = answer.status_code if answer is not None else None
    checks = {
        "gateway accepts an event": Probe(
            "gateway",
            "POST /v1/events",
            "POST",
            "/v1/events",
            {**ctx.own.headers, "Content-Type": "application/json"},
            body_of(attendance_event(str(ctx.own.agency))),
            "health afterwards",
        ),
        "consent lists agreements": Probe(
            "consent",
            "GET /v1/agreements",
            "GET",
            "/v1/agreements",
            ctx.officer.headers,
            None,
            "health afterwards",
        ),
        "alerts lists alerts": Probe(
            "alerts",
            "GET /api/alerts",
            "GET",
            "/api/alerts",
            ctx.manager.headers,
            None,
            "health afterwards",
        ),
        "registry lists subjects": Probe(
            "registry", "GET /subjects", "GET", "/subjects", {}, None, "health afterwards"
        ),
    }
    for name, probe in checks.items():
        answer = barrage.send(probe)
        found[name] = answer.status_code if answer is not None else None
    return found


def run_barrage(
    services: FuzzServices,
    generated: int = 2000,
    seed: int | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> BarrageResult:
    """Set up, send the hand-written probes, then `generated` generated ones; check health."""
    tally = Tally()
    barrage = Barrage(services, tally)
    ctx = Context(services)
    started = time.monotonic()
    try:
        set_up(barrage, ctx)
        handwritten = 0
        for api in APIS:
            for probe in HANDWRITTEN[api](ctx):
                barrage.send(probe)
                handwritten += 1
            elapsed = time.monotonic() - started
            log(f"{api}: {handwritten} hand-written requests sent ({elapsed:.0f}s)")
        for api in APIS:
            generate(barrage, ctx, api, round(generated * SHARES[api]), seed)
            log(f"{api}: generated requests sent ({time.monotonic() - started:.0f}s)")
        found = health(barrage, ctx)
    finally:
        barrage.close()
    alive = {f"{api} thread": int(app.alive) for api, app in services.apps.items()}
    return BarrageResult(
        tally, barrage.acked, found | alive, time.monotonic() - started, handwritten
    )
