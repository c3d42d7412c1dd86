"""Compatibility levels over the avro package's reader/writer checker."""

from __future__ import annotations

import json

import pytest

from services.registry.domain.compatibility import problems
from services.registry.domain.model import SchemaVersion
from services.registry.exceptions import InvalidSchemaError


def schema(*fields):
    base = [{"name": "child_ref", "type": "string"}]
    return json.dumps({"type": "record", "name": "R", "fields": base + list(fields)})


V1 = schema()
OPTIONAL = schema({"name": "note", "type": ["null", "string"], "default": None})
REQUIRED = schema({"name": "count", "type": "int"})


def history(*texts):
    return [SchemaVersion("s", n, n, text) for n, text in enumerate(texts, start=1)]


class TestProblems:
    def test_none_accepts_anything(self):
        """NONE never finds a problem."""
        assert problems("NONE", REQUIRED, history(V1)) == []

    def test_first_version_is_always_compatible(self):
        """With no earlier version there is nothing to break."""
        assert problems("FULL_TRANSITIVE", REQUIRED, []) == []

    @pytest.mark.parametrize(
        ("level", "new", "compatible"),
        [
            ("BACKWARD", OPTIONAL, True),
            ("BACKWARD", REQUIRED, False),
            ("FORWARD", REQUIRED, True),
            ("FORWARD", OPTIONAL, True),
            ("FULL", OPTIONAL, True),
            ("FULL", REQUIRED, False),
        ],
    )
    def test_levels_against_one_version(self, level, new, compatible):
        """Each level checks the direction(s) it names."""
        assert (problems(level, new, history(V1)) == []) is compatible

    def test_transitive_checks_every_version(self):
        """BACKWARD looks at the latest version only; BACKWARD_TRANSITIVE at all of them."""
        both = schema({"name": "count", "type": "int"}, {"name": "n", "type": "int", "default": 0})
        earlier = history(V1, REQUIRED)
        assert problems("BACKWARD", both, earlier) == []
        found = problems("BACKWARD_TRANSITIVE", both, earlier)
        assert len(found) == 1
        assert "version 1" in found[0]
        assert "count" in found[0]

    def test_unparsable_earlier_schema_is_invalid(self):
        """A schema the avro package cannot parse is reported as invalid, not as a crash."""
        with pytest.raises(InvalidSchemaError):
            problems("BACKWARD", V1, history('{"type": "nonsense"}'))
