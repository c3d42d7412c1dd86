"""Write valid hash-chained DisclosureDecided records to an audit topic of a test's own.

Records are made as the router makes them (services/router/domain/routing.py
`audit_record`) and sealed with the chain's own helper (services/audit/chain.py
`seal_encoded`), partition by partition, so the topic holds chains that
`verify_chain` accepts. `write_broken` adds a record whose content no longer
matches its hash, as an edit in place would leave it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import Producer

from consent.domain.disclosure import Deny, Permit
from schemas.codec import AvroCodec
from schemas.envelope import envelope
from services.audit.chain import GENESIS, seal_encoded
from services.bus import rdkafka, topics
from services.bus.kafka import ensure_topics
from services.bus.settings import BusSettings
from services.router.domain.routing import audit_record
from services.sdk.registry import registry_schema_source

CHILD = "cr1_" + "b" * 32


def make_audit_topics(settings: BusSettings, decisions: str, reviews: str) -> None:
    """Create the two topics and their dead-letter topics."""
    names = [decisions, reviews, topics.deadletter(decisions), topics.deadletter(reviews)]
    asyncio.run(ensure_topics(settings, names))


def _decision(number: int) -> Permit | Deny:
    if number % 5 == 0:
        return Deny(reason="no-agreement", detail="")
    return Permit(
        fields=frozenset({"reason", "session_date"}),
        agreement_id="agr-exampleshire-1",
        agreement_version=1,
        legal_basis="Children Act 1989 s17",
        purpose="early help",
        override=number % 7 == 0,
    )


@dataclass
class AuditTopicWriter:
    """Appends chained audit records to `topic`, keeping each partition's tail."""

    settings: BusSettings
    registry_url: str
    topic: str
    partitions: int = 3
    tails: dict[int, str] = field(default_factory=dict)
    written: list[tuple[int, int]] = field(default_factory=list)  # (partition, offset)
    _producer: Producer | None = None
    _codec: AvroCodec | None = None

    def _parts(self) -> tuple[Producer, AvroCodec]:
        if self._producer is None or self._codec is None:
            self._producer = rdkafka.producer(self.settings)
            self._codec = AvroCodec(registry_schema_source(self.settings_with_registry()))
        return self._producer, self._codec

    def settings_with_registry(self) -> BusSettings:
        """The settings pointing at this writer's registry."""
        return self.settings.model_copy(update={"registry_url": self.registry_url})

    def record(self, number: int, decided_at: datetime) -> dict[str, Any]:
        """The audit record of decision `number` (permit, deny or override by its number)."""
        event = {
            "event_id": uuid.uuid4(),
            "child_ref": CHILD,
            "event_type": "SuspensionIssued",
            "source": {"agency": "school-100001", "system": "mis", "practitioner_role": None},
        }
        return audit_record(event, f"agency-{number % 4}", _decision(number), decided_at, "v1")

    def write(self, count: int, decided_at: datetime | Sequence[datetime] | None = None) -> None:
        """Append `count` chained records, spread over the partitions; wait until written."""
        producer, codec = self._parts()
        moments = decided_at if isinstance(decided_at, Sequence) else None
        for number in range(count):
            moment = moments[number % len(moments)] if moments else decided_at
            record = self.record(number, moment or datetime.now(UTC))  # type: ignore[arg-type]
            self._send(producer, codec, number % self.partitions, record, edit=False)
        producer.flush(30)

    def write_broken(self, partition: int) -> None:
        """Append to `partition` one record edited after sealing (its hash no longer matches)."""
        producer, codec = self._parts()
        self._send(producer, codec, partition, self.record(1, datetime.now(UTC)), edit=True)
        producer.flush(30)

    def write_review(self, topic: str, review_id: uuid.UUID, decision: tuple[int, int]) -> None:
        """Append one OverrideReviewed of the decision at (partition, offset) to `topic`."""
        producer, codec = self._parts()
        now = datetime.now(UTC)
        review = envelope(
            "OverrideReviewed",
            event_id=str(uuid.uuid4()),
            occurred_at=now,
            recorded_at=now,
            source={"agency": "la-exampleshire", "system": "consent", "practitioner_role": None},
            child_ref=CHILD,
        )
        review.update(
            review_id=str(review_id),
            decision_partition=decision[0],
            decision_offset=decision[1],
            decided_at=now,
            outcome="upheld",
            note="the safeguarding basis applied",
            reviewer="ig-lead-1",
        )
        producer.produce(topic, codec.encode("OverrideReviewed", review), CHILD.encode())
        producer.flush(30)

    def _send(
        self,
        producer: Producer,
        codec: AvroCodec,
        partition: int,
        record: dict[str, Any],
        *,
        edit: bool,
    ) -> None:
        record["prev_hash"] = self.tails.get(partition, GENESIS)
        record["hash"] = ""
        sealed, digest = seal_encoded(codec.encode("DisclosureDecided", record))
        if edit:
            record["reason"] = "edited after sealing"
            record["hash"] = digest
            sealed = codec.encode("DisclosureDecided", record)
        self.tails[partition] = digest

        def delivered(error: Any, message: Any) -> None:
            assert error is None, error
            self.written.append((message.partition(), message.offset()))

        producer.produce(
            self.topic, sealed, CHILD.encode(), partition=partition, on_delivery=delivered
        )
        producer.poll(0)


def indexer_command(decisions: str, reviews: str, *extra: str) -> list[str]:
    """The command line of `joinedup audit indexer` on the test's topics."""
    return [
        sys.executable,
        "-m",
        "services",
        "audit",
        "indexer",
        "--decisions-topic",
        decisions,
        "--reviews-topic",
        reviews,
        *extra,
    ]


def run_cli(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    """Run a `joinedup` command to its end; its stderr (the summary); fail on a non-zero exit."""
    result = subprocess.run(
        [sys.executable, "-m", "services", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr
