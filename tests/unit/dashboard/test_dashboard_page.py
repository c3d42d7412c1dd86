"""The dashboard page served by FastAPI, drawn from a fake Prometheus over its real wire format."""

from __future__ import annotations

import json
import re
import socket

import httpx
import pytest
from dashboard_fakes import NOW, FakePrometheus, dashboard_json
from typer.testing import CliRunner

from services.cli.main import app as cli
from services.dashboard.board import BoardOptions
from services.dashboard.exceptions import DashboardFileError
from services.dashboard.panels import Dashboard, parse_dashboard
from services.dashboard.web import build_dashboard_app


def serving(fake: FakePrometheus, load=None) -> httpx.AsyncClient:
    """An HTTP client of the dashboard app drawing the fixture from `fake` at NOW."""
    board = build_dashboard_app(
        load or (lambda: parse_dashboard(dashboard_json())),
        fake.client(),
        BoardOptions(max_series=8, scrape_interval_s=15),
        clock=lambda: NOW,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=board), base_url="http://board")


@pytest.fixture
def fake() -> FakePrometheus:
    return FakePrometheus()


async def page(fake: FakePrometheus, path: str = "/") -> httpx.Response:
    async with serving(fake) as client:
        return await client.get(path)


class TestPage:
    async def test_the_page_is_titled_and_reloads_itself(self, fake):
        """One HTML page titled for operations, reloading every 10 s, no script."""
        response = await page(fake)

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "<title>Joined-up - operations</title>" in response.text
        assert '<meta http-equiv="refresh" content="10">' in response.text
        assert "<script" not in response.text
        assert "default-src 'none'" in response.headers["content-security-policy"]

    async def test_rows_and_panels_are_drawn_in_their_grid_places(self, fake):
        """Row headings, panel titles, and gridPos as CSS grid places relative to the row."""
        text = (await page(fake)).text

        assert "<h2>Flow</h2>" in text
        assert "<h2>Collapsed</h2>" in text
        assert "grid-column: 1 / span 6; grid-row: 1 / span 4" in text  # Open alerts
        assert "grid-column: 13 / span 12; grid-row: 1 / span 8" in text  # Commit latency
        assert text.count("<svg") == 2  # the records chart and the stat; the others cannot be

    async def test_the_legend_names_series_by_the_legend_format(self, fake):
        """{{topic}} becomes each series' topic in the legend."""
        text = (await page(fake)).text

        assert ">ingest.school</text>" in text
        assert ">ingest.police</text>" in text

    async def test_a_stat_panel_shows_its_number(self, fake):
        """The open-alerts stat shows the instant query's value."""
        text = (await page(fake)).text

        assert re.search(r'font-weight="bold"[^>]*><title>[^<]*: 7</title>7</text>', text)

    async def test_a_hostile_label_is_escaped_on_the_page(self, fake):
        """A topic label holding markup appears as text, never as an element."""
        text = (await page(fake)).text

        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;" in text
        assert "\x00" not in text
        assert "\x1b" not in text

    async def test_a_refused_query_shows_in_its_panel_only(self, fake):
        """Prometheus's error for one panel is shown there; the other panels are drawn."""
        text = (await page(fake)).text

        assert "Prometheus refused &#x27;broken(&#x27;: bad_data: parse error at char 8" in text
        assert text.count('class="error"') == 1

    async def test_a_kind_not_drawn_says_so(self, fake):
        """The text panel is placed, with a note instead of a picture."""
        assert 'Grafana\'s "text" panel is not drawn here.' in (await page(fake)).text


