"""The consumer that folds the referral loop's disclosed events into referrals and aggregates.

It reads, without a consumer group and from the beginning (a read model,
rebuilt on every start), the view of each served agency - its referrals, for
the duty page - and the safeguarding partnership's view - the aggregates of
the /partnership page. Only the loop's event types are kept; a record that
cannot be read is logged with its position and skipped (the router owns the
view's dead letters). Logs carry positions, never child_refs or referral ids.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import structlog
import yaml

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.alerts.domain.partnership import PartnershipLedger
from services.alerts.domain.referrals import LOOP_EVENT_TYPES, LoopEvent, ReferralBook
from services.alerts.exceptions import AlertsConfigError
from services.bus import topics
from services.bus.kafka import stop_consumer

log = structlog.get_logger("joinedup.alerts.referrals")


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    msg = "is not a timestamp"
    raise TypeError(msg)


def loop_event(record: Mapping[str, Any]) -> LoopEvent | None:
    """A decoded DisclosedEvent as a LoopEvent; None for other event types or without an id."""
    if record["event_type"] not in LOOP_EVENT_TYPES or not record.get("correlation_id"):
        return None
    fields = json.loads(str(record["fields"]))
    if not isinstance(fields, dict):
        msg = "fields: is not a JSON object"
        raise TypeError(msg)
    return LoopEvent(
        event_id=str(record["event_id"]),
        event_type=str(record["event_type"]),
        recipient=str(record["recipient"]),
        source_agency=str(record["source"]["agency"]),
        child_ref=str(record["child_ref"]),
        referral_id=str(record["correlation_id"]),
        occurred_at=_aware(record["occurred_at"]),
        routed_at=_aware(record["decided_at"]),
        fields=fields,
    )


def agency_kinds(path: Path) -> dict[str, str]:
    """Agency id -> kind, from an agency directory file (agencies.yaml)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rows = document.get("agencies") or []
        return {str(row["id"]): str(row["kind"]) for row in rows}
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError) as exc:
        msg = f"{path}: not an agency directory (agencies: [{{id, kind}}]): {exc}"
        raise AlertsConfigError(msg) from exc


class ReferralFeed:
    """Folds view records into the referral book (served agencies) and the partnership ledger."""

    def __init__(
        self,
        consumer: Any,
        codec: AvroCodec,
        book: ReferralBook,
        ledger: PartnershipLedger,
        partnership_agency: str,
    ) -> None:
        """Read with `consumer`, built subscribed to `topic_names(...)` without a group."""
        self._consumer = consumer
        self._codec = codec
        self._book = book
        self._ledger = ledger
        self._partnership_view = topics.view(partnership_agency)
        self.records_read = 0
        self.records_skipped = 0

    @staticmethod
    def topic_names(agencies: tuple[str, ...], partnership_agency: str) -> list[str]:
        """The view of each served agency and the partnership's view."""
        return sorted({*(topics.view(a) for a in agencies), topics.view(partnership_agency)})

    async def run(self) -> None:
        """Start the consumer and fold records until cancelled; stop it on the way out."""
        await self._consumer.start()
        try:
            while True:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=2_000)
                for records in batches.values():
                    for record in records:
                        self.fold(record.topic, record.partition, record.offset, record.value)
        finally:
            await stop_consumer(self._consumer)

    def fold(self, topic: str, partition: int, offset: int, value: bytes | None) -> None:
        """Fold one view record in; what cannot be read is logged by position and skipped."""
        self.records_read += 1
        try:
            decoded = self._codec.decode(value or b"")
            event = loop_event(decoded)
        except (ContractError, KeyError, TypeError, ValueError) as exc:
            self.records_skipped += 1
            log.warning(
                "view record skipped: cannot be read",
                topic=topic,
                partition=partition,
                offset=offset,
                reason=type(exc).__name__,
            )
            return
        if event is None:
            return
        if topic == self._partnership_view:
            self._ledger.record(event)
        elif topics.view(event.recipient) == topic:
            self._book.record(event)
