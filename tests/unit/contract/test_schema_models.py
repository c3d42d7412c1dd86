import pytest
from pydantic import ValidationError

from schemas.generate import render_all, stale_files
from schemas.models.education import AttendanceMarked
from schemas.models.index import EVENT_MODELS
from schemas.samples import sample_event


class TestGeneratedModels:
    def test_generated_files_are_up_to_date(self):
        """The committed models match the .avsc files (run python -m schemas.generate)."""
        assert stale_files() == []

    def test_one_module_per_domain_and_an_index(self):
        """The generator writes one module per domain plus index.py."""
        names = {path.name for path in render_all()}
        assert {"education.py", "common.py", "socialcare.py", "index.py"} <= names

    def test_every_event_type_has_a_model(self):
        """EVENT_MODELS holds a model for every sample event, round-tripping to the same record."""
        for event_type, model in EVENT_MODELS.items():
            event = sample_event(event_type)
            assert model.from_record(event).to_record() == event, event_type

    def test_models_check_enums(self):
        """A symbol outside the Avro enum is refused by the model."""
        with pytest.raises(ValidationError):
            AttendanceMarked.from_record(sample_event("AttendanceMarked", session="EVENING"))

    def test_models_are_frozen(self):
        """Models are immutable."""
        model = AttendanceMarked.from_record(sample_event("AttendanceMarked"))
        with pytest.raises(ValidationError):
            model.session = "PM"  # type: ignore[misc]
