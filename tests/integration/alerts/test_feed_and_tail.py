import asyncio
import json

import httpx

from services.alerts.adapters.records import RecordCodec
from services.alerts.bootstrap import build_app, build_tail_consumer
from services.alerts.entrypoints.tail import tail_alerts
from services.alerts.samples import alert_record, disclosed_record


async def _next_event(lines, wanted: str) -> dict:
    event = ""
    async for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == wanted:
            return json.loads(line.removeprefix("data: "))
    raise AssertionError(f"feed ended before a {wanted} event")


class TestFeed:
    async def test_new_alert_is_pushed_to_its_agency_feed(
        self, bus_settings, agencies, publish, schema_source, options, serve
    ):
        """An alert arriving in the view is pushed over SSE to the agency's feed."""
        first, _ = agencies
        app = build_app(bus_settings, options, schema_source)
        headers = {"Authorization": "Bearer tok-a"}
        async with (
            serve(app) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as http,
            http.stream("GET", "/feed", headers=headers) as feed,
        ):
            assert feed.headers["content-type"].startswith("text/event-stream")
            lines = feed.aiter_lines()
            await _next_event(lines, "ready")
            record = alert_record(first, summary="Missing episode started")
            await publish(record)
            async with asyncio.timeout(20):
                message = await _next_event(lines, "alert")
        assert message["alert"]["summary"] == "Missing episode started"
        assert 'data-alert-id="' in message["row"]

    async def test_feed_needs_a_user(self, bus_settings, agencies, schema_source, options, serve):
        """The feed refuses a request without a token or session."""
        app = build_app(bus_settings, options, schema_source)
        async with serve(app) as url, httpx.AsyncClient(base_url=url) as http:
            assert (await http.get("/feed")).status_code == 401


class TestTail:
    async def test_prints_one_line_per_alert(self, bus_settings, agencies, publish, codec):
        """`tail --from-beginning --max 2` prints the view's two alerts, not its evidence."""
        first, _ = agencies
        await publish(alert_record(first, summary="First", rule_id="rule.one"))
        await publish(disclosed_record(first, "SuspensionIssued", {"days": 3}))
        await publish(alert_record(first, summary="Second", severity="critical"))
        lines: list[str] = []
        consumer = build_tail_consumer(bus_settings, first, from_beginning=True)
        async with asyncio.timeout(30):
            count = await tail_alerts(consumer, RecordCodec(codec), lines.append, max_alerts=2)
        assert count == 2
        assert lines[0].split()[1:3] == ["high", "rule.one"]
        assert lines[0].endswith("First")
        assert " critical " in lines[1]
