"""The indexer on a real topic and database: every record one row, chains checked, reindex."""

from __future__ import annotations

import subprocess
import sys
import uuid

import psycopg
import pytest
from rigs.audit_topic import run_cli

from services.audit.chain import EDITED
from services.audit.exceptions import AuditError
from services.audit.index_writer import IndexWriter
from services.bus import topics
from services.bus.partition_reader import records_to_end

pytestmark = pytest.mark.integration


class TestIndexerBasics:
    def test_catching_up_indexes_every_record_once(self, audit_rig):
        """--until-caught-up indexes the topic to its end; a second run adds nothing."""
        audit_rig.writer.write(60)

        first = run_cli(audit_rig.catch_up(), audit_rig.env)
        second = run_cli(audit_rig.catch_up(), audit_rig.env)

        assert "indexed 60 decision(s)" in first
        assert "indexed 0 decision(s)" in second
        assert [(p, o) for p, o, _, _ in audit_rig.rows()] == sorted(audit_rig.writer.written)

    def test_an_edited_record_is_a_chain_break_and_a_dead_letter(self, audit_rig, bus_settings):
        """The edited record is indexed, recorded as a break, dead-lettered; the chain goes on."""
        audit_rig.writer.write(9)
        audit_rig.writer.write_broken(partition=0)
        audit_rig.writer.write(6)
        broken_offset = max(o for p, o in audit_rig.writer.written if p == 0) - 2

        summary = run_cli(audit_rig.catch_up(), audit_rig.env)

        with psycopg.connect(audit_rig.db_url) as conn:
            breaks = conn.execute(
                "SELECT topic, topic_partition, topic_offset, problem FROM audit_chain_break"
            ).fetchall()
        letters = list(
            records_to_end(bus_settings, topics.deadletter(audit_rig.decisions), [0, 1, 2])
        )
        assert "1 chain break(s)" in summary
        assert breaks == [(audit_rig.decisions, 0, broken_offset, EDITED)]
        assert len(audit_rig.rows()) == 16
        assert len(letters) == 1
        headers = dict(letters[0].headers() or [])
        assert headers["joinedup.reason"] == b"audit-chain-broken"
        assert headers["joinedup.source.offset"] == str(broken_offset).encode()

    def test_an_index_past_the_topics_end_is_refused_naming_reindex(self, audit_rig):
        """Positions beyond the end (the topic was recreated) would index nothing, silently."""
        audit_rig.writer.write(6)
        run_cli(audit_rig.catch_up(), audit_rig.env)
        with psycopg.connect(audit_rig.db_url) as conn:
            conn.execute(
                "UPDATE audit_index_position SET next_offset = next_offset + 1000"
                " WHERE topic = %s AND topic_partition = 0",
                (audit_rig.decisions,),
            )
        audit_rig.writer.write(3)

        result = subprocess.run(
            [sys.executable, "-m", "services", *audit_rig.catch_up()],
            env=audit_rig.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

        assert result.returncode != 0
        assert "past the topic's end" in result.stderr
        assert "joinedup audit reindex" in result.stderr

    def test_reviews_are_indexed_once(self, audit_rig):
        """An OverrideReviewed becomes one override_review row, even when read twice."""
        audit_rig.writer.write(3)
        review_id = uuid.uuid4()
        audit_rig.writer.write_review(audit_rig.reviews, review_id, audit_rig.writer.written[0])
        audit_rig.writer.write_review(audit_rig.reviews, review_id, audit_rig.writer.written[0])

        summary = run_cli(audit_rig.catch_up(), audit_rig.env)

        assert "and 2 review(s)" in summary
        rows = audit_rig.count(
            "SELECT count(*) FROM override_review WHERE review_id = %s", (review_id,)
        )
        assert rows == 1

    def test_reindex_rebuilds_the_same_rows(self, audit_rig):
        """`audit reindex` empties the index and reads the topics again: the same rows."""
        audit_rig.writer.write(90)
        run_cli(audit_rig.catch_up(), audit_rig.env)
        before = _snapshot(audit_rig.db_url)

        summary = run_cli(
            [
                "audit",
                "reindex",
                "--decisions-topic",
                audit_rig.decisions,
                "--reviews-topic",
                audit_rig.reviews,
            ],
            audit_rig.env,
        )

        assert "indexed 90 decision(s)" in summary
        assert _snapshot(audit_rig.db_url) == before

    def test_reindex_is_refused_while_an_indexer_runs(self, audit_rig):
        """A reindex under a running indexer would lose rows: it is refused, naming why."""
        with (
            psycopg.connect(audit_rig.db_url, autocommit=True) as running,
            psycopg.connect(audit_rig.db_url, autocommit=True) as conn,
        ):
            IndexWriter(running).hold_shared_lock()
            with pytest.raises(AuditError, match="stop it before a reindex"):
                IndexWriter(conn).reset()


def _snapshot(db_url: str) -> list[tuple[object, ...]]:
    """Every decision row, all columns, in key order."""
    with psycopg.connect(db_url) as conn:
        return conn.execute(
            "SELECT * FROM audit_decision ORDER BY decided_at, topic_partition, topic_offset"
        ).fetchall()
