"""The one form of a child_ref, checked wherever one enters the bus.

A child_ref is `cr<key version>_` and 32 lower-case base32 characters (the
first 160 bits of an HMAC-SHA256 of the identifier, docs/identity.md). Anything
else (a raw NHS number or UPN, free text, a spreadsheet formula) is not a
child_ref, and is refused where it enters: the gateway, the consent API, the
FHIR import and the audit search.
"""

from __future__ import annotations

import re
from typing import Final

CHILD_REF_PATTERN: Final = re.compile(r"^cr([1-9][0-9]{0,3})_([a-z2-7]{32})$")
CHILD_REF_RULE: Final = "must be a child_ref: cr<key version>_ and 32 base32 characters (a-z, 2-7)"


def is_child_ref(value: str) -> bool:
    """Say whether `value` has the form of a child_ref."""
    return CHILD_REF_PATTERN.fullmatch(value) is not None


def key_version(child_ref: str) -> int | None:
    """The key version `child_ref` was made with, or None when it is not a child_ref."""
    match = CHILD_REF_PATTERN.fullmatch(child_ref)
    return int(match.group(1)) if match else None
