"""Override reviews to Kafka: `OverrideReviewed` records on audit.reviews, keyed by child_ref.

Written through the consent service's own producer (idempotent, acks=all)
and waited for a bounded time: a broker that does not acknowledge in time,
or a schema registry that does not answer, is `UnavailableError` (503 with
Retry-After), and the caller writes nothing else. The event id is the
review id, so a retried review is one event to every consumer.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final, Protocol

import structlog
from aiokafka.errors import KafkaError

from schemas.codec import AvroCodec
from schemas.envelope import envelope, published_by
from schemas.registry_errors import RegistryRequestError, RegistryUnreachableError
from services.audit.index_reviews import OverrideReview
from services.consent.exceptions import UnavailableError

log = structlog.get_logger("joinedup.consent")

REVIEW_SOURCE: Final = published_by("joinedup-consent", "consent-service", "ig-lead")
SERVER_ERROR: Final = 500
NOT_WRITTEN: Final = "the bus did not take the review; nothing was recorded, try again shortly"


class RecordSender(Protocol):
    """What sends one record and waits for the broker (an AIOKafkaProducer or ProducerSlot)."""

    async def send_and_wait(self, topic: str, value: bytes | None, key: bytes | None = None) -> Any:
        """Write one record; raise when the broker does not take it."""
        ...


def review_record(review: OverrideReview, child_ref: str) -> dict[str, Any]:
    """The OverrideReviewed event of `review` (about a decision on `child_ref`)."""
    return {
        **envelope(
            "OverrideReviewed",
            event_id=review.review_id,
            occurred_at=review.reviewed_at,
            recorded_at=review.reviewed_at,
            source=REVIEW_SOURCE,
            child_ref=child_ref,
        ),
        "review_id": review.review_id,
        "decision_partition": review.decision.partition,
        "decision_offset": review.decision.offset,
        "decided_at": review.decision.decided_at,
        "outcome": review.outcome,
        "note": review.note,
        "reviewer": review.reviewer,
    }


class KafkaReviewPublisher:
    """Publishes reviews to the reviews topic, waiting at most `timeout_s` for the broker."""

    def __init__(
        self,
        sender: RecordSender,
        codec: AvroCodec,
        topic: str,
        *,
        timeout_s: float,
        retry_after_s: int,
    ) -> None:
        """Send with `sender` (started by the caller), encode with `codec`."""
        self._sender = sender
        self._codec = codec
        self._topic = topic
        self._timeout_s = timeout_s
        self._retry_after_s = retry_after_s

    async def publish_review(self, review: OverrideReview, child_ref: str) -> None:
        """Write the review's event; UnavailableError (503) when the bus does not take it."""
        try:
            async with asyncio.timeout(self._timeout_s):
                value = self._codec.encode("OverrideReviewed", review_record(review, child_ref))
                await self._sender.send_and_wait(self._topic, value, key=child_ref.encode())
        except RegistryRequestError as exc:
            if exc.status < SERVER_ERROR:
                raise  # the registry refused the schema: a fault of ours, not an outage
            raise self._unavailable(exc) from exc
        except (KafkaError, TimeoutError, RegistryUnreachableError) as exc:
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: Exception) -> UnavailableError:
        log.warning("override review not published", error=type(exc).__name__)
        return UnavailableError("bus", NOT_WRITTEN, self._retry_after_s)
