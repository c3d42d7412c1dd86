"""The envelope's one definition (schemas/envelope.py) against the catalogue and the codec."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.envelope import (
    ENVELOPE_CLASSES,
    ENVELOPE_NAME_SET,
    ENVELOPE_NAMES,
    ENVELOPE_OPERATIONAL_FIELDS,
    envelope,
    published_by,
)
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource

AT = datetime(2026, 3, 2, 9, 0, 0, 250000, tzinfo=UTC)
AT_MILLIS = 1_772_442_000_250
EVENT_ID = uuid.UUID("0b7e3c1a-5f2d-4e8b-9c6a-1d2e3f4a5b6c")
SOURCE = published_by("school-100001", "mis", "dsl")


@pytest.fixture
def codec():
    return AvroCodec(InMemorySchemaSource())


def _concern(**envelope_values):
    """A ConcernRaised event: the builder's envelope plus the event's own fields."""
    values = {
        "event_id": EVENT_ID,
        "occurred_at": AT,
        "recorded_at": AT,
        "source": SOURCE,
        "child_ref": "cr1_x",
        "correlation_id": "incident-7",
    } | envelope_values
    own = sample_event("ConcernRaised")
    return {
        **envelope("ConcernRaised", **values),
        **{name: own[name] for name in own if name not in ENVELOPE_NAME_SET},
    }


class TestDefinition:
    def test_names_are_the_first_fields_of_every_schema(self):
        """Every .avsc in the catalogue starts with exactly the envelope's names, in order."""
        catalogue = Catalogue.load()
        for event_type in catalogue.event_types:
            fields = catalogue.definition(event_type)["fields"]
            names = tuple(field["name"] for field in fields[: len(ENVELOPE_NAMES)])
            assert names == ENVELOPE_NAMES, event_type

    def test_data_classes_are_those_of_every_schema(self):
        """Each envelope field's data class is the x-data-class every schema gives it."""
        catalogue = Catalogue.load()
        for event_type in catalogue.event_types:
            classes = catalogue.field_classes(event_type)
            assert {name: classes[name] for name in ENVELOPE_NAMES} == dict(ENVELOPE_CLASSES)

    def test_child_ref_alone_is_not_operational(self):
        """The operational fields are the envelope less child_ref, which is identifying."""
        assert ENVELOPE_NAME_SET - {"child_ref"} == ENVELOPE_OPERATIONAL_FIELDS
        assert ENVELOPE_CLASSES["child_ref"] == "identifying"

    def test_name_set_holds_the_names(self):
        """The set of names is the ordered names without their order."""
        assert frozenset(ENVELOPE_NAMES) == ENVELOPE_NAME_SET
        assert len(ENVELOPE_NAMES) == len(ENVELOPE_NAME_SET) == 7


class TestBuilder:
    def test_builds_every_envelope_field_in_order(self):
        """The builder's dict holds the envelope's fields, in the schema's order."""
        built = envelope(
            "ConcernRaised", occurred_at=AT, recorded_at=AT, source=SOURCE, child_ref="cr1_x"
        )
        assert tuple(built) == ENVELOPE_NAMES
        assert built["correlation_id"] is None

    def test_event_encodes_and_decodes_through_the_codec(self, codec):
        """An event on the builder's envelope fits its catalogue schema and reads back the same."""
        event = _concern()
        decoded = codec.decode(codec.encode("ConcernRaised", event))
        assert {name: decoded[name] for name in ENVELOPE_NAMES} == {
            "event_id": EVENT_ID,
            "event_type": "ConcernRaised",
            "occurred_at": AT,
            "recorded_at": AT,
            "source": {"agency": "school-100001", "system": "mis", "practitioner_role": "dsl"},
            "child_ref": "cr1_x",
            "correlation_id": "incident-7",
        }

    def test_wire_ready_values_write_the_same_bytes(self, codec):
        """A string id and epoch millis, kept as given, encode as the UUID and datetime do."""
        as_objects = codec.encode("ConcernRaised", _concern())
        as_wire = codec.encode(
            "ConcernRaised",
            _concern(event_id=str(EVENT_ID), occurred_at=AT_MILLIS, recorded_at=AT_MILLIS),
        )
        assert as_wire == as_objects

    def test_values_are_kept_as_given(self):
        """The builder converts nothing: the caller's objects are the dict's values."""
        built = envelope(
            "DisclosureDecided",
            event_id="id-as-given",
            occurred_at=AT_MILLIS,
            recorded_at=AT_MILLIS,
            source=SOURCE,
            child_ref="cr1_x",
        )
        assert built["event_id"] == "id-as-given"
        assert built["occurred_at"] == AT_MILLIS
        assert built["source"] is SOURCE

    def test_event_id_left_out_is_a_new_uuid(self):
        """Without an event_id each envelope gets its own random UUID."""
        first, second = (
            envelope("ConcernRaised", occurred_at=AT, recorded_at=AT, source=SOURCE, child_ref="c")
            for _ in range(2)
        )
        assert isinstance(first["event_id"], uuid.UUID)
        assert first["event_id"] != second["event_id"]

    def test_published_by_defaults_to_no_role(self):
        """A source without a practitioner role carries None, as the schema's default does."""
        assert published_by("joinedup-router", "router") == {
            "agency": "joinedup-router",
            "system": "router",
            "practitioner_role": None,
        }
