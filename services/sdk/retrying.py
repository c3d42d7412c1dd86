"""Calls to the gateway that ride out an outage: 503 (and no answer at all) are tried again.

The gateway answers 503 with Retry-After while the broker or the schema
registry is unavailable; nothing of such a request was acknowledged. Its
routes are idempotent (an event id already stored is a `duplicate`), so the
SDK sends the same request again, waiting what Retry-After says (at most
`retry_max_wait_s`), else `retry_wait_s` doubled each time, for up to
`retry_attempts` tries in all. Read from `JOINEDUP_SDK_*` variables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Final

import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

UNAVAILABLE: Final = 503


class RetrySettings(BaseSettings):
    """How often and how patiently the SDK tries a gateway request again."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_SDK_", frozen=True, extra="ignore")

    retry_attempts: int = Field(
        default=8, ge=1, description="Tries of one request in all, the first included."
    )
    retry_wait_s: float = Field(
        default=0.5,
        gt=0,
        description="Wait before the second try when the gateway names none; doubled each try.",
    )
    retry_max_wait_s: float = Field(
        default=30.0, gt=0, description="Longest wait between two tries (Retry-After included)."
    )

    def wait_before(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds to wait after try number `attempt` (1 is the first) got `response`."""
        named = response.headers.get("retry-after", "") if response is not None else ""
        wait = float(named) if named.isdigit() else self.retry_wait_s * 2 ** (attempt - 1)
        return min(wait, self.retry_max_wait_s)


async def post_retrying(
    client: httpx.AsyncClient,
    path: str,
    settings: RetrySettings,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    **request: Any,
) -> httpx.Response:
    """POST `path`; try again on 503 or no answer, as `settings` say; return the last answer.

    Raises the transport error when the last try got no answer at all.
    """
    for attempt in range(1, settings.retry_attempts):
        try:
            response = await client.post(path, **request)
        except httpx.TransportError:
            await sleep(settings.wait_before(attempt, None))
            continue
        if response.status_code != UNAVAILABLE:
            return response
        await sleep(settings.wait_before(attempt, response))
    return await client.post(path, **request)
