"""Bearer-token guards: who is signed in, and whether their role allows the route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import structlog
from fastapi import Header

from services.consent.users import Role, User, UserDirectory


def guard(users: UserDirectory, role: Role | None, *alternatives: Role) -> Callable[..., User]:
    """A FastAPI dependency: the signed-in user, holding `role` or an alternative (None: any)."""

    def signed_in(authorization: Annotated[str | None, Header()] = None) -> User:
        user = users.authenticate(authorization)
        if role is not None:
            user.require(role, *alternatives)
        structlog.contextvars.bind_contextvars(roles=sorted(user.roles))
        return user

    return signed_in
