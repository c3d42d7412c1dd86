"""The generated models inherit the envelope from EventModel (schemas/models/base.py)."""

from __future__ import annotations

import copy
import inspect
import re

import pytest

from schemas.catalogue import Catalogue
from schemas.envelope import ENVELOPE_NAMES
from schemas.exceptions import SchemaFileError
from schemas.model_source import ModuleWriter
from schemas.models import base, common
from schemas.models.common import ConcernRaised
from schemas.models.index import EVENT_MODELS


def _concern_definition():
    """A copy of ConcernRaised's schema definition, free to change."""
    return copy.deepcopy(Catalogue.load().definition("ConcernRaised"))


def _rendered(definition):
    """The models module the generator writes for one event schema."""
    writer = ModuleWriter("common")
    writer.event(definition)
    return writer.render("Test module.")


def _declared_names(text):
    """The names of the fields a rendered module's classes declare."""
    return set(re.findall(r"^    (\w+): .+ = Field\($", text, flags=re.MULTILINE))


class TestEventModelBase:
    def test_declares_the_envelope_in_order(self):
        """EventModel's fields are the envelope's names, in the schema's order."""
        assert tuple(base.EventModel.model_fields) == ENVELOPE_NAMES

    def test_every_model_keeps_its_schema_order(self):
        """Inherited fields first, then the event's own: model_dump follows the .avsc order."""
        catalogue = Catalogue.load()
        for event_type, model in EVENT_MODELS.items():
            names = [field["name"] for field in catalogue.definition(event_type)["fields"]]
            assert list(model.model_fields) == names, event_type

    def test_common_module_still_offers_source(self):
        """schemas.models.common.Source is the base's Source, not a second class."""
        assert common.Source is base.Source

    def test_a_model_declares_only_its_own_fields(self):
        """ConcernRaised names event_type (its literal) and its own fields, nothing else."""
        own = set(inspect.get_annotations(ConcernRaised))
        assert own == {"event_type", "concern_category", "summary"}


class TestGenerator:
    def test_inherited_fields_are_not_repeated(self):
        """An event whose envelope matches the base gets no envelope field but event_type."""
        declared = _declared_names(_rendered(_concern_definition()))
        assert declared == {"event_type", "concern_category", "summary"}

    def test_a_differing_envelope_field_is_declared(self):
        """An envelope field whose doc differs from the base's is declared in the model."""
        definition = _concern_definition()
        definition["fields"][0]["doc"] = "Id of this concern."
        text = _rendered(definition)
        assert _declared_names(text) == {"event_id", "event_type", "concern_category", "summary"}
        assert 'description="Id of this concern."' in text
        assert "from uuid import UUID" in text

    def test_a_source_unlike_the_base_is_refused(self):
        """A Source record that differs from base.Source stops the generator."""
        definition = _concern_definition()
        definition["fields"][4]["type"]["fields"][0]["doc"] = "Another doc."
        with pytest.raises(SchemaFileError, match="Source"):
            _rendered(definition)

    def test_source_is_re_exported_by_its_domain(self):
        """The common domain's module lists Source in __all__ for its importers."""
        assert '__all__ = ["ConcernRaised", "Source"]' in _rendered(_concern_definition())
