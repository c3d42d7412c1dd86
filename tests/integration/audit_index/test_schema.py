"""The audit index's schema on a real PostgreSQL: the contract's tables, month partitions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import psycopg
import pytest

from services.database.migrate import current_revision, upgrade
from services.database.partitions import ensure_month_partitions, existing_months

pytestmark = pytest.mark.integration

CONTRACT_TABLES = {
    "audit_decision",
    "audit_index_position",
    "audit_chain_break",
    "override_review",
    "retention_run",
}


def _decision(decided_at: datetime) -> dict[str, object]:
    return {
        "topic_partition": 0,
        "topic_offset": 7,
        "decision_id": uuid.uuid4(),
        "decided_at": decided_at,
        "child_ref": "c" * 10,
        "subject_event_id": uuid.uuid4(),
        "subject_event_type": "SuspensionIssued",
        "correlation_id": None,
        "recipient": "social-care",
        "decision": "permit",
        "fields": ["reason"],
        "agreement_id": "agr-1",
        "legal_basis": "Children Act 1989 s17",
        "purpose": "early help",
        "override": False,
        "reason": "agreement permits",
        "policy_version": "v1",
        "prev_hash": "0" * 64,
        "hash": "1" * 64,
    }


def _insert(conn: psycopg.Connection, row: dict[str, object]) -> None:
    columns = ", ".join(row)
    values = ", ".join(f"%({name})s" for name in row)
    conn.execute(f"INSERT INTO audit_decision ({columns}) VALUES ({values})", row)  # noqa: S608


class TestSchema:
    def test_a_fresh_database_holds_the_contract_tables(self, audit_db_url):
        """The fixture's database is migrated to head: every table of the contract is there."""
        with psycopg.connect(audit_db_url) as conn:
            names = {
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            }
        assert names >= CONTRACT_TABLES
        assert current_revision(audit_db_url) == "0001"

    def test_migrating_again_changes_nothing(self, audit_db_url):
        """upgrade() on a migrated database is a no-op."""
        upgrade(audit_db_url)

        assert current_revision(audit_db_url) == "0001"

    def test_a_row_needs_its_month_partition(self, audit_db_url):
        """No DEFAULT partition: a row of a month without a partition is refused."""
        with psycopg.connect(audit_db_url) as conn, pytest.raises(psycopg.errors.CheckViolation):
            _insert(conn, _decision(datetime(2024, 3, 9, 12, tzinfo=UTC)))

    def test_month_partitions_are_made_once_and_bounded_in_utc(self, audit_db_url):
        """ensure_month_partitions is idempotent; a partition's bounds are UTC month edges."""
        with psycopg.connect(audit_db_url) as conn:
            made = ensure_month_partitions(conn, [date(2024, 12, 31), date(2025, 1, 1)])
            again = ensure_month_partitions(conn, [datetime(2024, 12, 1, tzinfo=UTC)])
            _insert(conn, _decision(datetime(2024, 12, 31, 23, 59, tzinfo=UTC)))
            conn.commit()
            where = conn.execute("SELECT tableoid::regclass::text FROM audit_decision").fetchone()

            assert (made, again) == (2, 0)
            assert existing_months(conn) == [date(2024, 12, 1), date(2025, 1, 1)]
            assert where == ("audit_decision_y2024m12",)

    def test_every_partition_carries_the_parent_indexes(self, audit_db_url):
        """Indexes are declared on the parent, so a new month's partition has all seven."""
        with psycopg.connect(audit_db_url) as conn:
            ensure_month_partitions(conn, [date(2025, 6, 1)])
            count = conn.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'audit_decision_y2025m06'"
            ).fetchone()

        assert count == (7,)
