"""The one way the gateway reads JSON from a request body, within limits.

Every route that takes JSON reads it here. Refused, each with a message naming
the problem (and the NDJSON line it is on):
- 400 (`MalformedBodyError`): empty, not UTF-8, not JSON, NaN or Infinity, a
  string escape that is not Unicode text (an unpaired surrogate);
- 422 (`BodyLimitError`): JSON beyond the limits: nested deeper than
  `max_depth`, a number longer than `max_number_chars`, a key twice in one
  object (one of its values would be silently dropped).
The body's size is limited where it is read (413, entrypoints/http.py).
Nesting is measured before parsing, so the parser never recurses deeper than
the limit; numbers are measured before they are converted.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Final

from services.gateway.exceptions import BodyLimitError, MalformedBodyError

NDJSON_TYPES: Final = ("application/x-ndjson", "application/ndjson", "application/jsonl")
DEFAULT_MAX_BODY: Final = 5 * 1024 * 1024
DEFAULT_MAX_DEPTH: Final = 32  # a batch of events with identifier lists nests 4 levels
DEFAULT_MAX_NUMBER_CHARS: Final = 40  # an Avro long has at most 20
# A string, closing quote optional so an unterminated one is consumed once (linear time).
_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_KEY_SHOWN: Final = 64


@dataclass(frozen=True, slots=True)
class JsonLimits:
    """How much JSON the gateway reads from one request."""

    max_body_bytes: int = DEFAULT_MAX_BODY
    max_depth: int = DEFAULT_MAX_DEPTH
    max_number_chars: int = DEFAULT_MAX_NUMBER_CHARS


class _Refused(Exception):  # noqa: N818 - control flow inside this module, not an error
    def __init__(self, problem: str, *, limit: bool) -> None:
        super().__init__(problem)
        self.problem = problem
        self.limit = limit


def nesting_depth(text: str, stop_above: int) -> int:
    """How deep arrays and objects nest in `text` (strings ignored), up to `stop_above` + 1."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > stop_above:
                break
    return deepest


class _Reader:
    def __init__(self, limits: JsonLimits) -> None:
        self._limits = limits

    def _number(self, text: str) -> None:
        if len(text) > self._limits.max_number_chars:
            raise _Refused(
                f"holds a number of {len(text)} characters; numbers are limited to "
                f"{self._limits.max_number_chars}",
                limit=True,
            )

    def integer(self, text: str) -> int:
        self._number(text)
        return int(text)

    def decimal(self, text: str) -> float:
        self._number(text)
        value = float(text)
        if not math.isfinite(value):
            raise _Refused(f"holds the number {text}, which is out of range", limit=True)
        return value

    @staticmethod
    def constant(name: str) -> None:
        raise _Refused(f"not valid JSON ({name} is not a JSON number)", limit=False)

    @staticmethod
    def obj(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        document = dict(pairs)
        if len(document) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    shown = key[:_KEY_SHOWN]
                    raise _Refused(f"an object holds the key {shown!r} twice", limit=True)
                seen.add(key)
        return document

    def read(self, text: str) -> Any:
        limit = self._limits.max_depth
        if nesting_depth(text, limit) > limit:
            raise _Refused(f"nested deeper than {limit} levels (the limit)", limit=True)
        try:
            value = json.loads(
                text,
                parse_int=self.integer,
                parse_float=self.decimal,
                parse_constant=self.constant,
                object_pairs_hook=self.obj,
            )
        except json.JSONDecodeError as exc:
            message = f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            raise _Refused(message, limit=False) from None
        if _SURROGATE_ESCAPE.search(text) and _holds_surrogate(value):
            raise _Refused(
                "a string holds an unpaired surrogate escape (\\ud800-\\udfff), "
                "which is not Unicode text",
                limit=False,
            )
        return value


def _holds_surrogate(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _read(reader: _Reader, text: str, where: str, index: int | None) -> Any:
    try:
        return reader.read(text)
    except _Refused as exc:
        if exc.limit:
            raise BodyLimitError(where, exc.problem, index) from None
        raise MalformedBodyError(f"{where}: {exc.problem}") from None


def read_documents(body: bytes, content_type: str, limits: JsonLimits) -> list[Any]:
    """One JSON object, a JSON array of objects, or NDJSON (one object per line)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBodyError("body: is not UTF-8 text") from None
    if not text.strip():
        raise MalformedBodyError("body: is empty; send a JSON event, a JSON array or NDJSON")
    reader = _Reader(limits)
    if content_type.split(";", maxsplit=1)[0].strip().lower() in NDJSON_TYPES:
        # Lines end at \n only: str.splitlines would also cut at U+2028 inside a string.
        lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
        documents = [
            _read(reader, line, f"body line {n}", index) for index, (n, line) in enumerate(lines)
        ]
    else:
        document = _read(reader, text, "body", None)
        documents = document if isinstance(document, list) else [document]
    if not documents:
        raise MalformedBodyError("body: holds no events")
    return documents
