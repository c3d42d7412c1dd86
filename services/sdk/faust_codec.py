"""The bus's wire format as a Faust codec, for agency systems that consume with Faust.

Decoding reads Confluent-framed Avro (0x00, a 4-byte schema id, the Avro body)
through `schemas.codec.AvroCodec` and returns the event as a dict; a malformed
message raises the `ContractError` subclass the codec names it by. Encoding
writes a dict with the schema of its `event_type`, or of a fixed `record_type`.

A DisclosedEvent (what `view.<agency>` carries) names the *disclosed* event in
its `event_type` ("AttendanceMarked", ...), not its own schema: a codec that
must write DisclosedEvents is registered with `record_type="DisclosedEvent"`.

    register_bus_codec(RegistryClient(settings.registry_url))
    app.topic(topics.view(agency), value_serializer=BUS_CODEC_NAME)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from faust.serializers import codecs
from faust.types.codecs import CodecT

from schemas.codec import AvroCodec
from schemas.exceptions import EventValidationError, UnencodableRecordError
from schemas.schema_source import SchemaSource

BUS_CODEC_NAME: Final = "joinedup-avro"


class BusAvroCodec(codecs.Codec):
    """Confluent-framed Avro <-> event dicts, through the project's `AvroCodec`."""

    def __init__(
        self,
        children: tuple[CodecT, ...] | None = None,
        *,
        avro: AvroCodec,
        record_type: str | None = None,
    ) -> None:
        """Encode and decode with `avro`; write every record as `record_type` when given.

        Both travel in `kwargs`, so a clone made by chaining (`codec | other`)
        shares the same `AvroCodec` and its caches.
        """
        super().__init__(children, avro=avro, record_type=record_type)
        self._avro = avro
        self._record_type = record_type

    def _schema_of(self, record: Mapping[str, Any]) -> str:
        if self._record_type is not None:
            return self._record_type
        event_type = record.get("event_type")
        if not isinstance(event_type, str) or not event_type:
            raise EventValidationError(
                "event_type", "must name the record's schema to encode it for the bus"
            )
        return event_type

    def _dumps(self, s: Any) -> bytes:
        if not isinstance(s, Mapping):
            raise UnencodableRecordError(
                f"the bus codec encodes event dicts, not {type(s).__name__}"
            )
        return self._avro.encode(self._schema_of(s), dict(s))

    def _loads(self, s: bytes) -> Any:
        return self._avro.decode(bytes(s))


def register_bus_codec(
    source: SchemaSource, name: str = BUS_CODEC_NAME, *, record_type: str | None = None
) -> BusAvroCodec:
    """Register the bus codec with Faust under `name` (process-wide) and return it.

    `source` gives schema ids and writer schemas: a `schemas.registry_client.
    RegistryClient` in production, an `InMemorySchemaSource` in tests. Call it
    before the app starts; registering a name again replaces the codec.
    """
    codec = BusAvroCodec(avro=AvroCodec(source), record_type=record_type)
    codecs.register(name, codec)
    return codec
