"""`Disclosure`: one record of an agency's view, as the SDK and the HTTP feed hand it over.

A record of `view.<agency>` is a DisclosedEvent (schemas/avro/view/DisclosedEvent.avsc):
the envelope of the disclosed event, the sharing agreement, legal basis and
purpose it was disclosed under, and `fields`, a JSON object of the disclosed
event's fields that agreement permits. A `Disclosure` carries all of it, with
`fields` parsed into a read-only mapping (values as JSON has them: dates and
times are ISO 8601 strings) and where the record was read (partition, offset).

`as_json()` is the one JSON shape of a disclosure: the HTTP feed's records and
the view webhooks' bodies are built with it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from services.sdk.exceptions import NotADisclosureError

DISCLOSED_EVENT: Final = "DisclosedEvent"


class Disclosure(NamedTuple):
    """What a recipient agency received about one event, and under which agreement.

    Immutable (a named tuple: cheap to build, which a subscriber does for every
    record); `fields` is a read-only mapping.
    """

    event_id: str
    event_type: str
    child_ref: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    publisher: str
    system: str
    practitioner_role: str | None
    correlation_id: str | None
    recipient: str
    fields: Mapping[str, Any]
    agreement_id: str
    agreement_version: int
    legal_basis: str
    purpose: str
    consent_override: bool
    decided_at: dt.datetime
    partition: int
    offset: int

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the disclosed event: (publishing agency, event_id)."""
        return self.publisher, self.event_id

    def as_json(self) -> dict[str, Any]:
        """The disclosure as JSON-ready values (times as ISO 8601 UTC strings)."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "child_ref": self.child_ref,
            "occurred_at": self.occurred_at.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "publisher": self.publisher,
            "system": self.system,
            "practitioner_role": self.practitioner_role,
            "correlation_id": self.correlation_id,
            "recipient": self.recipient,
            "fields": dict(self.fields),
            "agreement_id": self.agreement_id,
            "agreement_version": self.agreement_version,
            "legal_basis": self.legal_basis,
            "purpose": self.purpose,
            "consent_override": self.consent_override,
            "decided_at": self.decided_at.isoformat(),
            "partition": self.partition,
            "offset": self.offset,
        }


def _disclosed_fields(text: object) -> Mapping[str, Any]:
    if not isinstance(text, str):
        raise NotADisclosureError("fields", "must be a JSON object")
    try:
        fields = json.loads(text)
    except ValueError:
        raise NotADisclosureError("fields", "must be a JSON object") from None
    if not isinstance(fields, dict):
        raise NotADisclosureError("fields", "must be a JSON object")
    return MappingProxyType(fields)


def disclosure_from_record(record: Mapping[str, Any], partition: int, offset: int) -> Disclosure:
    """The `Disclosure` of a decoded DisclosedEvent read at `partition`/`offset`.

    `record` is what the codec decodes with the DisclosedEvent schema, so its
    values have the schema's types; `fields` is checked to be a JSON object.
    Raises `NotADisclosureError` (naming the field and the rule) for a record
    that lacks a field or whose `fields` is not a JSON object.
    """
    try:
        source = record["source"]
        # Positional, in the order of the fields above: a subscriber builds one
        # per record, and keywords cost a named tuple three times as much.
        return Disclosure(
            str(record["event_id"]),
            record["event_type"],
            record["child_ref"],
            record["occurred_at"],
            record["recorded_at"],
            source["agency"],
            source["system"],
            source.get("practitioner_role"),
            record.get("correlation_id"),
            record["recipient"],
            _disclosed_fields(record["fields"]),
            record["agreement_id"],
            record["agreement_version"],
            record["legal_basis"],
            record["purpose"],
            record["consent_override"],
            record["decided_at"],
            partition,
            offset,
        )
    except KeyError as exc:
        raise NotADisclosureError(str(exc.args[0]), "is missing") from None
    except (TypeError, AttributeError) as exc:
        raise NotADisclosureError("record", f"is not a DisclosedEvent ({exc})") from None


def view_disclosure(
    written_as: str, record: Mapping[str, Any], partition: int, offset: int, agency: str
) -> Disclosure:
    """The disclosure a decoded record of `view.<agency>` holds, checked as one.

    `written_as` is the name of the schema the record was written with
    (`AvroCodec.event_type_of`): it must be a DisclosedEvent, for `agency`.
    """
    if written_as != DISCLOSED_EVENT:
        raise NotADisclosureError("record", f"is a {written_as}, not a {DISCLOSED_EVENT}")
    disclosure = disclosure_from_record(record, partition, offset)
    if disclosure.recipient != agency:
        raise NotADisclosureError("recipient", f"must be {agency}, this view's agency")
    return disclosure
