"""State restore: read a million children's router state back from a 6-partition changelog.

Writes COUNT realistic router ChildState values (the router's own state codec:
on roll at a school, some with plans, a lead professional or a second school,
about 1% with a consent directive), keyed by child_ref, to a fresh compacted
changelog with 6 partitions (a plain librdkafka producer, no transactions).
Then times `ChildStore.restore` of all 6 partitions and of one partition (a
fresh store each), and apart from it, decoding every child (`store.get`),
which the router does lazily on a child's first event after a restore.

Needs a broker (`joinedup broker start`). Loopback only, bounded.
Run: .venv/bin/python bench/bench_restore.py [children]
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

from confluent_kafka import KafkaError, Message
from figures import report_figures
from rig import delete_run_topics, fast_producer, produce

from consent.domain import AgencySelector, ChildState, ConsentDirective, Period, RecordedBy
from services.bus import topics
from services.bus.child_store import ChildStore
from services.bus.kafka import ensure_topics
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.router.stage import child_state_codec

PARTITIONS = 6
SCHOOLS = [f"school-{100001 + i}" for i in range(40)]
LEADS = ["la-social-care", "la-education", "health-trust", "virtual-school"]


def child_state(rng: random.Random, child_ref: str) -> ChildState:
    """A child as the router keeps it: mostly on one roll; some plans, leads, directives."""
    roll = {rng.choice(SCHOOLS)} | ({rng.choice(SCHOOLS)} if rng.random() < 0.05 else set())
    plans = {p for p, share in (("cp", 0.03), ("cin", 0.08)) if rng.random() < share}
    directives = ()
    if rng.random() < 0.01:
        directives = (
            ConsentDirective(
                id=f"cd-{uuid.UUID(int=rng.getrandbits(128))}",
                child_ref=child_ref,
                kind=rng.choice(["given", "withdrawn", "objection"]),
                recipient=AgencySelector(agency=rng.choice(LEADS)),
                period=Period(start=datetime(2026, 9, 1, tzinfo=UTC)),
                recorded_by=RecordedBy(role="social worker", agency="la-social-care"),
                recorded_at=datetime(2026, 9, 1, 9, 30, tzinfo=UTC),
            ),
        )
    return ChildState(
        child_ref=child_ref,
        on_roll_at=frozenset(roll),
        active_plans=frozenset(plans),
        looked_after=rng.random() < 0.01,
        lead_professional=rng.choice(LEADS) if plans else None,
        directives=directives,
    )


def write_changelog(
    settings: BusSettings, changelog: str, count: int
) -> tuple[list[tuple[int, str]], dict[str, float]]:
    """Write `count` children; (partition, child_ref) of each, from the delivery reports."""
    rng = random.Random(20261128)
    dump = child_state_codec().dump
    placed: list[tuple[int, str]] = []
    failures: list[str] = []
    sizes: list[int] = []

    def delivered(error: KafkaError | None, message: Message) -> None:
        if error is not None:
            failures.append(error.str())
        else:
            placed.append((message.partition(), (message.key() or b"").decode()))

    producer = fast_producer(settings)
    began = time.perf_counter()
    for i in range(count):
        child_ref = f"cr1_{rng.getrandbits(128):032x}"
        value = dump(child_state(rng, child_ref))
        sizes.append(len(value))
        produce(producer, changelog, value, child_ref.encode(), on_delivery=delivered)
        if i % 10_000 == 0:
            producer.poll(0)
    if producer.flush(300) or failures or len(placed) != count:
        msg = f"{changelog}: {len(placed)} of {count} written ({failures[:1]})"
        raise SystemExit(msg)
    seconds = time.perf_counter() - began
    stats = {"mean": round(statistics.mean(sizes)), "min": min(sizes), "max": max(sizes)}
    print(
        f"wrote {count:,} children in {seconds:.1f} s (encoding included); value bytes: "
        f"mean {stats['mean']}, min {stats['min']}, max {stats['max']}, "
        f"total {sum(sizes) / 1e6:.0f} MB",
        file=sys.stderr,
    )
    return placed, stats


def timed_restore(settings: BusSettings, changelog: str, partitions: list[int]) -> dict[str, float]:
    store = ChildStore(changelog, child_state_codec())
    began = time.perf_counter()
    records = store.restore(settings, partitions)
    seconds = time.perf_counter() - began
    return {
        "partitions": len(partitions),
        "records": records,
        "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds),
    }


def main(count: int) -> None:
    configure_logging("WARNING")
    settings = BusSettings(default_partitions=PARTITIONS)
    changelog = topics.changelog(f"bench-restore-{uuid.uuid4().hex[:8]}")
    asyncio.run(ensure_topics(settings, [changelog]))
    try:
        placed, sizes = write_changelog(settings, changelog, count)
        whole = timed_restore(settings, changelog, list(range(PARTITIONS)))
        if whole["records"] != count:
            raise SystemExit(f"restored {whole['records']} of {count} records")
        one = timed_restore(settings, changelog, [0])
        store = ChildStore(changelog, child_state_codec())
        store.restore(settings, range(PARTITIONS))
    finally:
        delete_run_topics(settings, changelog)
    began = time.perf_counter()
    decoded = sum(store.get(partition, child_ref) is not None for partition, child_ref in placed)
    seconds = time.perf_counter() - began
    decode = {"children": decoded, "seconds": round(seconds, 3), "per_s": round(decoded / seconds)}

    print(f"children: {count:,} in {changelog} ({PARTITIONS} partitions, compacted)")
    for label, f in (("restore, all partitions", whole), ("restore, 1 partition", one)):
        print(
            f"{label:<26}{f['records']:>10,} records {f['seconds']:>8.2f} s "
            f"{f['records_per_s']:>12,} records/s"
        )
    print(
        f"{'decode every child (get)':<26}{decoded:>10,} children {seconds:>7.2f} s "
        f"{decode['per_s']:>12,} children/s"
    )
    report_figures(
        "bench_restore",
        {
            "children": count,
            "value_bytes": sizes,
            "restore_all": whole,
            "restore_one": one,
            "decode_all": decode,
        },
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
