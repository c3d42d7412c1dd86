"""Duty workers and managers, and which agency each acts for.

Bearer tokens are never stored: a user is configured with the SHA-256 of
their token, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.alerts.exceptions import UnauthenticatedError

# partnership-analyst: the safeguarding partnership's threshold review; sees the
# aggregated /partnership page only, never a board, an alert or a referral.
DutyRole = Literal["duty-worker", "duty-manager", "partnership-analyst"]
PARTNERSHIP_ANALYST: Final = "partnership-analyst"


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is configured."""
    return hashlib.sha256(token.encode()).hexdigest()


class DutyUser(BaseModel):
    """A member of one agency's duty team."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")
    name: str = Field(min_length=1)
    agency: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    role: DutyRole
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", repr=False)

    @property
    def may_assign(self) -> bool:
        """Whether this user may assign alerts to colleagues (duty managers only)."""
        return self.role == "duty-manager"


class DutyUsers:
    """The duty users of a deployment, found by token."""

    def __init__(self, users: Iterable[DutyUser]) -> None:
        """Index `users`; ids must be unique."""
        self._users = tuple(users)
        ids = [user.id for user in self._users]
        if len(set(ids)) != len(ids):
            raise ValueError("duty user ids must be unique")

    @property
    def agencies(self) -> tuple[str, ...]:
        """Agencies with at least one duty user, sorted."""
        return tuple(sorted({user.agency for user in self._users}))

    def authenticate(self, token: str) -> DutyUser:
        """The user whose token this is; raise `UnauthenticatedError` otherwise."""
        digest = token_digest(token.strip())
        found = None
        for user in self._users:
            if hmac.compare_digest(user.token_sha256, digest):
                found = user
        if found is None or not token.strip():
            raise UnauthenticatedError("the token is not valid")
        return found
