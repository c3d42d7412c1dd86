"""The Prometheus client: the wire format read into series, errors naming the query."""

from __future__ import annotations

import math
import socket
from datetime import timedelta

import httpx
import pytest
from dashboard_fakes import NOW, FakePrometheus, matrix
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from services.dashboard.exceptions import PrometheusQueryError, PrometheusUnavailableError
from services.dashboard.prometheus import PrometheusClient, Series, parse_answer


class TestWireFormat:
    def test_a_matrix_becomes_series_of_points(self):
        """Labels as a dict, values as (seconds, float) pairs in order."""
        body = matrix(({"topic": "t"}, [(100.0, "1"), (115.0, "2.5")]))

        assert parse_answer(body, "q") == [Series({"topic": "t"}, ((100.0, 1.0), (115.0, 2.5)))]

    def test_nan_and_infinities_are_read(self):
        """ "NaN", "+Inf" and "-Inf" are floats, left for drawing to judge."""
        body = matrix(({}, [(1.0, "NaN"), (2.0, "+Inf"), (3.0, "-Inf")]))

        values = [value for _, value in parse_answer(body, "q")[0].points]
        assert math.isnan(values[0])
        assert values[1:] == [math.inf, -math.inf]

    def test_a_vector_is_one_point_per_series(self):
        """An instant answer gives each series its one sample."""
        body = {
            "status": "success",
            "data": {"resultType": "vector", "result": [{"metric": {"a": "1"}, "value": [5, "3"]}]},
        }

        assert parse_answer(body, "q") == [Series({"a": "1"}, ((5.0, 3.0),))]

    def test_a_scalar_is_one_unlabelled_series(self):
        """scalar(...) answers [t, "v"]: one series without labels."""
        body = {"status": "success", "data": {"resultType": "scalar", "result": [5, "42"]}}

        assert parse_answer(body, "q") == [Series({}, ((5.0, 42.0),))]

    def test_an_error_names_the_query_and_prometheus_text(self):
        """status "error" becomes an error carrying the query, errorType and error."""
        body = {"status": "error", "errorType": "bad_data", "error": "unexpected end of input"}

        with pytest.raises(PrometheusQueryError) as caught:
            parse_answer(body, "rate(x[")
        assert str(caught.value) == (
            "Prometheus refused 'rate(x[': bad_data: unexpected end of input"
        )

    def test_a_sample_that_is_not_a_number_is_refused(self):
        """A value Python cannot read as a float names the query."""
        with pytest.raises(PrometheusQueryError, match="'q': a sample is not numeric"):
            parse_answer(matrix(({}, [(1.0, "lots")])), "q")


class TestClient:
    async def test_query_range_sends_start_end_and_step(self):
        """GET /api/v1/query_range with the window in unix seconds and the step."""
        fake = FakePrometheus()
        client = fake.client()

        series = await client.query_range(
            "sum(joinedup_alerts_open)", NOW - timedelta(minutes=30), NOW, 15
        )

        assert series  # the canned vector answer is read, whatever the path
        assert fake.asked == [
            {
                "path": "/api/v1/query_range",
                "query": "sum(joinedup_alerts_open)",
                "start": f"{(NOW - timedelta(minutes=30)).timestamp():.3f}",
                "end": f"{NOW.timestamp():.3f}",
                "step": "15",
            }
        ]
        await client.aclose()

    async def test_an_instant_query_sends_its_time(self):
        """GET /api/v1/query with `time` answers one point per series."""
        fake = FakePrometheus()
        client = fake.client()

        series = await client.query("sum(joinedup_alerts_open)", NOW)

        assert series == [Series({}, ((NOW.timestamp(), 7.0),))]
        assert fake.asked[0]["path"] == "/api/v1/query"
        assert fake.asked[0]["time"] == f"{NOW.timestamp():.3f}"
        await client.aclose()

    async def test_a_refused_query_carries_prometheus_error(self):
        """A 400 with the API's error body names the query and Prometheus's text."""
        client = FakePrometheus().client()

        with pytest.raises(PrometheusQueryError, match=r"'broken\(': bad_data: parse error"):
            await client.query("broken(")
        await client.aclose()

    async def test_an_answer_that_is_not_the_api_is_unavailable(self):
        """A proxy's HTML 502 names the query and the status, not a JSON error."""
        proxy = FastAPI()
        proxy.add_api_route(
            "/api/v1/query", lambda: PlainTextResponse("<html>Bad Gateway</html>", 502)
        )
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://p")
        client = PrometheusClient(http)

        with pytest.raises(PrometheusUnavailableError, match="'up': Prometheus answered 502"):
            await client.query("up")
        await client.aclose()

    async def test_nobody_listening_names_the_address_without_its_password(self):
        """A refused connection names the query and Prometheus's URL, its password dropped."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]  # closed again: nothing listens there
        client = PrometheusClient.at(f"http://ops:hunter2@127.0.0.1:{port}", timeout_s=2)

        with pytest.raises(PrometheusUnavailableError) as caught:
            await client.query("up")
        await client.aclose()
        assert f"'up': Prometheus at http://127.0.0.1:{port}" in str(caught.value)
        assert "hunter2" not in str(caught.value)
