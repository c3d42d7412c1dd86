"""Hostile inputs: hand-written values and bodies, and hypothesis strategies that mix them.

JSON is written by `dump`, which also writes `Raw` text as it is, so a body
can hold what `json.dumps` refuses or cannot make: 5,000-digit integers,
NaN, nesting thousands deep, lone surrogates.
"""

from __future__ import annotations

import json
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
DEEP = 100_000  # brackets deep: far past any parser's recursion limit, still 200 KB
OVER_LIMIT = 6 * 1024 * 1024  # past the gateway's 5 MiB body limit


@dataclass(frozen=True)
class Raw:
    """JSON text written into a body as it is."""

    text: str
    label: str


def dump(value: Any) -> str:
    """JSON text of `value`, with `Raw` parts written verbatim."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dump(item) for item in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # NaN, Infinity: what Python's own JSON parser accepts
    return json.dumps(value)


def body_of(value: Any) -> bytes:
    """UTF-8 bytes of `dump(value)`; lone surrogates are written as JSON escapes."""
    return dump(value).encode("utf-8", "backslashreplace")


def child_ref() -> str:
    """A child_ref of the valid form (random)."""
    return "cr1_" + "".join(secrets.choice(BASE32) for _ in range(32))


FORMULAS = (
    '=HYPERLINK("http://127.0.0.1/x","open")',
    "=1+1",
    "+SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|'/C notepad'!A1",
)
NHS_NUMBERS = ("9434765919", "943 476 5919", "943-476-5919", "4010232137", "9434765918")
BIG_NUMBERS = (
    Raw("9" * 5000, "5000-digit integer"),
    Raw("-" + "1" * 5000, "negative 5000-digit integer"),
    Raw("1" * 4301, "4301-digit integer"),
    Raw("1e999999", "float overflowing to infinity"),
    Raw("0." + "0" * 5000 + "1", "5000-digit fraction"),
    Raw("NaN", "NaN literal"),
    Raw("-Infinity", "-Infinity literal"),
    2**63,
    -(2**63) - 1,
    2**64,
    -0.0,
    1.7976931348623157e308,
)
NESTED = (
    Raw("[" * DEEP + "]" * DEEP, f"arrays {DEEP} deep"),
    Raw('{"a":' * 20_000 + "null" + "}" * 20_000, "objects 20,000 deep"),
    Raw("[" * 900 + "]" * 900, "arrays 900 deep"),
)
STRINGS = (
    "",
    " ",
    "\u0000",
    "\ud800",  # a lone surrogate: valid JSON escape, not encodable as UTF-8
    "\udfff\ud800",
    "\u202e\u0644\u0627",
    "a" * 100_000,
    "\U0001f600" * 2000,
    "<script>alert(1)</script>",
    "'; DROP TABLE events; --",
    "../../../../etc/passwd",
    "%s%s%n",
    "{{7*7}}${7*7}",
    "${jndi:ldap://127.0.0.1/x}",
    "null",
    "true",
    "\uff11\uff12\uff13",  # full-width digits
)
OTHERS = (None, True, False, [], {}, [None], {"": None}, 0, -1, 0.5, [[[]]], {"$ref": "#"})
HOSTILE_VALUES: tuple[Any, ...] = (
    *FORMULAS,
    *NHS_NUMBERS,
    *BIG_NUMBERS,
    *NESTED,
    *STRINGS,
    *OTHERS,
)


def pick(items: tuple[Any, ...] | list[Any]) -> st.SearchStrategy[Any]:
    """One of `items`, like `sampled_from`, without writing the items into the strategy's repr."""
    chosen = tuple(items)
    return st.integers(0, len(chosen) - 1).map(lambda index: chosen[index])


def json_values() -> st.SearchStrategy[Any]:
    """Arbitrary JSON documents (hypothesis), small."""
    leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
        ),
        max_leaves=12,
    )


def hostile_values() -> st.SearchStrategy[Any]:
    """A hand-written hostile value, or a generated one."""
    return st.one_of(
        pick(HOSTILE_VALUES),
        st.text(max_size=60),
        st.integers(),
        st.floats(),
        json_values(),
    )


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a JSON document (the root is the empty path)."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[path[0]] = _replace(document[path[0]], path[1:], value)
    return copy


