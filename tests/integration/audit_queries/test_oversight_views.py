"""The oversight view on a real PostgreSQL: charts count what the rows hold, the sharing map
draws the agreements in force, chain breaks and unreviewed overrides are shown; the service
reports its database, and refuses to start without one."""

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from audit_queries_rig import bearer
from rigs.audit_rows import insert_rows, made_up_rows

from schemas.schema_source import InMemorySchemaSource
from services.consent.bootstrap import ConsentOptions, build_consent_service
from services.consent.exceptions import ConsentStartError

pytestmark = pytest.mark.integration

SVG = "{http://www.w3.org/2000/svg}"
AGREEMENT = {
    "id": "isa-police",
    "title": "Domestic abuse notifications to schools",
    "provider": {"agency": "police-west"},
    "recipient": {"kind": "school"},
    "event_types": ["DomesticAbuseIncidentNotified"],
    "data_classes": ["operational"],
    "purpose": "safeguarding",
    "legal_basis": "public-task-ca2004-s16la",
    "valid_from": "2025-09-01T00:00:00Z",
}


def texts(picture: str) -> list[str]:
    """The text of every <text> of an SVG picture (a parse error fails the test)."""
    root = ET.fromstring(picture)  # noqa: S314 - the service's own output
    return [node.text or "" for node in root.iter(f"{SVG}text")]


class TestCharts:
    async def test_charts_count_what_the_index_holds(self, consent_on_index, audit_db_url):
        """Per agreement, the legend's total is the permits of the period; per reason, the bar's
        number is the denies; older rows are left out."""
        now = datetime.now(UTC)
        recent = made_up_rows(21, 800, start=now - timedelta(days=20), span=timedelta(days=19))
        old = made_up_rows(22, 100, start=now - timedelta(days=200), span=timedelta(days=30))
        for row in old:
            row["topic_offset"] += 100_000
        insert_rows(audit_db_url, recent + old)
        permits = Counter(r["agreement_id"] for r in recent if r["decision"] == "permit")
        denies = Counter(r["reason"].split(":")[0] for r in recent if r["decision"] == "deny")
        async with consent_on_index() as http:
            disclosures = await http.get(
                "/v1/oversight/charts/disclosures.svg?days=30", headers=bearer("auditor")
            )
            refused = await http.get(
                "/v1/oversight/charts/denies.svg?days=30", headers=bearer("ig-lead")
            )
            too_long = await http.get(
                "/v1/oversight/charts/denies.svg?days=400", headers=bearer("auditor")
            )
        assert disclosures.headers["content-type"] == "image/svg+xml"
        assert "default-src 'none'" in disclosures.headers["content-security-policy"]
        legend = texts(disclosures.text)
        for agreement, count in permits.items():
            assert f"{agreement} ({count})" in legend
        bars = texts(refused.text)
        for reason, count in denies.items():
            assert bars[bars.index(reason) + 1] == str(count)
        assert (too_long.status_code, too_long.json()["field"]) == (422, "days")

    async def test_the_sharing_map_draws_the_agreements_in_force(self, consent_on_index):
        """An agreement created now appears; once retired, it is gone."""
        async with consent_on_index() as http:
            await http.post("/v1/agreements", json=AGREEMENT, headers=bearer("officer"))
            drawn = await http.get("/v1/oversight/sharing-map.svg", headers=bearer("auditor"))
            await http.post("/v1/agreements/isa-police/retire", headers=bearer("officer"))
            retired = await http.get("/v1/oversight/sharing-map.svg", headers=bearer("ig-lead"))
            officer = await http.get("/v1/oversight/sharing-map.svg", headers=bearer("officer"))
        labels = texts(drawn.text)
        assert {"West Constabulary", "DomesticAbuseIncidentNotified", "every school agency"} <= (
            set(labels)
        )
        assert "DomesticAbuseIncidentNotified" not in texts(retired.text)
        assert officer.status_code == 403


class TestSummary:
    async def test_unreviewed_overrides_and_chain_breaks_are_shown(
        self, consent_on_index, audit_db_url
    ):
        """The summary counts the overrides without a review and lists the breaks found."""
        made = made_up_rows(23, 500)
        insert_rows(audit_db_url, made)
        with psycopg.connect(audit_db_url) as conn:
            conn.execute(
                "INSERT INTO audit_chain_break (topic, topic_partition, topic_offset, problem)"
                " VALUES ('audit.disclosures', 2, 41, 'prev_hash does not match the record before')"
            )
        async with consent_on_index() as http:
            summary = (await http.get("/v1/oversight/summary", headers=bearer("auditor"))).json()
            ready = await http.get("/readyz")
        assert summary["unreviewed_overrides"] == sum(r["override"] for r in made)
        assert [(b["partition"], b["offset"], b["problem"]) for b in summary["chain_breaks"]] == [
            (2, 41, "prev_hash does not match the record before")
        ]
        assert (ready.status_code, ready.json()["checks"]["database"]) == (200, "ok")


class TestStart:
    async def test_no_database_stops_the_start_with_one_sentence(self, bus_settings, topic_names):
        """A database that does not answer: ConsentStartError naming where, and no password."""
        url = "host=127.0.0.1 port=9 dbname=audit user=auditor password=s3cret connect_timeout=2"
        options = ConsentOptions(topics=topic_names, database_url=url)
        app = build_consent_service(bus_settings, InMemorySchemaSource(), options)
        with pytest.raises(ConsentStartError) as caught:
            async with app.router.lifespan_context(app):
                pass
        message = str(caught.value)
        assert "postgresql://127.0.0.1:9/audit" in message
        assert "JOINEDUP_DATABASE_URL" in message
        assert "s3cret" not in message
