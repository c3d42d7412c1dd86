"""Who may read which view: bearer tokens, each bound to one agency.

Tokens are never stored: the deployment's `view-readers.yaml` holds their
SHA-256. A token reads its own agency's view and no other.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from services.view_feed.exceptions import ForbiddenViewError, UnauthenticatedError


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is configured."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ViewReaders:
    """Token digests of each agency that reads its view over HTTP."""

    agency_by_digest: Mapping[str, str]

    @property
    def agencies(self) -> tuple[str, ...]:
        """Every agency with a token, sorted."""
        return tuple(sorted(set(self.agency_by_digest.values())))

    def authenticate(self, authorization: str | None) -> str:
        """The agency whose bearer token this `Authorization` header carries."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthenticatedError("Authorization: a bearer token is required")
        digest = token_digest(token.strip())
        found = None
        for known, agency in self.agency_by_digest.items():
            if hmac.compare_digest(known, digest):
                found = agency
        if found is None:
            raise UnauthenticatedError("Authorization: the bearer token is not valid")
        return found

    @staticmethod
    def authorize(caller: str, agency: str) -> None:
        """Refuse a view other than the caller's own agency's."""
        if caller != agency:
            raise ForbiddenViewError("agency: a token reads its own agency's view only")
