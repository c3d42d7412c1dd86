"""A small Grafana dashboard and a fake Prometheus speaking the real HTTP API's wire format."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.dashboard.prometheus import PrometheusClient

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>&\x00\x1b"'

DASHBOARD: dict[str, Any] = {
    "title": "Joined-up",
    "schemaVersion": 39,
    "templating": {
        "list": [
            {"name": "app", "current": {"value": "joinedup-router"}},
            {"name": "agency", "current": {"value": ["school", "police"]}},
            {"name": "everything", "current": {"value": ["$__all"]}, "allValue": ".+"},
        ]
    },
    "panels": [
        {
            "type": "stat",
            "title": "Open alerts",
            "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
            "targets": [{"expr": "sum(joinedup_alerts_open)", "refId": "A"}],
        },
        {"type": "row", "title": "Flow", "gridPos": {"x": 0, "y": 4, "w": 24, "h": 1}},
        {
            "type": "timeseries",
            "title": "Records in per topic",
            "gridPos": {"x": 0, "y": 5, "w": 12, "h": 8},
            "fieldConfig": {"defaults": {"unit": "reqps", "decimals": 1}},
            "targets": [
                {
                    "expr": "sum by (topic) (rate(joinedup_records_consumed_total"
                    '{app="$app"}[$__rate_interval]))',
                    "legendFormat": "{{topic}}",
                    "refId": "A",
                },
                {"expr": "hidden_query", "hide": True, "refId": "B"},
            ],
        },
        {
            "type": "timeseries",
            "title": "Commit latency",
            "gridPos": {"x": 12, "y": 5, "w": 12, "h": 8},
            "fieldConfig": {"defaults": {"unit": "s"}},
            "targets": [{"expr": "broken(", "legendFormat": "p99"}],
        },
        {
            "type": "row",
            "title": "Collapsed",
            "collapsed": True,
            "gridPos": {"x": 0, "y": 13, "w": 24, "h": 1},
            "panels": [
                {
                    "type": "text",
                    "title": "Notes",
                    "gridPos": {"x": 0, "y": 14, "w": 24, "h": 3},
                }
            ],
        },
    ],
}


def dashboard_json() -> dict[str, Any]:
    """A fresh copy of the fixture dashboard (tests may break it)."""
    return copy.deepcopy(DASHBOARD)


def matrix(*series: tuple[dict[str, str], list[tuple[float, str]]]) -> dict[str, Any]:
    """A successful query_range answer holding `series` (labels, [(t, "v"), ...])."""
    result = [
        {"metric": labels, "values": [[t, v] for t, v in values]} for labels, values in series
    ]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def vector(*series: tuple[dict[str, str], tuple[float, str]]) -> dict[str, Any]:
    """A successful instant query answer holding `series` (labels, (t, "v"))."""
    result = [{"metric": labels, "value": [t, v]} for labels, (t, v) in series]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def canned_answers() -> dict[str, dict[str, Any]]:
    """The fake's answers by query text: records per topic (one hostile) and open alerts."""
    end = NOW.timestamp()
    times = [end - 1500 + 60 * index for index in range(26)]
    return {
        "sum by (topic) (rate(joinedup_records_consumed_total"
        '{app="joinedup-router"}[60s]))': matrix(
            (
                {"topic": "ingest.school"},
                [(t, f"{index % 5 + 1}") for index, t in enumerate(times)],
            ),
            (
                {"topic": "ingest.police"},
                [(t, "NaN" if index == 10 else "2.5") for index, t in enumerate(times)],
            ),
            ({"topic": HOSTILE}, [(times[0], "+Inf"), (times[1], "0.5")]),
        ),
        "sum(joinedup_alerts_open)": vector(({}, (end, "7"))),
    }


@dataclass
class FakePrometheus:
    """A tiny ASGI Prometheus: canned answers by query, every request's parameters kept."""

    answers: dict[str, dict[str, Any]] = field(default_factory=canned_answers)
    asked: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> FastAPI:
        """The fake's HTTP API: query_range and query; an unknown query is a bad_data error."""
        app = FastAPI()

        async def answer(request: Request) -> JSONResponse:
            parameters = dict(request.query_params)
            self.asked.append({"path": request.url.path, **parameters})
            found = self.answers.get(parameters.get("query", ""))
            if found is None:
                error = {
                    "status": "error",
                    "errorType": "bad_data",
                    "error": "parse error at char 8",
                }
                return JSONResponse(error, status_code=400)
            return JSONResponse(found)

        app.add_api_route("/api/v1/query_range", answer)
        app.add_api_route("/api/v1/query", answer)
        return app

    def client(self) -> PrometheusClient:
        """A real PrometheusClient whose HTTP goes to this fake, in process."""
        transport = httpx.ASGITransport(app=self.app())
        return PrometheusClient(
            httpx.AsyncClient(transport=transport, base_url="http://prometheus")
        )
