"""Where an import sends its events: the HTTP gateway or Kafka (through a `Publisher`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

import httpx

from schemas.exceptions import ContractError
from schemas.models.education import AttendanceMarked
from services.sdk.exceptions import PublishError, WrongAgencyError
from services.sdk.importing import COLUMN_OF_FIELD, event_document, refusal
from services.sdk.publisher import Prepared, Publisher
from services.sdk.retrying import RetrySettings, post_retrying

EVENTS_PATH: Final = "/v1/events"
NDJSON: Final = "application/x-ndjson"
# Answers that refuse some events of a batch by index: broken contract, an event id
# already used for another event. The rest of the batch is sent again without them.
REFUSING_EVENTS: Final = frozenset({409, 422})


class KafkaSink:
    """Validates and publishes events straight to `ingest.<agency>` with the SDK."""

    def __init__(self, publisher: Publisher) -> None:
        """Publish with `publisher` (started by the caller)."""
        self._publisher = publisher

    async def send(self, events: Sequence[AttendanceMarked]) -> list[tuple[int, str, str]]:
        """Publish the valid events; return the refused ones as (index, field, rule)."""
        refused: list[tuple[int, str, str]] = []
        good: list[Prepared] = []
        for index, event in enumerate(events):
            try:
                good.append(self._publisher.prepare(event))
            except (ContractError, WrongAgencyError) as exc:
                refused.append(refusal(index, exc))
        if good:
            await self._publisher.send_many(good)
        return refused


class GatewaySink:
    """Posts events as NDJSON to the gateway; a refused batch is resent without its bad events.

    A 503 (broker or registry unavailable) or no answer is tried again as
    `retry` says (`JOINEDUP_SDK_RETRY_*`); after the last try it is a `PublishError`.
    """

    def __init__(
        self, client: httpx.AsyncClient, token: str, retry: RetrySettings | None = None
    ) -> None:
        """Post with `client` (its base_url is the gateway) and the agency's bearer `token`."""
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": NDJSON}
        self._retry = retry or RetrySettings()

    async def _post(self, documents: list[dict[str, Any]]) -> httpx.Response:
        body = "\n".join(json.dumps(document) for document in documents)
        try:
            return await post_retrying(
                self._client, EVENTS_PATH, self._retry, content=body, headers=self._headers
            )
        except httpx.HTTPError as exc:
            raise PublishError(f"gateway unreachable: {type(exc).__name__}: {exc}") from None

    async def send(self, events: Sequence[AttendanceMarked]) -> list[tuple[int, str, str]]:
        """Publish the valid events; return the refused ones as (index, field, rule)."""
        pending = list(enumerate(event_document(event) for event in events))
        refused: list[tuple[int, str, str]] = []
        while pending:
            response = await self._post([document for _, document in pending])
            if response.status_code not in REFUSING_EVENTS:
                if response.is_error:
                    raise PublishError(f"gateway answered {response.status_code}: {response.text}")
                return sorted(refused)
            problems = response.json().get("problems") or []
            bad = {int(p["index"]): p for p in problems if isinstance(p.get("index"), int)}
            if not bad:
                raise PublishError(f"gateway refused the batch: {response.text}")
            for position, problem in sorted(bad.items()):
                name = str(problem.get("field") or "(event)")
                refused.append(
                    (pending[position][0], COLUMN_OF_FIELD.get(name, name), str(problem["rule"]))
                )
            pending = [item for position, item in enumerate(pending) if position not in bad]
        return sorted(refused)
