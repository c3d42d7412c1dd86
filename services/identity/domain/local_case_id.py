"""Local case ids: an agency's own reference for a child, meaningful only with the agency."""

from __future__ import annotations

import re
from typing import Final

from services.bus.topics import check_agency_id
from services.identity.exceptions import InvalidIdentifierError

FIELD: Final = "local_case_id"
MAX_LENGTH: Final = 64
_ALLOWED: Final = re.compile(r"^[A-Z0-9][A-Z0-9._/-]*$")


def parse_local_case_id(agency: str, value: str) -> tuple[str, str]:
    """Return (agency, case id upper-cased and stripped), or raise naming the broken rule."""
    try:
        check_agency_id(agency)
    except ValueError:
        raise InvalidIdentifierError(
            f"{FIELD}.agency", "must be an agency id (lower-case letters, digits, hyphens)"
        ) from None
    case_id = value.strip().upper()
    if not 1 <= len(case_id) <= MAX_LENGTH:
        raise InvalidIdentifierError(FIELD, f"must be 1-{MAX_LENGTH} characters")
    if not case_id.isascii() or not _ALLOWED.fullmatch(case_id):
        raise InvalidIdentifierError(
            FIELD, "may hold only letters, digits and . _ / - (starting with a letter or digit)"
        )
    return agency, case_id
