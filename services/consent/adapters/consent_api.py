"""The consent service's API as a consent officer calls it: agreements, FHIR import.

Used by `joinedup consent load` and `joinedup consent import-fhir`.

The caller builds the `httpx.AsyncClient` (base URL and bearer token), so a
test can hand it the app itself through `httpx.ASGITransport`.
"""

from __future__ import annotations

from typing import Any

import httpx

from consent.domain.agreement import SharingAgreement
from consent.exceptions import ConsentError
from services.consent.commands import CreateAgreement
from services.consent.loading import ServiceReference

URL_SETTING = "JOINEDUP_CONSENT_URL"
TOKEN_SETTING = "JOINEDUP_CONSENT_TOKEN"  # noqa: S105 - a variable's name, not a token
OFFICER_ROLE = "consent-officer"


class ConsentApiError(ConsentError):
    """Raised when the consent service cannot be reached or refuses a consent officer's request."""


class RefusedError(ConsentApiError):
    """Raised when the consent service refuses a request's content; carries every problem."""

    def __init__(self, message: str, problems: list[tuple[str, str]]) -> None:
        """Say what was refused (`message`) and list each problem as (field, rule)."""
        super().__init__(message)
        self.problems = problems


def officer_client(url: str, token: str | None, timeout_s: float = 30.0) -> httpx.AsyncClient:
    """A client of the consent service at `url` carrying a consent officer's bearer token."""
    if not token:
        raise ConsentApiError(f"{TOKEN_SETTING} (or --token) must be a consent officer's token")
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout_s)


def _problems(answer: httpx.Response) -> list[tuple[str, str]]:
    """Every (field, rule) of an error answer; the first is the one the answer leads with."""
    try:
        body = answer.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return [("(request)", answer.reason_phrase or "refused")]
    first = (str(body.get("field", "(request)")), str(body.get("rule", answer.reason_phrase)))
    listed = body.get("problems")
    if not isinstance(listed, list) or not listed:
        return [first]
    return [(str(p.get("field")), str(p.get("rule"))) for p in listed if isinstance(p, dict)]


class ConsentApi:
    """Reads and writes agreements through the consent service's /v1 routes."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        """Call the service through `client` (base URL and token set; closed by the caller)."""
        self._client = client

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        try:
            answer = await self._client.request(method, path, json=body, params=params)
        except httpx.TransportError as exc:
            where = self._client.base_url
            raise ConsentApiError(
                f"{URL_SETTING} ({where}) must point at a running consent service "
                f"({type(exc).__name__})"
            ) from exc
        if answer.status_code in {httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN}:
            raise ConsentApiError(
                f"{TOKEN_SETTING} must be a consent officer's token "
                f"(the consent service answered {answer.status_code})"
            )
        if not answer.is_success:
            problems = _problems(answer)
            field, rule = problems[0]
            raise RefusedError(f"{what}: {field}: {rule} (HTTP {answer.status_code})", problems)
        return answer.json()

    async def reference(self) -> ServiceReference:
        """The service's agencies and event types; the token must hold the consent-officer role."""
        found = await self._call("GET", "/v1/reference", "reference")
        if OFFICER_ROLE not in found["roles"]:
            raise ConsentApiError(
                f"{TOKEN_SETTING} must be a consent officer's token (its user "
                f"{found['user']!r} lacks the {OFFICER_ROLE} role)"
            )
        return ServiceReference(
            agency_ids=frozenset(agency["id"] for agency in found["agencies"]),
            event_types=frozenset(found["event_types"]),
        )

    async def agreements(self) -> dict[str, SharingAgreement]:
        """The newest version of every agreement the service holds, by id."""
        found = await self._call("GET", "/v1/agreements", "agreements")
        latest = (SharingAgreement.model_validate(entry) for entry in found)
        return {agreement.id: agreement for agreement in latest}

    async def create(self, draft: CreateAgreement) -> SharingAgreement:
        """Publish version 1 of a new agreement."""
        body = draft.model_dump(mode="json")
        found = await self._call("POST", "/v1/agreements", draft.id, body)
        return SharingAgreement.model_validate(found)

    async def new_version(self, draft: CreateAgreement, based_on: int) -> SharingAgreement:
        """Publish the version after `based_on` with the draft's content."""
        body = {**draft.model_dump(mode="json", exclude={"id"}), "based_on_version": based_on}
        found = await self._call("PUT", f"/v1/agreements/{draft.id}", draft.id, body)
        return SharingAgreement.model_validate(found)

    async def import_fhir(
        self, child_ref: str, document: dict[str, Any], version: str, *, dry_run: bool
    ) -> list[dict[str, Any]]:
        """Import a FHIR Consent or Bundle as the child's directives (a dry run records none)."""
        params = {"version": version, "dry_run": "true" if dry_run else "false"}
        path = f"/v1/children/{child_ref}/directives/fhir"
        found: list[dict[str, Any]] = await self._call(
            "POST", path, "import", document, params=params
        )
        return found
