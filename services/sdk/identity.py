"""`IdentityClient`: raw identifiers to child_refs through the bus's identity endpoint.

Agencies never hold the child_ref key: the gateway resolves identifiers
(POST /v1/identity/resolve) and the client caches the answers, so each
child's identifier crosses the network once per process. Identifiers are
validated locally first, so a typo is reported without a round trip. The
cache lives in memory only; nothing here logs an identifier.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from services.identity.domain.identifiers import Identifier, parse_identifier
from services.identity.exceptions import InvalidIdentifierError
from services.sdk.exceptions import IdentityLookupError, SdkError
from services.sdk.retrying import RetrySettings, post_retrying

RESOLVE_PATH = "/v1/identity/resolve"
UNPROCESSABLE = 422


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class IdentityClient:
    """Resolves identifiers with the gateway, remembering up to `cache_size` answers."""

    def __init__(  # noqa: PLR0913 - the options after `*` are keyword-only, each optional
        self,
        gateway_url: str,
        token: str,
        *,
        agency: str,
        client: httpx.AsyncClient | None = None,
        cache_size: int = 100_000,
        retry: RetrySettings | None = None,
    ) -> None:
        """Ask the gateway at `gateway_url` with `token`, which publishes as `agency`.

        A 503 (or no answer) is tried again as `retry` says (`JOINEDUP_SDK_RETRY_*`).
        """
        self.agency = agency
        self._retry = retry or RetrySettings()
        self._client = client or httpx.AsyncClient(base_url=gateway_url, timeout=30.0)
        self._headers = {"Authorization": f"Bearer {token}"}
        self._cache: OrderedDict[tuple[Identifier, ...], str] = OrderedDict()
        self._cache_size = cache_size
        self.lookups = 0

    async def __aenter__(self) -> Self:
        """Use the client in `async with`."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    def _parse(self, kind: str, value: str) -> Identifier:
        try:
            return parse_identifier(kind, value, self.agency)
        except InvalidIdentifierError as exc:
            raise IdentityLookupError(exc.field, exc.rule) from None

    async def child_ref(self, kind: str, value: str) -> str:
        """The child_ref of one identifier (`nhs_number`, `upn` or `local_case_id`)."""
        return await self.child_ref_of([(kind, value)])

    async def child_ref_of(self, identifiers: Sequence[tuple[str, str]]) -> str:
        """The child_ref of one child known by several identifiers; the bus links them."""
        parsed = tuple(self._parse(kind, value) for kind, value in identifiers)
        if not parsed:
            raise IdentityLookupError("identifiers", "at least one identifier is needed")
        cached = self._cache.get(parsed)
        if cached is not None:
            self._cache.move_to_end(parsed)
            return cached
        child_ref = await self._ask(parsed)
        self._cache[parsed] = child_ref
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return child_ref

    async def _ask(self, identifiers: tuple[Identifier, ...]) -> str:
        body = {"identifiers": [{"kind": i.kind, "value": i.value} for i in identifiers]}
        self.lookups += 1
        try:
            response = await post_retrying(
                self._client, RESOLVE_PATH, self._retry, json=body, headers=self._headers
            )
        except httpx.HTTPError as exc:
            raise SdkError(f"identity endpoint unreachable: {type(exc).__name__}") from None
        if response.status_code == UNPROCESSABLE:
            problem = (_body(response).get("problems") or [{}])[0]
            raise IdentityLookupError(
                str(problem.get("field", "identifier")), str(problem.get("rule", "rejected"))
            )
        if response.is_error:
            message = _body(response).get("error", response.reason_phrase)
            raise SdkError(f"identity endpoint answered {response.status_code}: {message}")
        return str(_body(response)["child_ref"])
