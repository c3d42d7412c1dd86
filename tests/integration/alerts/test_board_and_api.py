import httpx

from schemas.codec import AvroCodec
from services.alerts.bootstrap import build_app
from services.alerts.samples import alert_record, disclosed_record

A = {"Authorization": "Bearer tok-a"}
WORKER_A = {"Authorization": "Bearer tok-worker-a"}
B = {"Authorization": "Bearer tok-b"}


async def _alerts(http: httpx.AsyncClient, headers) -> list[dict]:
    response = await http.get("/api/alerts", headers=headers)
    response.raise_for_status()
    return response.json()["alerts"]


class TestBoardFromView:
    async def test_board_lists_view_alerts_with_evidence(
        self, bus_settings, agencies, publish, schema_source, options, serve, wait_for
    ):
        """Alerts and evidence already in the view are on the board after start."""
        first, _ = agencies
        evidence = disclosed_record(first, "DomesticAbuseIncidentNotified", {"child_present": True})
        await publish(evidence)
        alert = alert_record(first, evidence_event_ids=(evidence["event_id"], "not-shared"))
        await publish(alert)
        app = build_app(bus_settings, options, schema_source)
        async with serve(app) as url, httpx.AsyncClient(base_url=url) as http:
            listed = await wait_for(lambda: _alerts(http, A))
            alert_id = listed[0]["alert_id"]
            assert listed[0]["severity"] == "high"
            shown = (await http.get(f"/api/alerts/{alert_id}/evidence", headers=A)).json()
            items = {i["event_id"]: i["disclosed"] for i in shown["evidence"]}
            assert items[evidence["event_id"]]["fields"] == {"child_present": True}
            assert items["not-shared"] is None

    async def test_other_agency_sees_nothing_of_it(
        self, bus_settings, agencies, publish, schema_source, options, serve, wait_for
    ):
        """A duty user of another agency gets 404 for the alert and 403 for the agency."""
        first, _ = agencies
        await publish(alert_record(first))
        app = build_app(bus_settings, options, schema_source)
        async with serve(app) as url, httpx.AsyncClient(base_url=url) as http:
            alert_id = (await wait_for(lambda: _alerts(http, A)))[0]["alert_id"]
            assert await _alerts(http, B) == []
            assert (await http.get(f"/api/alerts/{alert_id}", headers=B)).status_code == 404
            ack = await http.post(f"/api/alerts/{alert_id}/acknowledge", headers=B)
            assert ack.status_code == 404
            forbidden = await http.get("/api/alerts", params={"agency": first}, headers=B)
            assert forbidden.status_code == 403
            assert (await http.get("/api/alerts")).status_code == 401


class TestAcknowledge:
    async def test_acknowledgement_is_published_and_survives_restart(
        self,
        bus_settings,
        agencies,
        publish,
        schema_source,
        codec: AvroCodec,
        options,
        serve,
        wait_for,
        read_first,
    ):
        """Acknowledging publishes AlertAcknowledged; a restarted service replays it."""
        first, _ = agencies
        record = alert_record(first)
        await publish(record)
        app = build_app(bus_settings, options, schema_source)
        async with serve(app) as url, httpx.AsyncClient(base_url=url) as http:
            alert_id = (await wait_for(lambda: _alerts(http, A)))[0]["alert_id"]
            denied = await http.post(
                f"/api/alerts/{alert_id}/assign", json={"assignee": "X"}, headers=WORKER_A
            )
            assert denied.status_code == 403
            answer = await http.post(f"/api/alerts/{alert_id}/acknowledge", headers=WORKER_A)
            assert answer.json()["alert"]["status"] == "acknowledged"
        message = await read_first(options.acknowledged_topic)
        event = codec.decode(message.value)
        assert message.key == record["child_ref"].encode()
        assert (str(event["alert_id"]), event["action"], event["by_role"]) == (
            alert_id,
            "acknowledge",
            "duty-worker",
        )
        assert event["source"]["agency"] == first
        again = build_app(bus_settings, options, schema_source)
        async with serve(again) as url, httpx.AsyncClient(base_url=url) as http:

            async def acknowledged() -> bool:
                alerts = await _alerts(http, A)
                return bool(alerts) and alerts[0]["status"] == "acknowledged"

            assert await wait_for(acknowledged)
