"""Hostile JSON gets a clear 4xx on every route that reads JSON, and never a logged traceback."""

import json
import logging

import httpx
import pytest
from gateway_rig import attendance
from rigs.serving import serving

from services.gateway.bootstrap import build_gateway

pytestmark = pytest.mark.integration

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE_NUMBER = "9" * 5_000


@pytest.fixture
async def served(bus_settings, schema_source, gateway_options, unique_name):
    """The gateway behind uvicorn, as `joinedup gateway serve` runs it, and its agency."""
    app = build_gateway(bus_settings, schema_source, gateway_options)
    agency = unique_name("school")
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer dev-token-{agency}"
        yield client, agency


def _assert_no_traceback(caplog):
    logged = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert logged == [], [r.getMessage() for r in logged]


def _body_with_huge_number(agency):
    text = json.dumps(attendance(agency, minutes_late=0))
    return text.replace('"minutes_late": 0', f'"minutes_late": {HUGE_NUMBER}').encode()


def _body_with_repeated_key(agency):
    text = json.dumps(attendance(agency, register_code="N"))
    return (text[:-1] + ', "register_code": "L"}').encode()


def _body_with_lone_surrogate(agency):
    source = {"agency": agency, "system": "\ud800", "practitioner_role": None}
    return json.dumps(attendance(agency, source=source)).encode()


EVENT_BODIES = [
    ("deep nesting", lambda _: DEEP, 422, "nested deeper than"),
    ("huge integer", _body_with_huge_number, 422, "number of 5000 characters"),
    ("repeated key", _body_with_repeated_key, 422, "'register_code' twice"),
    ("lone surrogate", _body_with_lone_surrogate, 400, "surrogate"),
    ("not UTF-8", lambda _: b'{"system": "\xff"}', 400, "UTF-8"),
]


class TestEventsRoute:
    @pytest.mark.parametrize(("case", "body", "status", "words"), EVENT_BODIES)
    async def test_hostile_body_is_a_clear_client_error(
        self, served, caplog, case, body, status, words
    ):
        """Each hostile body is a 4xx naming the problem, with no traceback logged."""
        client, agency = served
        caplog.set_level(logging.INFO)
        response = await client.post("/v1/events", content=body(agency))
        assert response.status_code == status, (case, response.text)
        assert words in response.json()["error"], response.text
        _assert_no_traceback(caplog)

    async def test_limits_of_one_ndjson_line_name_the_line(self, served, caplog):
        """A line of NDJSON beyond the limits is refused naming its line."""
        client, agency = served
        caplog.set_level(logging.INFO)
        body = json.dumps(attendance(agency)).encode() + b"\n" + DEEP + b"\n"
        headers = {"Content-Type": "application/x-ndjson"}
        response = await client.post("/v1/events", content=body, headers=headers)
        assert response.status_code == 422, response.text
        assert "line 2" in response.json()["error"]
        _assert_no_traceback(caplog)

    async def test_a_body_within_the_limits_is_still_accepted(self, served):
        """Ordinary events pass the reader's limits."""
        client, agency = served
        response = await client.post("/v1/events", json=[attendance(agency), attendance(agency)])
        assert response.status_code == 202, response.text


class TestResolveRoute:
    @pytest.mark.parametrize(
        ("body", "words"),
        [
            (DEEP, "nested deeper than"),
            (f'{{"kind": "upn", "value": {HUGE_NUMBER}}}'.encode(), "number of 5000"),
        ],
    )
    async def test_hostile_body_is_a_clear_client_error(self, served, caplog, body, words):
        """The identity route reads JSON through the same limits."""
        client, _ = served
        caplog.set_level(logging.INFO)
        response = await client.post("/v1/identity/resolve", content=body)
        assert response.status_code == 422, response.text
        assert words in response.json()["error"]
        _assert_no_traceback(caplog)
