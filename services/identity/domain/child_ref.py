"""`child_ref`: the pseudonym every event carries instead of a raw identifier.

child_ref = "cr" + key version + "_" + base32(HMAC-SHA256(key, canonical
identifier))[:32], lower case. The key version prefix lets the bus rotate keys:
new references use the current key, and older references stay readable
because their version names the key they were made with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from schemas.child_ref import CHILD_REF_RULE, key_version
from schemas.child_ref import is_child_ref as is_child_ref_form
from services.identity.domain.identifiers import Identifier
from services.identity.exceptions import ChildRefKeyError, InvalidChildRefError

MIN_KEY_BYTES: Final = 32
DIGEST_BYTES: Final = 20  # 160 bits: 32 base32 characters, no padding


@dataclass(frozen=True, slots=True, repr=False)
class ChildRefKey:
    """One version of the HMAC key; its repr never shows the secret."""

    version: int
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        """Refuse version numbers below 1 and keys shorter than 32 bytes."""
        if self.version < 1:
            raise ChildRefKeyError(f"child_ref key version {self.version}: must be 1 or more")
        if len(self.secret) < MIN_KEY_BYTES:
            raise ChildRefKeyError(
                f"child_ref key version {self.version}: must be at least {MIN_KEY_BYTES} bytes"
            )

    def __repr__(self) -> str:
        """Name the version only."""
        return f"ChildRefKey(version={self.version}, secret=<redacted>)"


def derive_child_ref(identifier: Identifier, key: ChildRefKey) -> str:
    """The child_ref of `identifier` under `key`."""
    digest = hmac.new(key.secret, identifier.canonical.encode(), hashlib.sha256).digest()
    encoded = base64.b32encode(digest[:DIGEST_BYTES]).decode("ascii").lower()
    return f"cr{key.version}_{encoded}"


def child_ref_key_version(child_ref: str) -> int:
    """The key version a child_ref was made with; raise if it is not a child_ref."""
    version = key_version(child_ref)
    if version is None:
        raise InvalidChildRefError(f"child_ref: {CHILD_REF_RULE}")
    return version


def is_child_ref(value: str) -> bool:
    """Say whether `value` has the form of a child_ref."""
    return is_child_ref_form(value)


class ChildRefKeyring:
    """Every key version the bus holds, and which one makes new references."""

    def __init__(self, keys: Iterable[ChildRefKey], current: int | None = None) -> None:
        """Hold `keys`; `current` defaults to the highest version."""
        self._keys: dict[int, ChildRefKey] = {}
        for key in keys:
            if key.version in self._keys:
                raise ChildRefKeyError(f"child_ref key version {key.version} is given twice")
            self._keys[key.version] = key
        if not self._keys:
            raise ChildRefKeyError("at least one child_ref key is needed")
        self.current = max(self._keys) if current is None else current
        self.key(self.current)

    def key(self, version: int) -> ChildRefKey:
        """The key of `version`."""
        try:
            return self._keys[version]
        except KeyError:
            raise ChildRefKeyError(f"no child_ref key of version {version}") from None

    def derive(self, identifier: Identifier) -> str:
        """The child_ref of `identifier` under the current key."""
        return derive_child_ref(identifier, self.key(self.current))

    def derive_all(self, identifier: Identifier) -> list[str]:
        """The child_ref of `identifier` under every key, current first (for look-ups)."""
        versions = sorted(self._keys, key=lambda version: (version != self.current, -version))
        return [derive_child_ref(identifier, self._keys[version]) for version in versions]

    def __repr__(self) -> str:
        """Name the versions only."""
        return f"ChildRefKeyring(versions={sorted(self._keys)}, current={self.current})"
