"""An asynchronous client of Prometheus's HTTP API: range and instant queries, as series.

`GET /api/v1/query_range` (start, end, step) answers a matrix; `GET
/api/v1/query` a vector or a scalar. Either becomes a list of `Series`:
the labels and the (unix seconds, value) points, values as floats
("NaN", "+Inf" and "-Inf" included: drawing decides what to do with
them). Every error names the query and carries Prometheus's own text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import httpx

from services.dashboard.exceptions import PrometheusQueryError, PrometheusUnavailableError

RANGE_PATH: Final = "/api/v1/query_range"
INSTANT_PATH: Final = "/api/v1/query"
SHOWN_BODY: Final = 200  # characters of a non-API answer quoted in an error

Point = tuple[float, float]


@dataclass(frozen=True)
class Series:
    """One time series of an answer: its labels and its points in time order."""

    labels: Mapping[str, str]
    points: tuple[Point, ...]


def _value(raw: object, expr: str) -> Point:
    """A `[unix_seconds, "value"]` pair of the wire format as numbers."""
    if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) != 2:
        raise PrometheusQueryError(f"query {expr!r}: a sample is not a [time, value] pair")
    try:
        return float(raw[0]), float(raw[1])  # float() reads "NaN", "+Inf" and "-Inf"
    except (TypeError, ValueError) as exc:
        raise PrometheusQueryError(f"query {expr!r}: a sample is not numeric: {raw!r}") from exc


def _labels(raw: object) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(key): str(value) for key, value in raw.items()}


def parse_answer(body: object, expr: str) -> list[Series]:
    """The series of a Prometheus answer `body` (decoded JSON) to the query `expr`."""
    if not isinstance(body, Mapping):
        raise PrometheusUnavailableError(f"query {expr!r}: the answer is not Prometheus's API")
    if body.get("status") != "success":
        kind, error = body.get("errorType", "error"), body.get("error", "no reason given")
        raise PrometheusQueryError(f"Prometheus refused {expr!r}: {kind}: {error}")
    data = body.get("data")
    data = data if isinstance(data, Mapping) else {}
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return [Series({}, (_value(result, expr),))]
    if not isinstance(result, list):
        raise PrometheusQueryError(f"query {expr!r}: the answer holds no result list")
    if kind == "matrix":
        return [
            Series(_labels(item.get("metric")), tuple(_value(v, expr) for v in item["values"]))
            for item in result
            if isinstance(item, Mapping) and isinstance(item.get("values"), list)
        ]
    if kind == "vector":
        return [
            Series(_labels(item.get("metric")), (_value(item.get("value"), expr),))
            for item in result
            if isinstance(item, Mapping)
        ]
    raise PrometheusQueryError(f"query {expr!r}: a {kind} answer cannot be drawn")


class PrometheusClient:
    """Queries one Prometheus over an `httpx.AsyncClient` whose base URL is Prometheus's."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        """Ask through `http` (its base_url is Prometheus's; the caller may close it here)."""
        self._http = http

    @classmethod
    def at(cls, url: str, timeout_s: float) -> PrometheusClient:
        """A client of the Prometheus at `url`, each query given `timeout_s` seconds."""
        return cls(httpx.AsyncClient(base_url=url, timeout=timeout_s))

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step_s: float
    ) -> list[Series]:
        """The series of `expr` from `start` to `end`, a point every `step_s` seconds."""
        parameters = {
            "query": expr,
            "start": f"{start.timestamp():.3f}",
            "end": f"{end.timestamp():.3f}",
            "step": f"{step_s:g}",
        }
        return await self._ask(RANGE_PATH, parameters, expr)

    async def query(self, expr: str, at: datetime | None = None) -> list[Series]:
        """The value of `expr` at `at` (now when None): one point per series."""
        parameters = {"query": expr}
        if at is not None:
            parameters["time"] = f"{at.timestamp():.3f}"
        return await self._ask(INSTANT_PATH, parameters, expr)

    async def _ask(self, path: str, parameters: dict[str, str], expr: str) -> list[Series]:
        try:
            response = await self._http.get(path, params=parameters)
        except httpx.HTTPError as exc:
            where = self._http.base_url.copy_with(userinfo=b"")  # no password in errors
            reason = str(exc) or type(exc).__name__
            message = f"query {expr!r}: Prometheus at {where} did not answer: {reason}"
            raise PrometheusUnavailableError(message) from exc
        try:
            body: Any = response.json()
        except ValueError as exc:
            shown = response.text[:SHOWN_BODY]
            message = f"query {expr!r}: Prometheus answered {response.status_code}: {shown}"
            raise PrometheusUnavailableError(message) from exc
        return parse_answer(body, expr)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()
