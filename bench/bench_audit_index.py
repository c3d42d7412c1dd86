"""Audit indexer throughput (rows/s) vs a raw COPY of the same rows into the same schema.

Run: .venv/bin/python bench/bench_audit_index.py [records]
Needs the local broker (`make bench` starts it); starts the local PostgreSQL.
The indexer reads a topic of this run's own (3 partitions, chained records),
decodes, verifies each chain and writes rows and positions per batch in one
transaction. The baseline COPYs the rows it wrote, already decoded, into a
second fresh database: what PostgreSQL alone costs for the same rows.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
from figures import report_figures
from psycopg import sql
from rig import delete_run_topics

from consent.domain.disclosure import Permit
from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.audit.chain import GENESIS, seal_encoded
from services.audit.index_rows import DECISION_COLUMNS
from services.audit.index_writer import IndexTopics
from services.audit.indexer import AuditIndexer, IndexerOptions
from services.bus import rdkafka, topics
from services.bus.kafka import ensure_topics
from services.bus.settings import BusSettings
from services.database.local import MAINTENANCE_DB, LocalDatabase
from services.database.migrate import upgrade
from services.database.partitions import ensure_month_partitions
from services.database.settings import DatabaseSettings
from services.router.domain.routing import audit_record

PARTITIONS = 3
BATCH = 5_000
PERMIT = Permit(
    fields=frozenset({"reason", "session_date", "school"}),
    agreement_id="agr-exampleshire-1",
    agreement_version=1,
    legal_basis="Children Act 1989 s17",
    purpose="early help",
)


@contextmanager
def fresh_database(settings: DatabaseSettings):
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(settings.url(MAINTENANCE_DB), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        upgrade(settings.url(name))
        yield settings.url(name)
    finally:
        with psycopg.connect(settings.url(MAINTENANCE_DB), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def produce(settings: BusSettings, codec: AvroCodec, topic: str, count: int) -> None:
    producer = rdkafka.producer(settings)
    tails = dict.fromkeys(range(PARTITIONS), GENESIS)
    start = datetime.now(UTC) - timedelta(days=60)  # spans three month partitions
    for number in range(count):
        child = f"cr1_{number % 5000:032d}"
        event = {
            "event_id": uuid.uuid4(),
            "child_ref": child,
            "event_type": "AttendanceMarked",
            "source": {"agency": "school-100001", "system": "mis", "practitioner_role": None},
        }
        moment = start + timedelta(seconds=number * 60 * 24 * 60 / count)
        record = audit_record(event, "social-care", PERMIT, moment, "v1")
        partition = number % PARTITIONS
        record["prev_hash"] = tails[partition]
        sealed, tails[partition] = seal_encoded(codec.encode("DisclosureDecided", record))
        producer.produce(topic, sealed, child.encode(), partition=partition)
        if number % 10_000 == 0:
            producer.poll(0)
    producer.flush(60)


def raw_copy(rows: list[tuple], db_url: str) -> float:
    statement = sql.SQL("COPY audit_decision ({}) FROM STDIN").format(
        sql.SQL(", ").join(map(sql.Identifier, DECISION_COLUMNS))
    )
    with psycopg.connect(db_url, autocommit=True) as conn:
        with conn.transaction():
            ensure_month_partitions(conn, [row[3] for row in rows])
        began = time.perf_counter()
        for first in range(0, len(rows), BATCH):
            with conn.transaction(), conn.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows[first : first + BATCH]:
                    copy.write_row(row)
        return time.perf_counter() - began


def main(count: int = 60_000) -> None:
    settings, database = BusSettings(), DatabaseSettings()
    if database.uses_local_server:
        LocalDatabase(database).start()
    run = uuid.uuid4().hex[:10]
    names = IndexTopics(f"audit.disclosures-bench-{run}", f"audit.reviews-bench-{run}")
    dead = [topics.deadletter(name) for name in names.both]
    asyncio.run(ensure_topics(settings, [*names.both, *dead]))
    codec = AvroCodec(InMemorySchemaSource())
    try:
        produce(settings, codec, names.decisions, count)
        with fresh_database(database) as indexed_url, fresh_database(database) as copy_url:
            options = IndexerOptions(group_id=f"bench-audit-indexer-{run}", names=names)
            indexer = AuditIndexer(settings, indexed_url, codec, options)
            began = time.perf_counter()
            stats = indexer.run(until_caught_up=True)
            indexing = time.perf_counter() - began
            with psycopg.connect(indexed_url) as conn:
                cols = sql.SQL(", ").join(map(sql.Identifier, DECISION_COLUMNS))
                rows = conn.execute(
                    sql.SQL("SELECT {} FROM audit_decision").format(cols)
                ).fetchall()
            copying = raw_copy(rows, copy_url)
    finally:
        delete_run_topics(settings, run)
    if not stats.decisions == count == len(rows):
        sys.exit(f"indexed {stats.decisions} and copied {len(rows)} rows of {count} records")
    ours, bare = count / indexing, count / copying
    print(f"{count} audit records, {PARTITIONS} partitions, batches of {BATCH}")
    print(f"indexer (read, decode, verify chain, COPY + positions): {ours:,.0f} rows/s")
    print(f"raw COPY of the same rows:                             {bare:,.0f} rows/s")
    print(f"ratio: {ours / bare:.2f}")
    report_figures(
        "audit_index",
        {
            "records": count,
            "partitions": PARTITIONS,
            "batch": BATCH,
            "indexer_rows_per_s": round(ours),
            "raw_copy_rows_per_s": round(bare),
            "ratio": round(ours / bare, 3),
            "indexer_batches": stats.batches,
        },
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60_000)
