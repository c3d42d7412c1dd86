"""Signed webhook POSTs with bounded, exponentially backed-off retries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from services.alerts.domain.delivery import RetryPolicy, retryable_status
from services.alerts.domain.signature import SIGNATURE_HEADER, signature_header

EVENT_ID_HEADER = "X-Joinedup-Event-Id"
_OK_STATUSES = range(200, 300)


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """How a delivery ended: delivered or not, after how many attempts, and why not."""

    delivered: bool
    attempts: int
    reason: str = ""


class WebhookSender:
    """POSTs a body to a URL, signed, until accepted or out of attempts."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        secret: SecretStr,
        policy: RetryPolicy,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Send with `client` (its timeout bounds each attempt)."""
        self._client = client
        self._secret = secret
        self._policy = policy
        self._clock = clock
        self._sleep = sleep

    async def _attempt(self, url: str, body: bytes, event_id: str) -> tuple[bool, bool, str]:
        """One POST: (delivered, worth retrying, reason)."""
        headers = {
            "Content-Type": "application/json",
            EVENT_ID_HEADER: event_id,
            SIGNATURE_HEADER: signature_header(
                self._secret.get_secret_value().encode(), int(self._clock()), body
            ),
        }
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            return False, True, "timeout"
        except httpx.TransportError as exc:
            return False, True, f"transport error ({type(exc).__name__})"
        status = response.status_code
        if status in _OK_STATUSES:
            return True, False, ""
        return False, retryable_status(status), f"HTTP {status}"

    async def deliver(self, url: str, body: bytes, event_id: str) -> DeliveryOutcome:
        """Deliver `body`; retry on 5xx/408/425/429, timeouts and transport errors."""
        reason = ""
        for attempt in range(1, self._policy.max_attempts + 1):
            delivered, retry, reason = await self._attempt(url, body, event_id)
            if delivered:
                return DeliveryOutcome(delivered=True, attempts=attempt)
            if not retry:
                return DeliveryOutcome(delivered=False, attempts=attempt, reason=reason)
            if attempt < self._policy.max_attempts:
                await self._sleep(self._policy.delay_after(attempt))
        return DeliveryOutcome(delivered=False, attempts=self._policy.max_attempts, reason=reason)
