"""`joinedup alerts tail`: print an agency's alerts as they arrive in its view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from services.alerts.adapters.records import RecordCodec
from services.alerts.domain.model import Alert
from services.alerts.exceptions import UnreadableRecordError
from services.bus.kafka import stop_consumer

log = structlog.get_logger("joinedup.alerts.tail")


def tail_line(alert: Alert) -> str:
    """One line per alert: time, severity, rule, child_ref, summary (undisclosed shown as -)."""
    raised = alert.raised_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return " ".join(
        (
            raised,
            f"{alert.severity or '-':<8}",
            alert.rule_id or "-",
            alert.child_ref,
            alert.summary or "-",
        )
    )


async def tail_alerts(
    consumer: Any,
    codec: RecordCodec,
    write: Callable[[str], None],
    max_alerts: int | None = None,
) -> int:
    """Write each alert the consumer reads until cancelled or `max_alerts`; return the count."""
    printed = 0
    await consumer.start()
    try:
        while max_alerts is None or printed < max_alerts:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    try:
                        disclosed = codec.disclosed(record.value)
                    except UnreadableRecordError as exc:
                        log.warning(
                            "record skipped",
                            topic=record.topic,
                            offset=record.offset,
                            reason=str(exc),
                        )
                        continue
                    if not disclosed.is_alert:
                        continue
                    write(tail_line(Alert.from_disclosed(disclosed)))
                    printed += 1
                    if max_alerts is not None and printed >= max_alerts:
                        return printed
    finally:
        await stop_consumer(consumer)
    return printed
