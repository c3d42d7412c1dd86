"""Registry records as the schemas topic holds them, in Confluent's key/value JSON layout.

Keys: `{"keytype":"SCHEMA","subject":s,"version":v,"magic":1}` and
`{"keytype":"CONFIG","subject":s|null,"magic":0}`, always written with the
same field order so that compaction keeps the last record of each key.
Values: the schema version (`subject`, `version`, `id`, `schema`, `deleted`)
or `{"compatibilityLevel": level}`; a config tombstone removes a level, a
schema tombstone withdraws a record that lost a race.
"""

from __future__ import annotations

import json
from typing import Any

from services.registry.domain.model import (
    LevelChanged,
    RegistryRecord,
    SchemaVersion,
    VersionRetracted,
    compatibility_level,
)
from services.registry.exceptions import RegistryError
from services.registry.exceptions import (
    UnreadableRecordError as UnreadableRecordError,  # noqa: PLC0414 - callers import it from here
)


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def encode(record: RegistryRecord) -> tuple[bytes, bytes | None]:
    """The key and value bytes of `record`."""
    if isinstance(record, LevelChanged):
        key = _dumps({"keytype": "CONFIG", "subject": record.subject, "magic": 0})
        if record.level is None:
            return key, None
        return key, _dumps({"compatibilityLevel": record.level})
    key = _dumps(
        {"keytype": "SCHEMA", "subject": record.subject, "version": record.version, "magic": 1}
    )
    if isinstance(record, VersionRetracted):
        return key, None
    value = {
        "subject": record.subject,
        "version": record.version,
        "id": record.schema_id,
        "schema": record.schema,
        "deleted": record.deleted,
    }
    return key, _dumps(value)


def decode(key: bytes | None, value: bytes | None) -> RegistryRecord | None:
    """The record held by `key`/`value`; None for kinds the registry does not keep."""
    try:
        fields = json.loads(key or b"null")
        body = None if value is None else json.loads(value)
        keytype = fields["keytype"]
        if keytype == "CONFIG":
            level = None if body is None else compatibility_level(body["compatibilityLevel"])
            return LevelChanged(fields["subject"], level)
        if keytype != "SCHEMA":
            return None
        if body is None:
            return VersionRetracted(str(fields["subject"]), int(fields["version"]))
        if body.get("schemaType", "AVRO") != "AVRO":
            return None
        return SchemaVersion(
            subject=str(body["subject"]),
            version=int(body["version"]),
            schema_id=int(body["id"]),
            schema=str(body["schema"]),
            deleted=bool(body.get("deleted", False)),
        )
    except (ValueError, TypeError, KeyError, AttributeError, RegistryError) as exc:
        raise UnreadableRecordError(f"not a registry record ({type(exc).__name__}: {exc})") from exc
