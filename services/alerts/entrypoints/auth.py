"""Who is asking: a bearer token (API clients) or a session cookie (the web page).

Sessions live in memory: a restart signs everyone out, which a duty team
accepts for a page they keep open. A cookie-authenticated request that changes
something must carry the `X-Joinedup-Request` header, which a cross-site form
cannot send (with SameSite=Strict cookies, belt and braces against CSRF).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from starlette.requests import HTTPConnection

from services.alerts.domain.users import DutyUser, DutyUsers
from services.alerts.exceptions import ForbiddenError, UnauthenticatedError

SESSION_COOKIE = "joinedup_alerts_session"
CSRF_HEADER = "X-Joinedup-Request"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Sessions:
    """Signed-in sessions by random token, each expiring after `ttl`."""

    def __init__(self, ttl: dt.timedelta, clock: Callable[[], dt.datetime]) -> None:
        """No sessions yet."""
        self._ttl = ttl
        self._clock = clock
        self._open: dict[str, tuple[DutyUser, dt.datetime]] = {}

    def open(self, user: DutyUser) -> str:
        """Start a session for `user`; return its cookie value."""
        token = secrets.token_urlsafe(32)
        self._open[token] = (user, self._clock() + self._ttl)
        return token

    def user(self, token: str) -> DutyUser | None:
        """The user of a live session, or None (expired sessions are forgotten)."""
        entry = self._open.get(token)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._open[token]
            return None
        return entry[0]

    def close(self, token: str) -> None:
        """End a session (signing out)."""
        self._open.pop(token, None)


class Authenticator:
    """Finds the duty user of a request or a feed connection."""

    def __init__(self, users: DutyUsers, sessions: Sessions) -> None:
        """Check tokens against `users`, cookies against `sessions`."""
        self.users = users
        self.sessions = sessions

    def user_of(self, connection: HTTPConnection, method: str = "GET") -> DutyUser:
        """The signed-in user; `UnauthenticatedError` or `ForbiddenError` otherwise."""
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return self.users.authenticate(token)
        user = self.sessions.user(connection.cookies.get(SESSION_COOKIE, ""))
        if user is None:
            raise UnauthenticatedError("sign in, or send a bearer token")
        if method not in _SAFE_METHODS and connection.headers.get(CSRF_HEADER) != "1":
            raise ForbiddenError(f"{CSRF_HEADER}: 1 is required with a session cookie")
        return user
