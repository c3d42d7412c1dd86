"""Fields that name an agency, and whose agency each may name (`x-agency` in the .avsc files).

Every `"x-format": "agency-id"` field carries `x-agency`:
- `publisher`: the field names the agency that publishes the event, and must
  equal `source.agency` (a school's own register, its own suspensions);
- `other`: the field legitimately names another agency (the school a police
  notification is for, the recipient of a view), which must be an agency the
  bus knows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

AgencyRole = Literal["publisher", "other"]
AGENCY_ROLES: Final[tuple[AgencyRole, ...]] = ("publisher", "other")
AGENCY_ID_FORMAT: Final = "agency-id"
PUBLISHER_RULE: Final = "must be the publishing agency (source.agency)"
UNKNOWN_AGENCY_RULE: Final = "names an agency that is not in the bus's agency directory"


@dataclass(frozen=True, slots=True)
class AgencyField:
    """One field naming an agency: where it is in the event and whose agency it may name."""

    path: tuple[str, ...]
    role: AgencyRole

    @property
    def name(self) -> str:
        """The dotted field path (`school`, `source.agency`)."""
        return ".".join(self.path)

    def agencies_in(self, event: Mapping[str, Any]) -> list[object]:
        """The values this field holds in `event` (none when absent or null)."""
        value: object = event
        for part in self.path:
            if not isinstance(value, Mapping):
                return []
            value = value.get(part)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]


def _records(avro_type: Any) -> Iterator[Mapping[str, Any]]:
    branches = avro_type if isinstance(avro_type, list) else [avro_type]
    for branch in branches:
        if isinstance(branch, Mapping) and branch.get("type") == "record":
            yield branch


def _walk(fields: Any, prefix: tuple[str, ...]) -> Iterator[AgencyField]:
    for field in fields:
        path = (*prefix, str(field["name"]))
        role = field.get("x-agency")
        if field.get("x-format") == AGENCY_ID_FORMAT and role in AGENCY_ROLES:
            yield AgencyField(path, cast("AgencyRole", role))
        for record in _records(field["type"]):
            yield from _walk(record.get("fields", []), path)


def agency_fields(definition: Mapping[str, Any]) -> tuple[AgencyField, ...]:
    """Every field of a schema definition that names an agency, nested records included."""
    return tuple(_walk(definition.get("fields", []), ()))
