from datetime import UTC, datetime, timedelta

import pytest

from schemas.catalogue import Catalogue
from schemas.exceptions import EventValidationError
from schemas.samples import sample_event
from schemas.validation import EventValidator

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def validator():
    return EventValidator(clock=lambda: NOW)


def _rule(validator, event):
    with pytest.raises(EventValidationError) as caught:
        validator.validate(event)
    return caught.value


class TestEventValidator:
    def test_every_sample_is_valid(self, validator):
        """The sample of every event type passes validation."""
        for event_type in Catalogue.load().event_types:
            validator.validate(sample_event(event_type, now=NOW))

    def test_unknown_register_code(self, validator):
        """A register code outside the code list names the field and the code list."""
        error = _rule(validator, sample_event("AttendanceMarked", now=NOW, register_code="H"))
        assert error.field == "register_code"
        assert "attendance-register code list" in str(error)

    def test_future_session_date(self, validator):
        """A register date after today is refused."""
        event = sample_event(
            "AttendanceMarked", now=NOW, session_date=NOW.date() + timedelta(days=2)
        )
        assert _rule(validator, event).field == "session_date"

    def test_future_start_date_allowed_for_suspensions(self, validator):
        """A suspension may start after it is issued (x-future-allowed)."""
        event = sample_event("SuspensionIssued", now=NOW, start_date=NOW.date() + timedelta(days=1))
        validator.validate(event)

    def test_at_most_three_exclusion_reasons(self, validator):
        """Four CBDS reasons are refused; the message names the limit."""
        event = sample_event("SuspensionIssued", now=NOW, reason_codes=["PP", "PA", "VP", "VA"])
        error = _rule(validator, event)
        assert (error.field, error.rule) == ("reason_codes", "allows at most 3 item(s)")

    def test_at_least_one_exclusion_reason(self, validator):
        """An exclusion with no reason is refused."""
        event = sample_event("PermanentExclusionIssued", now=NOW, reason_codes=[])
        assert _rule(validator, event).field == "reason_codes"

    def test_missing_field(self, validator):
        """A required field that is missing is named."""
        event = sample_event("ConcernRaised", now=NOW)
        del event["summary"]
        assert str(_rule(validator, event)) == "summary: is required"

    def test_wrong_avro_type(self, validator):
        """A value of the wrong Avro type names its field."""
        event = sample_event("AttendanceMarked", now=NOW, session="EVENING")
        assert _rule(validator, event).field == "session"

    def test_unknown_field(self, validator):
        """A field the schema does not have is refused."""
        event = sample_event("ConcernRaised", now=NOW, nhs_number="9434765919")
        assert _rule(validator, event).field == "nhs_number"

    def test_event_id_must_be_uuid(self, validator):
        """A non-UUID event id is refused."""
        event = sample_event("ConcernRaised", now=NOW, event_id="not-a-uuid")
        assert _rule(validator, event).field == "event_id"

    def test_bad_agency_id(self, validator):
        """A source agency that is not an agency id is refused."""
        event = sample_event("ConcernRaised", now=NOW)
        event["source"] = {**event["source"], "agency": "Northgate School"}
        assert _rule(validator, event).field == "source.agency"

    def test_recorded_in_the_future(self, validator):
        """recorded_at after now (beyond clock skew) is refused."""
        event = sample_event("ConcernRaised", now=NOW, recorded_at=NOW + timedelta(hours=1))
        assert _rule(validator, event).field == "recorded_at"

    def test_child_ref_required_for_child_events(self, validator):
        """An event about a child needs a child_ref."""
        assert (
            _rule(validator, sample_event("ConcernRaised", now=NOW, child_ref="")).field
            == "child_ref"
        )

    def test_agreement_has_no_child(self, validator):
        """A sharing agreement is about no child: its child_ref must be empty."""
        event = {**sample_event("SharingAgreementPublished", now=NOW), "child_ref": "cr1_x"}
        assert _rule(validator, event).field == "child_ref"

    def test_payload_must_be_json(self, validator):
        """A JSON payload field that is not JSON is refused."""
        event = sample_event("ConsentDirectiveRecorded", now=NOW, payload="{not json")
        assert _rule(validator, event).field == "payload"

    def test_unknown_event_type(self, validator):
        """An unknown event type is refused on the event_type field."""
        assert _rule(validator, {"event_type": "Nope"}).field == "event_type"
