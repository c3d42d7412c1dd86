"""Code lists (schemas/codes/*.yaml), loaded on first use and cached.

Each file holds one list with its source; code lives here once, as data, and is
read through typed accessors such as `attendance_code("N")`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast, get_args

import yaml

from schemas.exceptions import CodeListError, UnknownCodeError

CODES_DIR = Path(__file__).parent / "codes"

AttendanceCategory = Literal[
    "present", "approved-education", "authorised", "unavoidable", "unauthorised", "administrative"
]

ATTENDANCE_REGISTER = "attendance-register"
EXCLUSION_REASON = "exclusion-reason"
CP_CATEGORY = "cp-category"
PRIMARY_NEED = "primary-need"
LEGAL_STATUS = "legal-status"
LEAVING_DESTINATION = "leaving-destination"
ASSESSMENT_FACTOR = "assessment-factor"
CONCERN_CATEGORY = "concern-category"
REFERRAL_REASON = "referral-reason"
THRESHOLD_LEVEL = "threshold-level"


@dataclass(frozen=True, slots=True)
class Code:
    """One code of a code list and what it means."""

    code: str
    meaning: str


@dataclass(frozen=True, slots=True)
class AttendanceCode:
    """A national attendance register code and how it counts."""

    code: str
    meaning: str
    category: AttendanceCategory
    counts_as_possible_session: bool
    counts_as_absence: bool


@dataclass(frozen=True, slots=True)
class CodeList:
    """A named code list with its title and source."""

    name: str
    title: str
    source: str
    codes: dict[str, Code]

    def __contains__(self, code: object) -> bool:
        """Say whether `code` is in the list."""
        return code in self.codes

    def get(self, code: str) -> Code:
        """Return the code, or raise `UnknownCodeError`."""
        try:
            return self.codes[code]
        except KeyError:
            raise UnknownCodeError(self.name, code) from None


def _read(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CodeListError(f"{path.name}: cannot be read as YAML ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("codes"), list):
        raise CodeListError(f"{path.name}: must be a mapping with a 'codes' list")
    for key in ("name", "title", "source"):
        if not isinstance(document.get(key), str):
            raise CodeListError(f"{path.name}: '{key}' must be a string")
    for entry in document["codes"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
            raise CodeListError(f"{path.name}: every code must be a mapping with a string 'code'")
    return cast("dict[str, Any]", document)


@cache
def _documents() -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(CODES_DIR.glob("*.yaml")):
        document = _read(path)
        if document["name"] in documents:
            raise CodeListError(f"{path.name}: code list {document['name']!r} is defined twice")
        documents[document["name"]] = document
    return documents


def code_list_names() -> tuple[str, ...]:
    """Names of every code list, sorted."""
    return tuple(sorted(_documents()))


@cache
def code_list(name: str) -> CodeList:
    """Return the code list called `name` (e.g. "exclusion-reason")."""
    document = _documents().get(name)
    if document is None:
        raise CodeListError(f"no code list called {name!r} in {CODES_DIR}")
    codes = {
        entry["code"]: Code(entry["code"], str(entry["meaning"])) for entry in document["codes"]
    }
    return CodeList(name, document["title"], document["source"], codes)


@cache
def attendance_codes() -> dict[str, AttendanceCode]:
    """Every national attendance register code, by code."""
    allowed = get_args(AttendanceCategory)
    codes: dict[str, AttendanceCode] = {}
    for entry in _documents()[ATTENDANCE_REGISTER]["codes"]:
        if entry.get("category") not in allowed:
            raise CodeListError(
                f"attendance code {entry['code']!r}: category must be one of {allowed}"
            )
        codes[entry["code"]] = AttendanceCode(
            code=entry["code"],
            meaning=str(entry["meaning"]),
            category=entry["category"],
            counts_as_possible_session=bool(entry["counts_as_possible_session"]),
            counts_as_absence=bool(entry["counts_as_absence"]),
        )
    return codes


def attendance_code(code: str) -> AttendanceCode:
    """Return the attendance register code `code`, or raise `UnknownCodeError`."""
    try:
        return attendance_codes()[code]
    except KeyError:
        raise UnknownCodeError(ATTENDANCE_REGISTER, code) from None


def exclusion_reason(code: str) -> Code:
    """Return the CBDS exclusion reason `code`."""
    return code_list(EXCLUSION_REASON).get(code)


def cp_category(code: str) -> Code:
    """Return the child protection plan category `code`."""
    return code_list(CP_CATEGORY).get(code)


def primary_need(code: str) -> Code:
    """Return the Children in Need primary need `code` (N0-N9)."""
    return code_list(PRIMARY_NEED).get(code)


def legal_status(code: str) -> Code:
    """Return the looked-after legal status `code` (SSDA903)."""
    return code_list(LEGAL_STATUS).get(code)


def leaving_destination(code: str) -> Code:
    """Return the leaving destination `code`."""
    return code_list(LEAVING_DESTINATION).get(code)


def assessment_factor(code: str) -> Code:
    """Return the assessment factor `code` (Children in Need census)."""
    return code_list(ASSESSMENT_FACTOR).get(code)


def concern_category(code: str) -> Code:
    """Return the concern category `code`."""
    return code_list(CONCERN_CATEGORY).get(code)


def referral_reason(code: str) -> Code:
    """Return the referral decision reason category `code`."""
    return code_list(REFERRAL_REASON).get(code)


def threshold_level(code: str) -> Code:
    """Return the local threshold document level `code`."""
    return code_list(THRESHOLD_LEVEL).get(code)


def is_known(list_name: str, code: str) -> bool:
    """Say whether `code` is in the code list `list_name`."""
    return code in code_list(list_name)
