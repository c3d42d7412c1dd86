"""`joinedup schemas list` prints names whole however narrow the output."""

from __future__ import annotations

from typer.testing import CliRunner

from schemas.catalogue import Catalogue
from services.cli.schemas import schemas_app


class TestSchemasListWidth:
    def test_subjects_appear_whole_at_80_columns(self):
        """At COLUMNS=80 off a terminal, the longest subject and every other one read whole."""
        catalogue = Catalogue.load()
        subjects = [catalogue.subject(event_type) for event_type in catalogue.event_types]
        longest = max(subjects, key=len)
        result = CliRunner().invoke(schemas_app, ["list"], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        assert longest in result.output
        assert [subject for subject in subjects if subject not in result.output] == []
        assert "…" not in result.output
