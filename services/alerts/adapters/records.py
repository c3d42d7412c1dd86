"""Kafka record values <-> the read model: the one place the Avro codec is used."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from schemas.codec import AvroCodec
from schemas.envelope import envelope, published_by
from schemas.exceptions import ContractError
from schemas.schema_source import SchemaSource
from services.alerts.domain.model import ACKNOWLEDGED_EVENT_TYPE, Acknowledgement, Disclosed
from services.alerts.exceptions import UnreadableRecordError

SYSTEM = "joinedup-alerts"
_READ_ERRORS = (ContractError, ValidationError, ValueError, KeyError, TypeError)


class RecordCodec:
    """Decodes view records and acknowledgements; encodes acknowledgements."""

    def __init__(self, codec: AvroCodec) -> None:
        """Wrap the project's Confluent-wire-format codec."""
        self._codec = codec

    @classmethod
    def from_source(cls, source: SchemaSource) -> RecordCodec:
        """A record codec over the schema registry (or an in-memory source in tests)."""
        return cls(AvroCodec(source))

    def _decode(self, data: bytes | None) -> dict[str, Any]:
        if data is None:
            raise UnreadableRecordError("record has no value")
        try:
            return self._codec.decode(data)
        except ContractError as exc:
            raise UnreadableRecordError(str(exc)) from exc

    def disclosed(self, data: bytes | None) -> Disclosed:
        """A `view.<agency>` record value as a `Disclosed`."""
        return self.disclosed_from(self._decode(data))

    def view_record(self, data: bytes | None) -> dict[str, Any]:
        """A `view.<agency>` record value decoded, not yet read into the model."""
        return self._decode(data)

    @staticmethod
    def disclosed_from(record: dict[str, Any]) -> Disclosed:
        """A decoded view record as a `Disclosed`."""
        try:
            return Disclosed.from_record(record)
        except _READ_ERRORS as exc:
            raise UnreadableRecordError(f"not a DisclosedEvent ({type(exc).__name__})") from exc

    def acknowledgement(self, data: bytes | None) -> Acknowledgement:
        """An `alerts.acknowledged` record value as an `Acknowledgement`."""
        record = self._decode(data)
        try:
            return Acknowledgement.from_record(record)
        except _READ_ERRORS as exc:
            raise UnreadableRecordError(f"not an AlertAcknowledged ({type(exc).__name__})") from exc

    def encode_acknowledgement(self, ack: Acknowledgement, recorded_at: dt.datetime) -> bytes:
        """The AlertAcknowledged event of `ack`, Confluent-framed Avro."""
        record = {
            **envelope(
                ACKNOWLEDGED_EVENT_TYPE,
                event_id=ack.event_id,
                occurred_at=ack.at,
                recorded_at=recorded_at,
                source=published_by(ack.agency, SYSTEM, ack.by_role),
                child_ref=ack.child_ref,
            ),
            "alert_id": ack.alert_id,
            "action": ack.action,
            "assignee": ack.assignee,
            "by_role": ack.by_role,
        }
        try:
            return self._codec.encode(ACKNOWLEDGED_EVENT_TYPE, record)
        except ContractError as exc:
            raise UnreadableRecordError(f"acknowledgement cannot be encoded: {exc}") from exc
