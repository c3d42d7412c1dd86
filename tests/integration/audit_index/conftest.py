"""Fixtures of the audit index tests: topics, a registry and a database of the test's own."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import psycopg
import pytest
from rigs.audit_topic import AuditTopicWriter, indexer_command, make_audit_topics


@dataclass
class AuditRig:
    """One test's audit topics, writer, database and the environment of its indexers."""

    decisions: str
    reviews: str
    writer: AuditTopicWriter
    db_url: str = field(repr=False)  # holds the database password
    env: dict[str, str] = field(repr=False)

    def rows(self) -> list[tuple[int, int, str, str]]:
        """(partition, offset, prev_hash, hash) of every indexed decision, in chain order."""
        with psycopg.connect(self.db_url) as conn:
            found = conn.execute(
                "SELECT topic_partition, topic_offset, prev_hash, hash FROM audit_decision"
                " ORDER BY topic_partition, topic_offset"
            ).fetchall()
        return [(int(p), int(o), str(prev), str(h)) for p, o, prev, h in found]

    def catch_up(self, *extra: str) -> list[str]:
        """`audit indexer --until-caught-up` on this rig's topics (arguments after `joinedup`)."""
        return indexer_command(self.decisions, self.reviews, "--until-caught-up", *extra)[3:]

    def count(self, query: str, params: tuple[object, ...] = ()) -> int:
        """The single number `query` selects."""
        with psycopg.connect(self.db_url) as conn:
            row = conn.execute(query, params).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return int(row[0])


@pytest.fixture
def audit_rig(bus_settings, registry, audit_db_url, unique_name) -> AuditRig:
    """Fresh audit topics (3 partitions), a writer of chained records, a migrated database."""
    decisions, reviews = unique_name("audit.disclosures"), unique_name("audit.reviews")
    make_audit_topics(bus_settings, decisions, reviews)
    writer = AuditTopicWriter(bus_settings, registry.url, decisions)
    env = {
        **os.environ,
        "JOINEDUP_REGISTRY_URL": registry.url,
        "JOINEDUP_DATABASE_URL": audit_db_url,
    }
    return AuditRig(decisions, reviews, writer, audit_db_url, env)