def _delete(document: Any, path: tuple[Any, ...]) -> Any:
    if len(path) == 1 and isinstance(document, dict):
        return {k: v for k, v in document.items() if k != path[0]}
    if len(path) == 1:
        return [v for i, v in enumerate(document) if i != path[0]]
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[path[0]] = _delete(document[path[0]], path[1:])
    return copy


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """`document` with one to three of its values replaced, keys dropped or unknown keys added."""
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        action = draw(st.sampled_from(("replace", "replace", "replace", "delete", "add")))
        if action == "delete" and path:
            document = _delete(document, path)
        elif action == "add" and isinstance(document, dict):
            document = {**document, draw(st.text(min_size=1, max_size=12)): draw(hostile_values())}
        else:
            document = _replace(document, path, draw(hostile_values()))
    return document


RAW_BODIES: tuple[tuple[str, bytes], ...] = (
    ("empty body", b""),
    ("whitespace body", b" \r\n\t "),
    ("invalid UTF-8", b'{"event_type": "\xff\xfe\xfd"}'),
    ("invalid UTF-8 sequence", b"\xc3\x28\xa0\xa1"),
    ("UTF-8 byte order mark then JSON", b'\xef\xbb\xbf{"a": 1}'),
    ("UTF-16 JSON", '{"a": 1}'.encode("utf-16")),
    ("NUL bytes", b'{"a\x00": "\x00"}'),
    ("truncated JSON", b'{"event_type": '),
    ("JSON with trailing garbage", b'{"a": 1} trailing'),
    ("5000-digit integer body", b"9" * 5000),
    (f"arrays {DEEP} deep", b"[" * DEEP + b"]" * DEEP),
    ("objects 20,000 deep", b'{"a":' * 20_000 + b"null" + b"}" * 20_000),
    ("unclosed arrays 100,000 deep", b"[" * DEEP),
    ("NaN body", b"NaN"),
    ("JSON string body", b'"just a string"'),
    ("JSON null", b"null"),
    ("empty array", b"[]"),
    ("array of nulls", b"[null, null]"),
    ("XML", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'),
    ("form data", b"token=%FF%FE&a=1&a=2"),
    ("duplicate keys", b'{"a": 1, "a": {"b": 2}}'),
    ("lone surrogate escape", b'{"value": "\\ud800", "child_ref": "\\udfff"}'),
)


def raw_bodies() -> st.SearchStrategy[tuple[str, bytes]]:
    """A hand-written hostile body, or random bytes."""
    return st.one_of(
        pick(RAW_BODIES),
        st.binary(max_size=200).map(lambda b: ("random bytes", b)),
    )


CONTENT_TYPES = (
    "application/json",
    "application/json",
    "application/json",
    "application/x-ndjson",
    "text/plain",
    "application/xml",
    "multipart/form-data; boundary=fuzz",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-16",
    "application/json; charset=latin-1",
    "*/*",
    None,
)


def attendance_event(agency: str) -> dict[str, Any]:
    """A valid AttendanceMarked as an agency system POSTs it (fresh ids)."""
    now = datetime.now(UTC) - timedelta(hours=1)
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": "AttendanceMarked",
        "occurred_at": now.isoformat(),
        "recorded_at": now.isoformat(),
        "source": {"agency": agency, "system": "fuzz", "practitioner_role": None},
        "child_ref": child_ref(),
        "school": agency,
        "session_date": (now.date() - timedelta(days=1)).isoformat(),
        "session": "AM",
        "register_code": "N",
    }


def agreement_body(agreement_id: str) -> dict[str, Any]:
    """A valid new sharing agreement."""
    return {
        "id": agreement_id,
        "title": "Attendance to the LA attendance service",
        "provider": {"kind": "school"},
        "recipient": {"agency": "la-education"},
        "event_types": ["AttendanceMarked"],
        "data_classes": ["operational"],
        "purpose": "attendance-support",
        "legal_basis": "public-task-ca2004-s16la",
        "valid_from": "2025-09-01T00:00:00Z",
    }


def directive_body() -> dict[str, Any]:
    """A valid consent directive."""
    return {
        "kind": "withdrawn",
        "purpose": "early-help",
        "period": {"start": "2025-09-01T00:00:00Z"},
        "recorded_by": {"role": "social-worker", "agency": "la-social-care"},
    }


AVRO_RECORD = json.dumps(
    {
        "type": "record",
        "name": "FuzzRecord",
        "namespace": "fuzz",
        "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": ["null", "long"]}],
    }
)
