"""The registry's state, built by applying records: ids, versions, races, levels."""

from __future__ import annotations

import json

import pytest

from services.registry.domain.model import LevelChanged, SchemaVersion, VersionRetracted
from services.registry.domain.state import RegistryState
from services.registry.exceptions import (
    SchemaNotFoundError,
    SubjectConfigNotFoundError,
    SubjectNotFoundError,
    VersionNotFoundError,
)

A = json.dumps({"type": "record", "name": "A", "fields": [{"name": "x", "type": "int"}]})
B = json.dumps({"type": "record", "name": "B", "fields": [{"name": "y", "type": "int"}]})


def state_with(*records):
    state = RegistryState()
    for record in records:
        assert state.apply(record)
    return state


class TestRegistryState:
    def test_ids_are_global_and_shared_across_subjects(self):
        """A schema known under one subject gets the same id under another."""
        state = state_with(SchemaVersion("one", 1, 1, A))
        assert state.id_for(A) == 1
        assert state.id_for(json.dumps(json.loads(A), indent=4)) == 1
        assert state.id_for(B) == 2

    def test_versions_count_up_and_survive_deletion(self):
        """The next version follows the highest one, deleted or not."""
        state = state_with(SchemaVersion("s", 1, 1, A), SchemaVersion("s", 2, 2, B, deleted=True))
        assert state.next_version("s") == 3
        assert [v.version for v in state.versions("s")] == [1]
        assert [v.version for v in state.versions("s", deleted=True)] == [1, 2]

    def test_latest_and_lookup(self):
        """`latest` is the newest live version; `lookup` finds a schema by its meaning."""
        state = state_with(SchemaVersion("s", 1, 1, A), SchemaVersion("s", 2, 2, B))
        assert state.version("s", "latest").schema_id == 2
        assert state.lookup("s", json.dumps(json.loads(A), indent=1)).version == 1

    def test_a_taken_version_refuses_another_schema(self):
        """A record for a version already holding another schema loses the race."""
        state = state_with(SchemaVersion("s", 1, 1, A))
        assert not state.apply(SchemaVersion("s", 1, 2, B))
        assert state.version("s", 1).schema == A

    def test_a_taken_id_refuses_another_schema(self):
        """A record giving an id already used by another schema loses the race."""
        state = state_with(SchemaVersion("s", 1, 1, A))
        assert not state.apply(SchemaVersion("t", 1, 1, B))
        assert state.subjects() == ["s"]

    def test_a_known_schema_refuses_a_second_id(self):
        """A record giving a known schema a new id loses the race."""
        state = state_with(SchemaVersion("s", 1, 1, A))
        assert not state.apply(SchemaVersion("t", 1, 2, A))
        with pytest.raises(SchemaNotFoundError):
            state.schema(2)

    def test_soft_deletion_is_an_update_of_the_same_version(self):
        """The deleted flag may change; the subject then has no live version."""
        state = state_with(SchemaVersion("s", 1, 1, A), SchemaVersion("s", 1, 1, A, deleted=True))
        assert state.subjects() == []
        assert state.subjects(deleted=True) == ["s"]
        assert state.schema(1) == A
        assert state.find("s", A) is None

    def test_retractions_change_nothing(self):
        """A retraction of a version the state does not hold leaves the state as it was."""
        state = state_with(SchemaVersion("s", 1, 1, A), VersionRetracted("t", 1))
        assert state.subjects() == ["s"]

    def test_not_found_errors(self):
        """Unknown subjects, versions, schemas and ids raise their own errors."""
        state = state_with(SchemaVersion("s", 1, 1, A))
        with pytest.raises(SubjectNotFoundError):
            state.versions("t")
        with pytest.raises(VersionNotFoundError):
            state.version("s", 2)
        with pytest.raises(SchemaNotFoundError):
            state.lookup("s", B)
        with pytest.raises(SchemaNotFoundError):
            state.usages(9)

    def test_levels_fall_back_from_subject_to_global_to_default(self):
        """A subject's own level wins, then the global one, then BACKWARD_TRANSITIVE."""
        state = RegistryState()
        assert state.level("s") == "BACKWARD_TRANSITIVE"
        state.apply(LevelChanged(None, "FULL"))
        assert state.level("s") == "FULL"
        state.apply(LevelChanged("s", "NONE"))
        assert state.level("s") == "NONE"
        state.apply(LevelChanged("s", None))
        with pytest.raises(SubjectConfigNotFoundError):
            state.subject_level("s")
