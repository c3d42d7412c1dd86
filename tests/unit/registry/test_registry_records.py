"""Registry records in the schemas topic's key/value layout."""

from __future__ import annotations

import json

import pytest

from services.registry.adapters.records import UnreadableRecordError, decode, encode
from services.registry.domain.model import LevelChanged, SchemaVersion, VersionRetracted

SCHEMA = '{"type":"string"}'


class TestRecords:
    @pytest.mark.parametrize(
        "record",
        [
            SchemaVersion("s", 3, 7, SCHEMA),
            SchemaVersion("s", 3, 7, SCHEMA, deleted=True),
            LevelChanged(None, "FULL"),
            LevelChanged("s", "NONE"),
            LevelChanged("s", None),
            VersionRetracted("s", 3),
        ],
    )
    def test_round_trip(self, record):
        """Every record reads back as itself."""
        assert decode(*encode(record)) == record

    def test_confluent_layout(self):
        """Keys and values follow Confluent's `_schemas` layout."""
        key, value = encode(SchemaVersion("s", 1, 5, SCHEMA))
        assert key == b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}'
        assert json.loads(value) == {
            "subject": "s",
            "version": 1,
            "id": 5,
            "schema": SCHEMA,
            "deleted": False,
        }
        assert encode(LevelChanged(None, "FULL")) == (
            b'{"keytype":"CONFIG","subject":null,"magic":0}',
            b'{"compatibilityLevel":"FULL"}',
        )

    def test_same_version_gets_the_same_key(self):
        """A deletion shares the key of the record it updates, so compaction keeps the last."""
        live = encode(SchemaVersion("s", 1, 5, SCHEMA))[0]
        assert encode(SchemaVersion("s", 1, 5, SCHEMA, deleted=True))[0] == live
        assert encode(VersionRetracted("s", 1))[0] == live

    def test_kinds_the_registry_does_not_keep_are_passed_over(self):
        """NOOP records and non-Avro schemas (written by other registries) read as None."""
        assert decode(b'{"keytype":"NOOP","magic":0}', b"{}") is None
        value = {"subject": "s", "version": 1, "id": 1, "schema": "x", "schemaType": "PROTOBUF"}
        key = b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}'
        assert decode(key, json.dumps(value).encode()) is None

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            (b"not json", b"{}"),
            (None, b"{}"),
            (b'{"keytype":"SCHEMA","subject":"s","version":1}', b'{"id":1}'),
            (b'{"keytype":"CONFIG","subject":null}', b'{"compatibilityLevel":"SOMETIMES"}'),
        ],
    )
    def test_garbage_is_unreadable(self, key, value):
        """Records not in the layout raise `UnreadableRecordError`."""
        with pytest.raises(UnreadableRecordError):
            decode(key, value)
