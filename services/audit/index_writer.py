"""Write a batch of audit records into the audit index: rows and positions in one transaction.

Per batch, in ONE database transaction: lock each partition's position row
(`SELECT ... FOR UPDATE`), drop the records below its `next_offset` (another
indexer, or this one before a crash, wrote them), insert the rest (COPY),
record chain breaks, move `next_offset` and `chain_tail` on, commit. A crash
before the commit leaves nothing; after it, everything: each record's row is
written exactly once, whoever reads the topic and however often.

Month partitions are made first in a short transaction of their own, so a
writer never holds the parent table's lock while it waits for a position row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Final

from psycopg import Connection, sql
from psycopg.rows import TupleRow

from services.audit.chain import ChainBreak
from services.audit.exceptions import AuditError
from services.audit.index_rows import (
    DECISION_COLUMNS,
    REVIEW_COLUMNS,
    Decoded,
    chain_rows,
    review_row,
)
from services.bus import topics
from services.bus.deadletter import DeadLetter
from services.database.partitions import ensure_month_partitions

NO_TAIL: Final = ""  # chain_tail of a partition none of whose records has been indexed
REINDEX_LOCK: Final = 0x4A55_5245_494E_4458  # indexers hold it shared; a reindex, exclusive
CHAIN_BROKEN: Final = "audit-chain-broken"
UNREADABLE: Final = "unreadable-audit-record"


@dataclass(frozen=True)
class IndexTopics:
    """The topics the index is fed from."""

    decisions: str = topics.AUDIT_DISCLOSURES
    reviews: str = topics.AUDIT_REVIEWS

    @property
    def both(self) -> tuple[str, str]:
        """Both topics, decisions first."""
        return self.decisions, self.reviews


@dataclass
class BatchOutcome:
    """What one batch wrote."""

    decisions: int = 0
    reviews: int = 0
    skipped: int = 0
    breaks: list[tuple[str, ChainBreak]] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)


def _letter(item: Decoded, reason: str, problem: str) -> DeadLetter:
    record = item.incoming
    return DeadLetter(
        record.topic, record.partition, record.offset, reason, problem, record.key, record.value
    )


def _topic_partition(item: Decoded) -> tuple[str, int]:
    return item.incoming.topic, item.incoming.partition


def _merged(breaks: Iterable[ChainBreak]) -> list[ChainBreak]:
    """One break per offset: an edited and unlinked record is one row naming both problems."""
    by_offset: dict[int, ChainBreak] = {}
    for found in breaks:
        before = by_offset.get(found.offset)
        problem = found.problem if before is None else f"{before.problem}; {found.problem}"
        by_offset[found.offset] = ChainBreak(found.partition, found.offset, problem)
    return [by_offset[offset] for offset in sorted(by_offset)]


class IndexWriter:
    """Writes batches of decoded audit records on one connection (autocommit, own transactions)."""

    def __init__(self, conn: Connection[TupleRow], names: IndexTopics | None = None) -> None:
        """Write on `conn`, an autocommit connection of this writer's own."""
        self._conn = conn
        self.names = names or IndexTopics()

    def hold_shared_lock(self) -> None:
        """Announce a running indexer for this session's life: a reindex refuses to start."""
        self._conn.execute("SELECT pg_advisory_lock_shared(%s)", (REINDEX_LOCK,))

    def reset(self) -> None:
        """Empty what the index took from the topics, to be read again from offset 0.

        Decisions, chain breaks and both topics' positions go; override_review
        stays (the consent service writes it too) and is filled again from
        audit.reviews without doubles. Refused while an indexer runs.
        """
        with self._conn.transaction():
            locked = self._conn.execute(
                "SELECT pg_try_advisory_xact_lock(%s)", (REINDEX_LOCK,)
            ).fetchone()
            if not locked or not locked[0]:
                msg = "an audit indexer is running on this database: stop it before a reindex"
                raise AuditError(msg)
            self._conn.execute("TRUNCATE audit_decision, audit_chain_break")
            self._conn.execute(
                "DELETE FROM audit_index_position WHERE topic = ANY(%s)", (list(self.names.both),)
            )

    def positions(self, topic: str, partitions: Iterable[int]) -> dict[int, int]:
        """The next offset to read of each of `partitions` of `topic` (0 where none is stored)."""
        wanted = sorted(set(partitions))
        rows = self._conn.execute(
            "SELECT topic_partition, next_offset FROM audit_index_position"
            " WHERE topic = %s AND topic_partition = ANY(%s)",
            (topic, wanted),
        ).fetchall()
        stored = {int(row[0]): int(row[1]) for row in rows}
        return {partition: stored.get(partition, 0) for partition in wanted}

    def write(
        self, decoded: Sequence[Decoded], before_commit: Callable[[BatchOutcome], None]
    ) -> BatchOutcome:
        """Index `decoded` (consumed order) in one transaction; `before_commit` sees the outcome."""
        months = [
            item.record["recorded_at"]
            for item in decoded
            if item.record is not None and item.incoming.topic == self.names.decisions
        ]
        if months:
            with self._conn.transaction():
                ensure_month_partitions(self._conn, months)
        outcome = BatchOutcome()
        decision_rows: list[tuple[Any, ...]] = []
        review_rows: list[tuple[Any, ...]] = []
        with self._conn.transaction():
            ordered = sorted(decoded, key=_topic_partition)
            for (topic, partition), group in groupby(ordered, key=_topic_partition):
                items = sorted(group, key=lambda d: d.incoming.offset)
                next_offset, tail = self._lock_position(topic, partition)
                fresh = [item for item in items if item.incoming.offset >= next_offset]
                outcome.skipped += len(items) - len(fresh)
                if not fresh:
                    continue
                if topic == self.names.decisions:
                    chained = chain_rows(partition, fresh, tail or None)
                    decision_rows.extend(chained.rows)
                    self._note_breaks(topic, fresh, _merged(chained.breaks), outcome)
                    tail = chained.tail or NO_TAIL
                else:
                    for item in fresh:
                        if item.record is None:
                            outcome.letters.append(_letter(item, UNREADABLE, str(item.error)))
                        else:
                            review_rows.append(review_row(item.record))
                self._move_position(topic, partition, fresh[-1].incoming.offset + 1, tail)
            self._insert(decision_rows, review_rows, outcome)
            before_commit(outcome)
        return outcome

    def _lock_position(self, topic: str, partition: int) -> tuple[int, str]:
        self._conn.execute(
            "INSERT INTO audit_index_position (topic, topic_partition, next_offset, chain_tail)"
            " VALUES (%s, %s, 0, %s) ON CONFLICT DO NOTHING",
            (topic, partition, NO_TAIL),
        )
        row = self._conn.execute(
            "SELECT next_offset, chain_tail FROM audit_index_position"
            " WHERE topic = %s AND topic_partition = %s FOR UPDATE",
            (topic, partition),
        ).fetchone()
        if row is None:  # inserted above or already there: only a concurrent reindex removes it
            msg = f"the position of {topic}[{partition}] vanished while indexing (a reindex ran?)"
            raise AuditError(msg)
        return int(row[0]), str(row[1])

    def _move_position(self, topic: str, partition: int, next_offset: int, tail: str) -> None:
        self._conn.execute(
            "UPDATE audit_index_position SET next_offset = %s, chain_tail = %s"
            " WHERE topic = %s AND topic_partition = %s",
            (next_offset, tail, topic, partition),
        )

    def _note_breaks(
        self, topic: str, items: Sequence[Decoded], breaks: list[ChainBreak], outcome: BatchOutcome
    ) -> None:
        by_offset = {item.incoming.offset: item for item in items}
        for found in breaks:
            item = by_offset[found.offset]
            reason = UNREADABLE if item.record is None else CHAIN_BROKEN
            outcome.breaks.append((topic, found))
            outcome.letters.append(_letter(item, reason, found.problem))

    def _insert(
        self,
        decision_rows: list[tuple[Any, ...]],
        review_rows: list[tuple[Any, ...]],
        outcome: BatchOutcome,
    ) -> None:
        with self._conn.cursor() as cursor:
            if decision_rows:
                copy_sql = sql.SQL("COPY audit_decision ({}) FROM STDIN").format(
                    sql.SQL(", ").join(map(sql.Identifier, DECISION_COLUMNS))
                )
                with cursor.copy(copy_sql) as copy:
                    for row in decision_rows:
                        copy.write_row(row)
            if review_rows:
                cursor.executemany(
                    sql.SQL(
                        "INSERT INTO override_review ({}) VALUES ({}) ON CONFLICT (review_id) "
                        "DO NOTHING"
                    ).format(
                        sql.SQL(", ").join(map(sql.Identifier, REVIEW_COLUMNS)),
                        sql.SQL(", ").join([sql.Placeholder()] * len(REVIEW_COLUMNS)),
                    ),
                    review_rows,
                )
            if outcome.breaks:
                cursor.executemany(
                    "INSERT INTO audit_chain_break (topic, topic_partition, topic_offset, problem)"
                    " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    [(topic, b.partition, b.offset, b.problem) for topic, b in outcome.breaks],
                )
        outcome.decisions += len(decision_rows)
        outcome.reviews += len(review_rows)
