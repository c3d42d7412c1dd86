"""Who may use the consent service: bearer tokens (stored as SHA-256) and their roles.

The deployment's `consent-users.yaml` lists `users: [{name, roles, token_sha256}]`.
Roles (docs/audit.md):
- `consent-officer`: agreements, directives, dry runs;
- `auditor`: audit search and export, subject access reports, chain
  verification, the oversight figures;
- `ig-lead` (information governance lead): the queue of safeguarding
  overrides, the decisions in it, and recording a review of each;
- `identity-steward`: merges of child_refs that turn out to be one child
  (docs/identity.md).
Tokens themselves are never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.consent.exceptions import ForbiddenError, UnauthenticatedError, UsersFileError

Role = Literal["consent-officer", "auditor", "ig-lead", "identity-steward"]


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is configured."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(BaseModel):
    """A person (or system) allowed to use the consent service."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    roles: frozenset[Role] = Field(min_length=1)
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    def require(self, role: Role, *alternatives: Role) -> User:
        """The user when they hold `role` or one of `alternatives`; ForbiddenError otherwise."""
        if self.roles.isdisjoint((role, *alternatives)):
            if not alternatives:
                raise ForbiddenError("Authorization", f"this action needs the {role} role")
            named = " or ".join((role, *alternatives))
            raise ForbiddenError("Authorization", f"this action needs the {named} role")
        return self


class UserDirectory(BaseModel):
    """The users of the consent service, found by the digest of their token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    users: tuple[User, ...]

    @classmethod
    def from_file(cls, path: Path) -> UserDirectory:
        """Read the users file; UsersFileError naming what is wrong."""
        try:
            document = yaml.safe_load(path.read_text("utf-8"))
            return cls.model_validate({"users": (document or {}).get("users") or []})
        except (OSError, yaml.YAMLError, ValidationError, AttributeError) as exc:
            raise UsersFileError(f"consent users file {path}: {exc}") from exc

    def authenticate(self, authorization: str | None) -> User:
        """The user whose bearer token the `Authorization` header carries."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthenticatedError("Authorization", "a bearer token is required")
        digest = token_digest(token.strip())
        found = None
        for user in self.users:  # compare with every entry: no early exit on a match
            if hmac.compare_digest(user.token_sha256, digest):
                found = user
        if found is None:
            raise UnauthenticatedError("Authorization", "the bearer token is not valid")
        return found
