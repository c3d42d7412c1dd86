"""Retention on a real database: old months dropped, shorter classes trimmed, runs recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

import psycopg
import pytest
from rigs.audit_topic import CHILD

from consent.domain.disclosure import Deny, Permit
from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.audit.chain import GENESIS, seal_encoded
from services.audit.index_rows import decode_all
from services.audit.index_writer import IndexWriter
from services.audit.retention import apply_retention
from services.audit.retention_schedule import RetentionRule
from services.bus import topics
from services.bus.records import Incoming
from services.database.partitions import existing_months
from services.router.domain.routing import audit_record

pytestmark = pytest.mark.integration

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
PERMIT = Permit(
    fields=frozenset({"reason"}),
    agreement_id="agr-1",
    agreement_version=1,
    legal_basis="Children Act 1989 s17",
    purpose="early help",
)
DENY = Deny(reason="no-agreement", detail="")
# (decided at, decision): one old month, one straddling the 5-year cutoff, recent ones.
DECISIONS = [
    (datetime(2019, 3, 10, tzinfo=UTC), PERMIT),
    (datetime(2019, 3, 11, tzinfo=UTC), DENY),
    (datetime(2021, 6, 20, tzinfo=UTC), PERMIT),
    (datetime(2023, 1, 5, tzinfo=UTC), PERMIT),
    (datetime(2023, 1, 6, tzinfo=UTC), DENY),
    (datetime(2026, 6, 1, tzinfo=UTC), DENY),
]
SCHEDULE = {
    "permit": RetentionRule("permit", 5, "test"),
    "override": RetentionRule("override", 5, "test"),
    "deny": RetentionRule("deny", 2, "test"),
}


def _index(db_url: str) -> None:
    """Index the DECISIONS as partition 0 of the audit topic, chained."""
    codec = AvroCodec(InMemorySchemaSource())
    tail, records = GENESIS, []
    for offset, (moment, decision) in enumerate(DECISIONS):
        event = {
            "event_id": f"00000000-0000-4000-8000-{offset:012d}",
            "child_ref": CHILD,
            "event_type": "SuspensionIssued",
            "source": {"agency": "school-100001", "system": "mis", "practitioner_role": None},
        }
        record = audit_record(event, "social-care", decision, moment, "v1")
        record["prev_hash"] = tail
        sealed, tail = seal_encoded(codec.encode("DisclosureDecided", record))
        records.append(Incoming(topics.AUDIT_DISCLOSURES, 0, offset, None, sealed))
    with psycopg.connect(db_url, autocommit=True) as conn:
        IndexWriter(conn).write(decode_all(codec, records), lambda _: None)


class TestRetention:
    def test_a_dry_run_counts_and_removes_nothing(self, audit_db_url):
        """--dry-run reports what would go; every row and partition stays, no run is recorded."""
        _index(audit_db_url)
        with psycopg.connect(audit_db_url, autocommit=True) as conn:
            report = apply_retention(conn, SCHEDULE, NOW, dry_run=True)
            rows = conn.execute("SELECT count(*) FROM audit_decision").fetchone()
            runs = conn.execute("SELECT count(*) FROM retention_run").fetchone()

        assert report.partitions == ["audit_decision_y2019m03"]
        assert report.removed == {"permit": 1, "override": 0, "deny": 2}
        assert (rows, runs) == ((6,), (0,))

    def test_old_months_are_dropped_and_shorter_classes_trimmed(self, audit_db_url):
        """The month wholly past every cutoff is dropped; deny rows past theirs are deleted."""
        _index(audit_db_url)
        with psycopg.connect(audit_db_url, autocommit=True) as conn:
            report = apply_retention(conn, SCHEDULE, NOW)
            months = existing_months(conn)
            left = conn.execute(
                "SELECT decided_at::date, decision FROM audit_decision ORDER BY decided_at"
            ).fetchall()
            runs = conn.execute(
                "SELECT record_class, cutoff, removed FROM retention_run ORDER BY record_class"
            ).fetchall()

        assert report.partitions == ["audit_decision_y2019m03"]
        assert months == [date(2021, 6, 1), date(2023, 1, 1), date(2026, 6, 1)]
        assert left == [
            (date(2021, 6, 20), "permit"),
            (date(2023, 1, 5), "permit"),
            (date(2026, 6, 1), "deny"),
        ]
        assert runs == [
            ("deny", datetime(2024, 6, 15, 12, tzinfo=UTC), 2),
            ("override", datetime(2021, 6, 15, 12, tzinfo=UTC), 0),
            ("permit", datetime(2021, 6, 15, 12, tzinfo=UTC), 1),
        ]
