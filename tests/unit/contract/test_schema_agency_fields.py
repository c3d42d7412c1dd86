import json

import pytest
from fakes.child_refs import child_ref

from schemas.agency_fields import (
    PUBLISHER_RULE,
    UNKNOWN_AGENCY_RULE,
    AgencyField,
    agency_fields,
)
from schemas.catalogue import Catalogue
from schemas.child_ref import CHILD_REF_RULE
from schemas.exceptions import EventValidationError, SchemaFileError
from schemas.layout import nested_fields
from schemas.samples import sample_event
from schemas.validation import EventValidator

KNOWN = {"school-100001", "school-100002", "police-west", "la-social-care"}


def _write(root, definition):
    folder = root / "test"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{definition['name']}.avsc").write_text(json.dumps(definition))


def _attendance_definition():
    definition = json.loads(json.dumps(Catalogue.load().definition("AttendanceMarked")))
    definition["namespace"] = "uk.joinedup.test"
    return definition


def _field(definition, name):
    return next(field for field in definition["fields"] if field["name"] == name)


def _refused(validator, event):
    with pytest.raises(EventValidationError) as caught:
        validator.validate(event)
    return caught.value.field, caught.value.rule


class TestLayout:
    def test_every_agency_field_says_whose_agency_it_names(self):
        """Each x-format agency-id field of every schema carries x-agency, publisher or other."""
        catalogue = Catalogue.load()
        for event_type in catalogue.event_types:
            top = catalogue.definition(event_type)["fields"]
            for field in [*top, *nested_fields({"type": "record", "fields": top})]:
                if field.get("x-format") == "agency-id":
                    assert field.get("x-agency") in {"publisher", "other"}, (event_type, field)

    def test_an_agency_field_without_x_agency_is_refused(self, tmp_path):
        """A schema naming an agency without saying whose is refused at load, naming the field."""
        definition = _attendance_definition()
        del _field(definition, "school")["x-agency"]
        _write(tmp_path, definition)
        with pytest.raises(SchemaFileError, match="field school names an agency"):
            Catalogue.from_directory(tmp_path)

    def test_an_unknown_x_agency_value_is_refused(self, tmp_path):
        """x-agency is `publisher` or `other`, nothing else."""
        definition = _attendance_definition()
        _field(definition, "school")["x-agency"] = "anyone"
        _write(tmp_path, definition)
        with pytest.raises(SchemaFileError, match="needs x-agency"):
            Catalogue.from_directory(tmp_path)

    def test_x_agency_on_a_field_that_names_no_agency_is_refused(self, tmp_path):
        """x-agency belongs to agency-id fields only."""
        definition = _attendance_definition()
        _field(definition, "session_date")["x-agency"] = "other"
        _write(tmp_path, definition)
        with pytest.raises(SchemaFileError, match="session_date has x-agency"):
            Catalogue.from_directory(tmp_path)


class TestAgencyFields:
    def test_nested_and_top_level_fields_are_found(self):
        """AttendanceMarked names its publisher twice: source.agency and school."""
        fields = agency_fields(Catalogue.load().definition("AttendanceMarked"))
        assert fields == (
            AgencyField(("source", "agency"), "publisher"),
            AgencyField(("school",), "publisher"),
        )

    def test_values_are_read_from_scalars_arrays_and_nulls(self):
        """A field's agencies: its value, each item of an array, none for null."""
        recipients = AgencyField(("recipient_agencies",), "other")
        assert recipients.agencies_in({"recipient_agencies": ["a", "b"]}) == ["a", "b"]
        assert AgencyField(("school",), "other").agencies_in({"school": None}) == []
        assert AgencyField(("source", "agency"), "publisher").agencies_in({"source": 1}) == []


class TestEventValidator:
    def test_a_publisher_field_must_name_the_publisher(self):
        """School 100001 cannot publish a mark of school 100002's register."""
        event = sample_event("AttendanceMarked", school="school-100002")
        assert _refused(EventValidator(), event) == ("school", PUBLISHER_RULE)

    def test_an_other_field_must_name_a_known_agency(self):
        """A police notification for a school the directory does not know is refused."""
        event = sample_event(
            "DomesticAbuseIncidentNotified",
            source={"agency": "police-west", "system": "niche", "practitioner_role": None},
            school="school-999999",
        )
        validator = EventValidator(known_agencies=KNOWN)
        assert _refused(validator, event) == ("school", UNKNOWN_AGENCY_RULE)
        EventValidator(known_agencies=KNOWN).validate({**event, "school": "school-100002"})

    def test_every_item_of_an_agency_array_is_checked(self):
        """An alert addressed to an unknown agency among known ones is refused."""
        event = sample_event("AlertRaised", recipient_agencies=["police-west", "nowhere-1"])
        validator = EventValidator(known_agencies=KNOWN)
        assert _refused(validator, event) == ("recipient_agencies", UNKNOWN_AGENCY_RULE)

    def test_without_a_directory_other_fields_keep_the_format_rule_only(self):
        """A validator given no directory does not guess which agencies exist."""
        EventValidator().validate(sample_event("DomesticAbuseIncidentNotified", school="school-9"))

    def test_samples_name_their_own_publisher(self):
        """A sample published by another agency names that agency in its publisher fields."""
        source = {"agency": "school-100002", "system": "sims", "practitioner_role": None}
        event = sample_event("SuspensionIssued", source=source)
        assert event["school"] == "school-100002"
        EventValidator().validate(event)


class TestChildRefForm:
    @pytest.mark.parametrize(
        "value",
        [
            "9434765919",
            "A123456789012",
            '=HYPERLINK("https://example.org","x")',
            "cr1_" + "0189" * 8,
            "cr1_" + "a" * 33,
            "cr0_" + "a" * 32,
            " cr1_" + "a" * 32,
        ],
    )
    def test_only_the_strict_form_is_a_child_ref(self, value):
        """Raw identifiers, formulas and near misses are refused naming child_ref and the rule."""
        event = sample_event("AttendanceMarked", child_ref=value)
        assert _refused(EventValidator(), event) == ("child_ref", CHILD_REF_RULE)

    def test_a_child_ref_of_the_form_passes(self):
        """A ref of the strict form is accepted."""
        EventValidator().validate(sample_event("AttendanceMarked", child_ref=child_ref("x")))
