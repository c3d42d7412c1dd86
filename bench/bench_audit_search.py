"""Audit search on PostgreSQL at scale: a page of 100 by child and by recipient, and a
five-year subject access report, over 10 million decisions.

Run: .venv/bin/python bench/bench_audit_search.py [--rows 10000000] [--queries 300] [--reuse]

The database is `JOINEDUP_DATABASE_URL`'s server, or the local one of
`joinedup db start`; the bench makes a database of its own on it
(`joinedup_bench_audit`), migrates it and COPYs the rows in: five years of
decisions (one month partition each), 250,000 children, 100 recipients, 30%
denies, 1% overrides, and one child with a decision most days for five years
(the subject access report). `--reuse` keeps rows from an earlier run when
there are enough. Queries run through the consent service's own code
(services/audit/index_queries.py) on its connection pool; the HTTP layer
around them is not timed. Not run by `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import time
from datetime import UTC, datetime, timedelta

import psycopg
from figures import percentiles, report_figures
from psycopg import sql

from consent.domain.agency import load_agency_directory
from consent.domain.codes import load_policy_codes
from services.audit.index_cursor import DecisionKey
from services.audit.index_filters import DecisionFilters
from services.audit.index_pool import index_pool
from services.audit.index_queries import DecisionSearch
from services.audit.index_rows import DECISION_COLUMNS
from services.config.files import packaged_default
from services.consent.subject_report import report_csv, subject_access_report
from services.consent.subject_report_html import report_html
from services.database.local import MAINTENANCE_DB
from services.database.migrate import upgrade
from services.database.partitions import ensure_month_partitions
from services.database.settings import DatabaseSettings

BENCH_DB = "joinedup_bench_audit"
CHILDREN = 250_000
RECIPIENTS = 100
YEARS = 5
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=365 * YEARS)
HEAVY_CHILD = "cr1_" + "h" * 32  # the child of the subject access report
HEAVY_EVERY = 5_000  # one decision in this many is about HEAVY_CHILD
EVENT_TYPES = ("AttendanceMarked", "SuspensionIssued", "ConcernRaised", "PupilJoinedRoll",
               "ChildProtectionPlanStarted", "DomesticAbuseIncidentNotified")  # fmt: skip
DENY_REASONS = ("no-agreement", "consent-withdrawn", "condition-not-met", "consent-not-given")
BATCH = 50_000


def child_ref(number: int) -> str:
    """The child_ref of child `number` (the strict form)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    digits = []
    for _ in range(32):
        number, digit = divmod(number, 32)
        digits.append(alphabet[digit])
    return "cr1_" + "".join(digits)


def recipient(number: int) -> str:
    """Agency id of recipient `number`."""
    return f"agency-{number:03d}"


def copy_lines(rng: random.Random, first: int, count: int, total: int, offsets: list[int]) -> str:
    """COPY text of rows first..first+count (in time order), DECISION_COLUMNS' order."""
    out = io.StringIO()
    step = SPAN / total
    for number in range(first, first + count):
        partition = number % len(offsets)
        offset = offsets[partition]
        offsets[partition] += 1
        at = START + step * number
        child = HEAVY_CHILD if number % HEAVY_EVERY == 0 else child_ref(rng.randrange(CHILDREN))
        permit = rng.random() < 0.7
        agreement = f"isa-{rng.randrange(40):02d}"
        if permit:
            fields = "{event_id,school,session_date}"
            tail = f"{agreement}\tpublic-task-ca2004-s16la\tattendance-support\t"
            tail += "t" if rng.random() < 0.0143 else "f"
            reason = f"permitted under {agreement} v1"
        else:
            fields, tail = "{}", "\\N\t\\N\t\\N\tf"
            reason = f"{rng.choice(DENY_REASONS)}: not shared"
        out.write(
            f"{partition}\t{offset}\t{rng.getrandbits(128):032x}\t{at.isoformat()}\t{child}\t"
            f"{rng.getrandbits(128):032x}\t{rng.choice(EVENT_TYPES)}\t\\N\t"
            f"{recipient(rng.randrange(RECIPIENTS))}\t{'permit' if permit else 'deny'}\t"
            f"{fields}\t{tail}\t{reason}\tp1\t{rng.getrandbits(256):064x}\t"
            f"{rng.getrandbits(256):064x}\n"
        )
    return out.getvalue()


def bench_database(reuse: bool, rows: int) -> tuple[str, int]:  # noqa: FBT001
    """The bench database's conninfo, filled with `rows` decisions; (url, rows it holds)."""
    settings = DatabaseSettings()
    with psycopg.connect(settings.url(MAINTENANCE_DB), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,))
        exists = found.fetchone() is not None
        if exists and not reuse:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
        if not (exists and reuse):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    url = settings.url(BENCH_DB)
    upgrade(url)
    with psycopg.connect(url) as conn:
        held = conn.execute("SELECT count(*) FROM audit_decision").fetchone()
    if reuse and held and held[0] >= rows:
        print(f"reusing {held[0]:,} decisions in {settings.describe(BENCH_DB)}")
        return url, int(held[0])
    print(f"filling {settings.describe(BENCH_DB)} with {rows:,} decisions ...")
    fill(url, rows)
    return url, rows


