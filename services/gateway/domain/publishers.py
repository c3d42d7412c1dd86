"""Which bearer token publishes as which agency.

Tokens are never stored: the deployment's `publishers.yaml` holds their SHA-256.
A token binds `source.agency`: an agency cannot publish as another.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from services.bus.topics import check_agency_id
from services.gateway.exceptions import GatewayError, UnauthenticatedError


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is configured."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class PublisherDirectory:
    """Token digests of each publishing agency."""

    agency_by_digest: Mapping[str, str]

    @classmethod
    def from_file(cls, path: Path) -> PublisherDirectory:
        """Read `publishers: [{agency, token_sha256}]` from a YAML file."""
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise GatewayError(f"cannot read publisher tokens from {path}: {exc}") from exc
        entries = (document or {}).get("publishers") or []
        by_digest: dict[str, str] = {}
        for index, entry in enumerate(entries):
            try:
                by_digest[str(entry["token_sha256"])] = check_agency_id(str(entry["agency"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise GatewayError(f"{path}: publishers[{index}] is malformed ({exc})") from exc
        return cls(by_digest)

    @property
    def agencies(self) -> tuple[str, ...]:
        """Every publishing agency, sorted."""
        return tuple(sorted(set(self.agency_by_digest.values())))

    def authenticate(self, authorization: str | None) -> str:
        """Return the agency whose bearer token this `Authorization` header carries."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise UnauthenticatedError("Authorization: a bearer token is required")
        digest = token_digest(token.strip())
        for known, agency in self.agency_by_digest.items():
            if hmac.compare_digest(known, digest):
                return agency
        raise UnauthenticatedError("Authorization: the bearer token is not valid")
