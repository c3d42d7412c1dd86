import uuid
from datetime import UTC, datetime

import faust
import pytest
from faust.exceptions import ValueDecodeError
from faust.serializers import codecs

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.exceptions import (
    BadMagicByteError,
    ContractError,
    EventValidationError,
    UndecodableBodyError,
    UnencodableRecordError,
    UnknownSchemaIdError,
)
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.alerts.samples import disclosed_record
from services.sdk.faust_codec import BUS_CODEC_NAME, BusAvroCodec, register_bus_codec

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def source():
    return InMemorySchemaSource()


@pytest.fixture
def codec_name():
    """A codec name of this test's own, removed from Faust's registry afterwards."""
    name = f"joinedup-avro-test-{uuid.uuid4().hex[:8]}"
    yield name
    codecs.codecs.pop(name, None)


@pytest.fixture
def attendance():
    return sample_event("AttendanceMarked", now=NOW)


class TestBusAvroCodec:
    def test_round_trips_an_event_by_its_event_type(self, source, codec_name, attendance):
        """An event dict encodes with its event type's schema and decodes back unchanged."""
        register_bus_codec(source, codec_name)
        assert codecs.loads(codec_name, codecs.dumps(codec_name, attendance)) == attendance

    def test_writes_the_confluent_frame_of_the_bus(self, source, codec_name, attendance):
        """Encoded bytes are what the project's AvroCodec writes: 0x00, schema id, Avro body."""
        register_bus_codec(source, codec_name)
        data = codecs.dumps(codec_name, attendance)
        assert data == AvroCodec(source).encode("AttendanceMarked", attendance)
        assert data[0] == 0
        subject = Catalogue.load().subject("AttendanceMarked")
        assert int.from_bytes(data[1:5], "big") in source.versions(subject)

    def test_reads_what_the_bus_wrote(self, source, codec_name, attendance):
        """Bytes written by the bus's AvroCodec decode into the event dict."""
        register_bus_codec(source, codec_name)
        data = AvroCodec(source).encode("AttendanceMarked", attendance)
        assert codecs.loads(codec_name, data) == attendance

    def test_record_type_writes_disclosed_events(self, source, codec_name):
        """With record_type DisclosedEvent, a view record round-trips though its
        event_type names the disclosed event."""
        record = disclosed_record("school-100001", "AttendanceMarked", {"session": "AM"})
        record |= {"event_id": uuid.uuid4(), "occurred_at": NOW, "recorded_at": NOW}
        record["decided_at"] = NOW
        register_bus_codec(source, codec_name, record_type="DisclosedEvent")
        assert codecs.loads(codec_name, codecs.dumps(codec_name, record)) == record

    def test_disclosed_event_by_its_event_type_is_refused(self, source, codec_name):
        """Without record_type, a DisclosedEvent is written with the disclosed event's
        schema and refused, not written wrongly."""
        record = disclosed_record("school-100001", "AttendanceMarked", {"session": "AM"})
        register_bus_codec(source, codec_name)
        with pytest.raises(UnencodableRecordError):
            codecs.dumps(codec_name, record)

    def test_chained_clone_shares_the_avro_codec(self, source, attendance):
        """A codec chained with another keeps its AvroCodec (and its caches)."""
        avro = AvroCodec(source)
        chained = BusAvroCodec(avro=avro) | codecs.binary()
        assert chained.nodes[0]._avro is avro
        assert chained.loads(chained.dumps(attendance)) == attendance


class TestMalformedMessages:
    @pytest.mark.parametrize(
        ("make_bytes", "error"),
        [
            pytest.param(lambda _good: b'{"json": "not avro"}', BadMagicByteError, id="no-frame"),
            pytest.param(lambda _good: b"\x00\x00", BadMagicByteError, id="short-frame"),
            pytest.param(
                lambda good: b"\x00\x00\x00\x99\x99" + good[5:],
                UnknownSchemaIdError,
                id="unknown-schema-id",
            ),
            pytest.param(lambda good: good[:12], UndecodableBodyError, id="truncated-body"),
            pytest.param(lambda good: good + b"\x00", UndecodableBodyError, id="trailing-bytes"),
        ],
    )
    def test_raise_the_contract_error_that_names_them(
        self, source, codec_name, attendance, make_bytes, error
    ):
        """Each kind of malformed message raises its own ContractError subclass."""
        register_bus_codec(source, codec_name)
        good = codecs.dumps(codec_name, attendance)
        with pytest.raises(error) as raised:
            codecs.loads(codec_name, make_bytes(good))
        assert isinstance(raised.value, ContractError)

    def test_faust_wraps_the_contract_error_as_its_cause(self, source, codec_name):
        """In a Faust app the ContractError reaches the agent as ValueDecodeError's cause."""
        register_bus_codec(source, codec_name)
        app = faust.App("joinedup-codec-unit", autodiscover=False)
        with pytest.raises(ValueDecodeError) as raised:
            app.serializers.loads_value(None, b"not avro", serializer=codec_name)
        assert isinstance(raised.value.__cause__, BadMagicByteError)

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param({"child_ref": "cr1_x"}, id="no-event-type"),
            pytest.param({"event_type": 7}, id="event-type-not-a-string"),
        ],
    )
    def test_a_record_without_a_schema_name_is_refused(self, source, codec_name, value):
        """A dict with no usable event_type raises EventValidationError naming the field."""
        register_bus_codec(source, codec_name)
        with pytest.raises(EventValidationError) as raised:
            codecs.dumps(codec_name, value)
        assert raised.value.field == "event_type"

    def test_a_value_that_is_not_a_dict_is_refused(self, source, codec_name):
        """Only event dicts are encoded; anything else raises UnencodableRecordError."""
        register_bus_codec(source, codec_name)
        with pytest.raises(UnencodableRecordError):
            codecs.dumps(codec_name, ["AttendanceMarked"])


class TestRegisterBusCodec:
    def test_registers_under_the_default_name(self, source):
        """Without a name the codec is registered as joinedup-avro."""
        previous = codecs.codecs.get(BUS_CODEC_NAME)
        try:
            codec = register_bus_codec(source)
            assert codecs.get_codec(BUS_CODEC_NAME) is codec
        finally:
            codecs.codecs.pop(BUS_CODEC_NAME, None)
            if previous is not None:
                codecs.register(BUS_CODEC_NAME, previous)

    def test_unknown_event_type_is_a_contract_error(self, source, codec_name):
        """Encoding an event type with no schema raises a ContractError, not a KeyError."""
        register_bus_codec(source, codec_name)
        with pytest.raises(ContractError):
            codecs.dumps(codec_name, {"event_type": "NoSuchEvent"})
