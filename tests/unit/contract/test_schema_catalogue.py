import json

import pytest

from schemas.catalogue import Catalogue
from schemas.exceptions import SchemaFileError, UnknownEventTypeError
from schemas.layout import DATA_CLASSES, ENVELOPE, nested_fields

BRIEF_EVENT_TYPES = {
    "AttendanceMarked", "SuspensionIssued", "PermanentExclusionIssued", "PupilJoinedRoll",
    "PupilLeftRoll", "ConcernRaised", "ReferralReceived", "AssessmentCompleted",
    "ChildInNeedPlanStarted", "ChildInNeedPlanEnded", "ChildProtectionPlanStarted",
    "ChildProtectionPlanEnded", "LookedAfterEpisodeStarted", "LookedAfterEpisodeEnded",
    "LeadProfessionalAssigned", "MissingEpisodeStarted", "MissingEpisodeEnded",
    "DomesticAbuseIncidentNotified", "MissingPersonReported", "UnscheduledCareAttendance",
    "IdentifierLinked", "AlertRaised", "AlertAcknowledged", "SharingAgreementPublished",
    "ConsentDirectiveRecorded", "DisclosureDecided",
}  # fmt: skip


def _write(root, domain, definition):
    folder = root / domain
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{definition['name']}.avsc").write_text(json.dumps(definition))


class TestCatalogue:
    def test_holds_every_event_type_of_the_contract(self):
        """The repository's catalogue has a schema for every event type the contract names."""
        assert set(Catalogue.load().event_types) >= BRIEF_EVENT_TYPES

    def test_load_is_cached(self):
        """Loading twice gives the same catalogue object (files read once)."""
        assert Catalogue.load() is Catalogue.load()

    def test_every_schema_starts_with_the_envelope(self):
        """Every schema's first fields are the envelope, in the contract's order."""
        catalogue = Catalogue.load()
        for event_type in catalogue.event_types:
            names = [f["name"] for f in catalogue.definition(event_type)["fields"]]
            assert tuple(names[: len(ENVELOPE)]) == ENVELOPE, event_type

    def test_every_field_has_a_data_class_and_a_doc(self):
        """Every field, nested ones included, carries x-data-class and a doc string."""
        catalogue = Catalogue.load()
        for event_type in catalogue.event_types:
            definition = catalogue.definition(event_type)
            for field in nested_fields(definition):
                assert field["x-data-class"] in DATA_CLASSES, (event_type, field["name"])
                assert field["doc"], (event_type, field["name"])

    def test_field_classes_mark_child_ref_identifying(self):
        """field_classes gives each top-level field's data class; child_ref is identifying."""
        classes = Catalogue.load().field_classes("AttendanceMarked")
        assert classes["child_ref"] == "identifying"
        assert classes["event_id"] == "operational"
        assert classes["register_code"] == "special-category"

    def test_subject_is_record_name_strategy(self):
        """subject() is <namespace>.<EventType>."""
        assert Catalogue.load().subject("AlertRaised") == "uk.joinedup.alerts.AlertRaised"

    def test_unknown_event_type_is_refused(self):
        """Asking for an unknown event type raises UnknownEventTypeError naming it."""
        with pytest.raises(UnknownEventTypeError, match="NoSuchEvent"):
            Catalogue.load().schema("NoSuchEvent")

    def test_schema_is_parsed_once(self):
        """schema() returns the same parsed object on each call."""
        catalogue = Catalogue.load()
        assert catalogue.schema("AttendanceMarked") is catalogue.schema("AttendanceMarked")

    def test_schema_without_envelope_is_refused(self, tmp_path):
        """A schema that does not start with the envelope is refused at load."""
        definition = {
            "type": "record", "name": "Bad", "namespace": "uk.joinedup.test", "doc": "Bad.",
            "fields": [{"name": "x", "type": "string", "doc": "X.", "x-data-class": "operational"}],
        }  # fmt: skip
        _write(tmp_path, "test", definition)
        with pytest.raises(SchemaFileError, match="envelope"):
            Catalogue.from_directory(tmp_path)

    def test_field_without_data_class_is_refused(self, tmp_path):
        """A field without x-data-class is refused at load, naming the field."""
        definition = json.loads(json.dumps(Catalogue.load().definition("ConcernRaised")))
        definition["namespace"] = "uk.joinedup.test"
        del definition["fields"][-1]["x-data-class"]
        _write(tmp_path, "test", definition)
        with pytest.raises(SchemaFileError, match="summary needs x-data-class"):
            Catalogue.from_directory(tmp_path)
