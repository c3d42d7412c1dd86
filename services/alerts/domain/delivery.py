"""Webhook delivery policy: what a POST carries, and when to try again."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from services.alerts.domain.model import Alert

# Request timeout, rate limiting and server errors are worth another try;
# any other 4xx means the receiver refuses this request as it stands.
_RETRYABLE_CLIENT_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded attempts with exponential backoff between them."""

    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def __post_init__(self) -> None:
        """Refuse a policy that never tries or waits a negative time."""
        if self.max_attempts < 1 or self.base_delay_s < 0 or self.max_delay_s < 0:
            raise ValueError("a retry policy needs max_attempts >= 1 and non-negative delays")

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))


def retryable_status(status: int) -> bool:
    """Whether an HTTP status is worth another attempt."""
    return status >= 500 or status in _RETRYABLE_CLIENT_STATUSES


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def webhook_body(alert: Alert, now: dt.datetime) -> bytes:
    """The JSON a webhook receives for an alert (receivers de-duplicate on `event_id`)."""
    return _json({"type": "alert.raised", "agency": alert.agency, "alert": alert.as_json(now)})


def disclosure_body(agency: str, disclosure: dict[str, Any]) -> bytes:
    """The JSON a view webhook receives: one disclosure as the SDK and the HTTP feed shape it.

    Receivers de-duplicate on (`disclosure.publisher`, `disclosure.event_id`).
    """
    return _json({"type": "view.disclosed", "agency": agency, "disclosure": disclosure})
