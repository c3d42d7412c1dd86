import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec, schema_id_of, wire_prefix
from schemas.exceptions import (
    BadMagicByteError,
    ContractError,
    UndecodableBodyError,
    UnencodableRecordError,
    UnknownSchemaIdError,
)
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource


@pytest.fixture
def codec():
    return AvroCodec(InMemorySchemaSource())


def _older_catalogue(tmp_path):
    """A catalogue whose ConcernRaised lacks the summary field (an older version)."""
    definition = json.loads(Catalogue.load().raw("ConcernRaised"))
    definition["fields"] = [f for f in definition["fields"] if f["name"] != "summary"]
    folder = tmp_path / "common"
    folder.mkdir()
    (folder / "ConcernRaised.avsc").write_text(json.dumps(definition))
    return Catalogue.from_directory(tmp_path)


class TestAvroCodec:
    def test_round_trip_every_event_type(self, codec):
        """Every event type's sample decodes to exactly what was encoded."""
        for event_type in Catalogue.load().event_types:
            event = sample_event(event_type)
            assert codec.decode(codec.encode(event_type, event)) == event, event_type

    def test_confluent_framing(self, codec):
        """A message starts with 0x00 and the 4-byte big-endian id of its schema."""
        data = codec.encode("ConcernRaised", sample_event("ConcernRaised"))
        assert data[0] == 0
        assert schema_id_of(data) == 1
        assert codec.event_type_of(data) == "ConcernRaised"

    def test_bad_magic_byte(self, codec):
        """A message without the magic byte raises BadMagicByteError."""
        with pytest.raises(BadMagicByteError):
            codec.decode(b"\x01\x00\x00\x00\x01body")

    def test_too_short_for_a_header(self, codec):
        """A message shorter than the header raises BadMagicByteError."""
        with pytest.raises(BadMagicByteError):
            codec.decode(b"\x00\x00")

    def test_unknown_schema_id(self, codec):
        """A schema id the source does not know raises UnknownSchemaIdError."""
        with pytest.raises(UnknownSchemaIdError, match="99"):
            codec.decode(wire_prefix(99) + b"\x02")

    def test_truncated_body(self, codec):
        """A truncated body raises UndecodableBodyError."""
        data = codec.encode("AlertRaised", sample_event("AlertRaised"))
        with pytest.raises(UndecodableBodyError):
            codec.decode(data[:-6])

    def test_trailing_bytes(self, codec):
        """Bytes left after the record raise UndecodableBodyError."""
        data = codec.encode("AlertRaised", sample_event("AlertRaised"))
        with pytest.raises(UndecodableBodyError, match="left after"):
            codec.decode(data + b"\x00")

    def test_record_that_does_not_fit(self, codec):
        """Encoding a record missing a field raises UnencodableRecordError."""
        event = sample_event("ConcernRaised")
        del event["summary"]
        with pytest.raises(UnencodableRecordError, match="ConcernRaised"):
            codec.encode("ConcernRaised", event)

    def test_errors_are_contract_errors(self):
        """The codec's errors all derive from ContractError."""
        for error in (BadMagicByteError, UnknownSchemaIdError, UndecodableBodyError):
            assert issubclass(error, ContractError)

    def test_older_writer_resolves_into_current_reader(self, tmp_path):
        """A message written with an older schema decodes into the current one (defaults filled)."""
        source = InMemorySchemaSource()
        old_codec = AvroCodec(source, _older_catalogue(tmp_path))
        event = sample_event("ConcernRaised")
        del event["summary"]
        data = old_codec.encode("ConcernRaised", event)
        assert old_codec.decode(data) == event
        # The current schema adds `summary` without a default: resolution must fail loudly.
        with pytest.raises(UndecodableBodyError):
            AvroCodec(source).decode(data)

    def test_older_writer_gets_reader_defaults(self, tmp_path):
        """A field the older writer lacked is filled from the reader's default."""
        definition = json.loads(Catalogue.load().raw("AttendanceMarked"))
        definition["fields"] = [f for f in definition["fields"] if f["name"] != "minutes_late"]
        folder = tmp_path / "education"
        folder.mkdir()
        (folder / "AttendanceMarked.avsc").write_text(json.dumps(definition))
        source = InMemorySchemaSource()
        event = sample_event("AttendanceMarked")
        del event["minutes_late"]
        data = AvroCodec(source, Catalogue.from_directory(tmp_path)).encode(
            "AttendanceMarked", event
        )
        assert AvroCodec(source).decode(data) == {**event, "minutes_late": None}

    @given(
        code=st.sampled_from(["/", "\\", "L", "N", "G", "I", "Y1", "#"]),
        session=st.sampled_from(["AM", "PM"]),
        minutes=st.none() | st.integers(min_value=0, max_value=2**31 - 1),
        days_ago=st.integers(min_value=0, max_value=20_000),
        millis=st.integers(min_value=0, max_value=10**12),
        system=st.text(max_size=40),
    )
    def test_round_trip_property(self, code, session, minutes, *, days_ago, millis, system):
        """Any well-typed AttendanceMarked survives a round trip unchanged."""
        codec = AvroCodec(InMemorySchemaSource())
        moment = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
        event = sample_event("AttendanceMarked", register_code=code, session=session)
        event.update(
            minutes_late=minutes,
            session_date=date(2024, 9, 1) - timedelta(days=days_ago),
            occurred_at=moment,
            source={**event["source"], "system": system},
        )
        assert codec.decode(codec.encode("AttendanceMarked", event)) == event