def fill(url: str, rows: int) -> None:
    """COPY `rows` decisions in time order, a batch per transaction, then ANALYZE."""
    rng = random.Random(2026)
    offsets = [0] * 12
    started = time.perf_counter()
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in DECISION_COLUMNS)
    copy = sql.SQL("COPY audit_decision ({}) FROM STDIN").format(columns)
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE audit_decision")
        months = [START + timedelta(days=d) for d in range(0, SPAN.days + 31, 28)]
        ensure_month_partitions(conn, months)
        conn.commit()
        conn.execute("SET synchronous_commit = off")
        for first in range(0, rows, BATCH):
            text = copy_lines(rng, first, min(BATCH, rows - first), rows, offsets)
            with conn.cursor().copy(copy) as writer:
                writer.write(text)
            conn.commit()
            if (first // BATCH) % 20 == 0:
                rate = (first + BATCH) / (time.perf_counter() - started)
                print(f"  {first + BATCH:>11,} rows, {rate:,.0f} rows/s")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE audit_decision")
    print(f"filled in {time.perf_counter() - started:,.0f} s")


async def timed_pages(search: DecisionSearch, filters: list[DecisionFilters]) -> list[float]:
    """Milliseconds of each first page of 100."""
    spent = []
    for each in filters:
        begun = time.perf_counter()
        await search.page(each, None, 100)
        spent.append((time.perf_counter() - begun) * 1000)
    return spent


async def continued_pages(search: DecisionSearch, queries: int, rng: random.Random) -> list[float]:
    """Milliseconds of a recipient's page of 100 continuing after a cursor at a random time."""
    spent = []
    for _ in range(queries):
        after = DecisionKey(START + SPAN * rng.random(), rng.randrange(12), 0)
        filters = DecisionFilters(recipient=recipient(rng.randrange(RECIPIENTS)))
        begun = time.perf_counter()
        await search.page(filters, after, 100)
        spent.append((time.perf_counter() - begun) * 1000)
    return spent


async def measure(url: str, queries: int) -> dict[str, object]:
    """The figures: pages by child, by recipient, continued; the five-year report."""
    rng = random.Random(7)
    pool = index_pool(url, max_size=2)
    await pool.open(wait=True)
    search = DecisionSearch(pool)
    try:
        warm = [DecisionFilters(child_ref=child_ref(rng.randrange(CHILDREN))) for _ in range(20)]
        await timed_pages(search, warm)  # prepared statements made, the catalogue cached
        by_child = await timed_pages(
            search,
            [DecisionFilters(child_ref=child_ref(rng.randrange(CHILDREN))) for _ in range(queries)],
        )
        by_recipient = await timed_pages(
            search,
            [
                DecisionFilters(recipient=recipient(rng.randrange(RECIPIENTS)))
                for _ in range(queries)
            ],
        )
        continued = await continued_pages(search, queries, rng)
        report = await five_year_report(search)
    finally:
        await pool.close()
    return {
        "page_by_child_ms": percentiles(by_child),
        "page_by_recipient_ms": percentiles(by_recipient),
        "page_by_recipient_after_a_cursor_ms": percentiles(continued),
        "queries_each": queries,
        "subject_access_report": report,
    }


async def five_year_report(search: DecisionSearch) -> dict[str, object]:
    """Time to produce the heavy child's report: rows read, report built, CSV and HTML made."""
    directory = load_agency_directory(packaged_default("agencies.yaml"))
    codes = load_policy_codes()
    runs = []
    decisions = 0
    for _ in range(5):
        begun = time.perf_counter()
        rows = await search.of_child(HEAVY_CHILD)
        read = time.perf_counter()
        report = subject_access_report(HEAVY_CHILD, rows, directory, codes, datetime.now(UTC))
        report.model_dump_json()
        report_csv(report)
        report_html(report, "/static/report.css")
        done = time.perf_counter()
        runs.append(((read - begun) * 1000, (done - begun) * 1000))
        decisions = len(rows)
    runs.sort(key=lambda run: run[1])
    return {
        "decisions": decisions,
        "years": YEARS,
        "read_ms_median": round(runs[2][0], 1),
        "produce_json_csv_html_ms_median": round(runs[2][1], 1),
        "produce_ms_max": round(runs[-1][1], 1),
    }


def main() -> None:
    """Fill (or reuse) the bench database, measure, print and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's rows")
    options = parser.parse_args()
    url, rows = bench_database(options.reuse, options.rows)
    figures = asyncio.run(measure(url, options.queries))
    with psycopg.connect(url) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    figures = {
        "rows": rows,
        "children": CHILDREN,
        "recipients": RECIPIENTS,
        "month_partitions": YEARS * 12,
        "database_bytes": int(size[0]) if size else None,
        "target_p99_ms": 100,
        **figures,
    }
    report_figures("audit_search", figures)


if __name__ == "__main__":
    main()
