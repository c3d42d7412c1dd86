"""Cursors of the view feed: where in an agency's view the next page starts.

A cursor is opaque to clients: base64url of a small JSON document naming the
agency and, per partition of `view.<agency>`, the next offset to read. It holds
nothing the service must remember, so a cursor stays good across restarts of
the service (and on any of its instances). A partition a cursor does not name
is read from its beginning; no cursor at all means the whole view.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from services.view_feed.exceptions import CursorError

VERSION: Final = 1
MAX_CHARS: Final = 4096
MAX_PARTITIONS: Final = 10_000
MAX_OFFSET: Final = 2**63 - 1
NOT_OURS: Final = "is not a cursor this feed gave out"


@dataclass(frozen=True)
class Cursor:
    """Next offset per partition of one agency's view."""

    agency: str
    offsets: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))

    def start(self, partition: int) -> int:
        """Where `partition` is read from: the cursor's offset, else its beginning."""
        return self.offsets.get(partition, 0)

    def moved_to(self, positions: Mapping[int, int]) -> Cursor:
        """The cursor after a page: `positions` replace the offsets of their partitions."""
        return Cursor(self.agency, MappingProxyType({**self.offsets, **positions}))

    def encode(self) -> str:
        """The opaque text a client sends back as `cursor`."""
        document = {
            "v": VERSION,
            "a": self.agency,
            "o": [[partition, offset] for partition, offset in sorted(self.offsets.items())],
        }
        raw = json.dumps(document, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _document(text: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        document = json.loads(raw)
    except (binascii.Error, ValueError):
        raise CursorError(NOT_OURS) from None
    if not isinstance(document, dict):
        raise CursorError(NOT_OURS)
    return document


def _is_count(value: object, limit: int) -> bool:
    return type(value) is int and 0 <= value <= limit


def _offsets(pairs: object) -> dict[int, int]:
    if not isinstance(pairs, list) or len(pairs) > MAX_PARTITIONS:
        raise CursorError(NOT_OURS)
    offsets: dict[int, int] = {}
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise CursorError(NOT_OURS)
        partition, offset = pair
        if not (_is_count(partition, MAX_PARTITIONS) and _is_count(offset, MAX_OFFSET)):
            raise CursorError(NOT_OURS)
        if partition in offsets:
            raise CursorError(NOT_OURS)
        offsets[partition] = offset
    return offsets


def read_cursor(text: str | None, agency: str) -> Cursor:
    """The cursor `text` stands for in `agency`'s view (no text: the view's beginning)."""
    if not text:
        return Cursor(agency)
    if len(text) > MAX_CHARS:
        raise CursorError(f"must be at most {MAX_CHARS} characters")
    if not text.isascii():
        raise CursorError(NOT_OURS)
    document = _document(text)
    if document.get("v") != VERSION:
        raise CursorError(f"{NOT_OURS} (version {VERSION})")
    if document.get("a") != agency:
        raise CursorError("belongs to another view; start again without a cursor")
    return Cursor(agency, MappingProxyType(_offsets(document.get("o"))))
