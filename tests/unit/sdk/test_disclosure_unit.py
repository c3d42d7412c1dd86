"""Disclosures read from decoded DisclosedEvents, and the de-duplication window."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.alerts.samples import disclosed_record
from services.sdk.disclosure import disclosure_from_record, view_disclosure
from services.sdk.exceptions import NotADisclosureError
from services.sdk.recent_events import RecentEvents

AGENCY = "school-100001"


@pytest.fixture
def decoded():
    """A DisclosedEvent as the codec decodes it (UUID event id, aware datetimes)."""
    codec = AvroCodec(InMemorySchemaSource())
    record = disclosed_record(AGENCY, "SuspensionIssued", {"days": 2, "reason": "PP"})
    return codec.decode(codec.encode("DisclosedEvent", record))


class TestDisclosureFromRecord:
    def test_it_carries_the_agreement_the_fields_and_where_it_was_read(self, decoded):
        """Fields parsed and read-only; agreement, basis, purpose, publisher, partition, offset."""
        disclosure = disclosure_from_record(decoded, 2, 41)
        assert disclosure.fields == {"days": 2, "reason": "PP"}
        with pytest.raises(TypeError):
            disclosure.fields["days"] = 3
        assert disclosure.key == ("police-west", str(decoded["event_id"]))
        assert (disclosure.partition, disclosure.offset) == (2, 41)
        assert disclosure.event_type == "SuspensionIssued"

    def test_every_field_comes_from_its_own_field_of_the_record(self, decoded):
        """Each envelope and agreement value lands in the field of the same meaning."""
        decoded["correlation_id"] = "case-7"
        decoded["recorded_at"] = decoded["occurred_at"] + dt.timedelta(minutes=5)
        decoded["decided_at"] = decoded["occurred_at"] + dt.timedelta(minutes=9)
        decoded["agreement_version"] = 3
        decoded["source"] = {**decoded["source"], "practitioner_role": "dsl"}
        got = disclosure_from_record(decoded, 1, 2)._asdict()
        source = decoded["source"]
        expected = {name: decoded[name] for name in got if name in decoded}
        expected |= {"event_id": str(decoded["event_id"]), "fields": got["fields"]}
        expected |= {"publisher": source["agency"], "system": source["system"]}
        expected |= {"practitioner_role": "dsl", "partition": 1, "offset": 2}
        assert got == expected
        assert set(got) == set(decoded) - {"source"} | {
            "publisher",
            "system",
            "practitioner_role",
        } | {
            "partition",
            "offset",
        }

    def test_its_json_is_plain_values_with_iso_times(self, decoded):
        """as_json round-trips through json with times as ISO 8601 UTC."""
        shaped = json.loads(json.dumps(disclosure_from_record(decoded, 0, 0).as_json()))
        assert shaped["occurred_at"].endswith("+00:00")
        assert shaped["fields"] == {"days": 2, "reason": "PP"}
        assert shaped["event_id"] == str(decoded["event_id"])

    def test_a_missing_field_is_named(self, decoded):
        """A record without `agreement_id` is not a disclosure, and the error says which field."""
        del decoded["agreement_id"]
        with pytest.raises(NotADisclosureError, match=r"^agreement_id: is missing"):
            disclosure_from_record(decoded, 0, 0)

    @pytest.mark.parametrize("fields", ["[1]", "not json", '"text"'])
    def test_fields_that_are_not_a_json_object_are_refused(self, decoded, fields):
        """`fields` must hold a JSON object."""
        decoded["fields"] = fields
        with pytest.raises(NotADisclosureError, match=r"^fields: must be a JSON object"):
            disclosure_from_record(decoded, 0, 0)


class TestViewDisclosure:
    def test_another_schema_is_refused(self, decoded):
        """Only records written as DisclosedEvent are disclosures."""
        with pytest.raises(NotADisclosureError, match="is a AttendanceMarked"):
            view_disclosure("AttendanceMarked", decoded, 0, 0, AGENCY)

    def test_another_recipient_is_refused(self, decoded):
        """A disclosure for another agency does not belong in this view."""
        with pytest.raises(NotADisclosureError, match=r"^recipient: "):
            view_disclosure("DisclosedEvent", decoded, 0, 0, "police-west")


class TestRecentEvents:
    def test_the_oldest_key_is_forgotten_first(self):
        """A window of two remembers the last two keys handled."""
        window = RecentEvents(2)
        for n in range(3):
            window.add(("a", str(n)))
        assert ("a", "0") not in window
        assert ("a", "1") in window
        assert ("a", "2") in window
        assert len(window) == 2

    def test_a_window_of_zero_remembers_nothing(self):
        """Capacity 0 turns de-duplication off."""
        window = RecentEvents(0)
        window.add(("a", "1"))
        assert ("a", "1") not in window

    def test_a_negative_window_is_refused(self):
        """A negative capacity is a mistake, named."""
        with pytest.raises(ValueError, match="capacity"):
            RecentEvents(-1)