class TestQueries:
    async def test_the_window_is_the_last_30_minutes_by_default(self, fake):
        """Range queries span the 30 minutes to now at a 15 s step; stats ask at now."""
        await page(fake)

        ranges = [ask for ask in fake.asked if ask["path"] == "/api/v1/query_range"]
        instants = [ask for ask in fake.asked if ask["path"] == "/api/v1/query"]
        assert {float(a["end"]) - float(a["start"]) for a in ranges} == {1800.0}
        assert {a["step"] for a in ranges} == {"15"}
        assert [a["time"] for a in instants] == [f"{NOW.timestamp():.3f}"]

    async def test_variables_and_rate_interval_are_filled_in(self, fake):
        """$app and $__rate_interval reach Prometheus as values; hidden targets are not asked."""
        await page(fake)

        asked = {ask["query"] for ask in fake.asked}
        assert (
            'sum by (topic) (rate(joinedup_records_consumed_total{app="joinedup-router"}[60s]))'
            in asked
        )
        assert "hidden_query" not in asked

    async def test_minutes_chooses_the_window(self, fake):
        """?minutes=1440 asks for a day at a six-minute step."""
        await page(fake, "/?minutes=1440")

        ranges = [ask for ask in fake.asked if ask["path"] == "/api/v1/query_range"]
        assert {(float(a["end"]) - float(a["start"]), a["step"]) for a in ranges} == {
            (86400.0, "360")
        }

    @pytest.mark.parametrize("minutes", ["0", "1441", "soon"])
    async def test_minutes_outside_a_day_are_refused(self, fake, minutes):
        """minutes must be 1..1440: anything else is a 422 and asks Prometheus nothing."""
        response = await page(fake, f"/?minutes={minutes}")

        assert response.status_code == 422
        assert fake.asked == []


class TestHealthAndErrors:
    async def test_healthz_answers_ok(self, fake):
        """/healthz says the page server is up."""
        response = await page(fake, "/healthz")

        assert (response.status_code, response.json()) == (200, {"status": "ok"})

    async def test_a_broken_dashboard_file_is_a_page_naming_the_field(self, fake):
        """The file's error is shown (500), naming the field; Prometheus is not asked."""

        def broken() -> Dashboard:
            raise DashboardFileError("board.json: panels[2].gridPos.w: missing")

        async with serving(fake, broken) as client:
            response = await client.get("/")

        assert response.status_code == 500
        assert "panels[2].gridPos.w: missing" in response.text
        assert fake.asked == []

    async def test_the_app_closes_its_prometheus_client_when_it_stops(self, fake):
        """The lifespan closes the HTTP client to Prometheus on shutdown."""
        prometheus = fake.client()
        board = build_dashboard_app(
            lambda: parse_dashboard(dashboard_json()), prometheus, BoardOptions()
        )
        async with board.router.lifespan_context(board):
            assert not prometheus._http.is_closed

        assert prometheus._http.is_closed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestCommand:
    def test_serve_refuses_a_broken_dashboard_before_binding(self, tmp_path):
        """`dashboard serve` reads the file first: a missing field is the command's error."""
        data = dashboard_json()
        del data["panels"][0]["gridPos"]
        path = tmp_path / "board.json"
        path.write_text(json.dumps(data))

        result = CliRunner().invoke(cli, ["dashboard", "serve", "--dashboard", str(path)])

        assert isinstance(result.exception, DashboardFileError)
        assert "panels[0].gridPos: an object is needed" in str(result.exception)

    def test_snapshot_without_prometheus_writes_the_page_and_fails(self, tmp_path):
        """With nobody at the URL the page is still written, each panel saying why; exit 1."""
        path, out = tmp_path / "board.json", tmp_path / "snap.html"
        path.write_text(json.dumps(dashboard_json()))
        url = f"http://127.0.0.1:{free_port()}"

        result = CliRunner().invoke(
            cli,
            [
                "dashboard",
                "snapshot",
                "--out",
                str(out),
                "--dashboard",
                str(path),
                "--prometheus",
                url,
            ],
        )

        assert result.exit_code == 1, result.output
        assert "0 of 3 panels drawn" in result.output
        text = out.read_text()
        assert "<title>Joined-up - operations</title>" in text
        assert "http-equiv" not in text  # a report neither reloads nor links other ranges
        assert "?minutes=" not in text
        assert f"Prometheus at {url}" in text
