"""Schema text: Avro validity and the form in which schemas compare equal."""

from __future__ import annotations

import json

import pytest

from services.registry.domain.model import compatibility_level
from services.registry.domain.schema_text import canonical_form, check_avro
from services.registry.exceptions import InvalidCompatibilityLevelError, InvalidSchemaError

RECORD = {
    "type": "record",
    "name": "R",
    "fields": [{"name": "a", "type": "int", "default": 0, "x-data-class": "operational"}],
}


class TestCanonicalForm:
    def test_whitespace_and_key_order_do_not_matter(self):
        """Two spellings of one schema compare equal."""
        reordered = {"fields": RECORD["fields"], "name": "R", "type": "record"}
        assert canonical_form(json.dumps(RECORD)) == canonical_form(json.dumps(reordered, indent=2))

    def test_defaults_and_data_classes_matter(self):
        """A changed default or data class is a different schema (unlike Parsing Canonical Form)."""
        field = RECORD["fields"][0]
        other_default = {**RECORD, "fields": [{**field, "default": 1}]}
        other_class = {**RECORD, "fields": [{**field, "x-data-class": "identifying"}]}
        forms = {canonical_form(json.dumps(s)) for s in (RECORD, other_default, other_class)}
        assert len(forms) == 3


class TestCheckAvro:
    def test_valid_schema_passes(self):
        """A record, a primitive and a union are Avro."""
        for text in (json.dumps(RECORD), '"string"', '["null", "int"]'):
            check_avro(text)

    @pytest.mark.parametrize(
        "text",
        [
            "{not json",
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "nope"}]}',
            '{"type": "record"}',
            '["null", "null"]',
            "3",
            "{}",
            '{"fields": []}',
            "[{}]",
        ],
    )
    def test_invalid_schema_is_refused(self, text):
        """Text that is not JSON or not Avro raises 42201."""
        with pytest.raises(InvalidSchemaError) as caught:
            check_avro(text)
        assert caught.value.error_code == 42201


class TestCompatibilityLevel:
    def test_names_are_case_insensitive(self):
        """`full_transitive` is FULL_TRANSITIVE."""
        assert compatibility_level("full_transitive") == "FULL_TRANSITIVE"

    def test_unknown_names_are_refused(self):
        """Anything else raises 42203."""
        with pytest.raises(InvalidCompatibilityLevelError):
            compatibility_level("SOMETIMES")
