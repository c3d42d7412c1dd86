import json
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from schemas.catalogue import Catalogue
from schemas.compatibility import check_catalogue, committed_versions, incompatibilities
from services.cli.schemas import schemas_app

BASE = {
    "type": "record",
    "name": "Thing",
    "namespace": "uk.joinedup.test",
    "fields": [{"name": "a", "type": "string"}],
}


def _with_field(field):
    return json.dumps({**BASE, "fields": [*BASE["fields"], field]})


def _git(repo, *args):
    subprocess.run(
        [shutil.which("git"), "-C", str(repo), *args],
        check=True,
        capture_output=True,
        env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
             "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
             "PATH": "/usr/bin:/bin", "HOME": str(repo)},
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path):
    """A git repository with one committed version of ConcernRaised."""
    folder = tmp_path / "avro" / "common"
    folder.mkdir(parents=True)
    (folder / "ConcernRaised.avsc").write_text(Catalogue.load().raw("ConcernRaised"))
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "v1")
    return tmp_path


def _change(repo, change):
    path = repo / "avro" / "common" / "ConcernRaised.avsc"
    definition = json.loads(path.read_text())
    change(definition)
    path.write_text(json.dumps(definition))
    return Catalogue.from_directory(repo / "avro")


class TestCompatibility:
    def test_new_field_without_default_breaks(self):
        """Adding a field without a default is not backward compatible."""
        problems = incompatibilities(_with_field({"name": "b", "type": "int"}), json.dumps(BASE))
        assert problems
        assert "default" in problems[0]

    def test_new_optional_field_with_default_passes(self):
        """Adding an optional field with a null default is backward compatible."""
        field = {"name": "b", "type": ["null", "int"], "default": None}
        assert incompatibilities(_with_field(field), json.dumps(BASE)) == ()

    def test_history_is_read_from_git(self, repo):
        """committed_versions finds the committed version of a schema file."""
        path = repo / "avro" / "common" / "ConcernRaised.avsc"
        assert len(committed_versions(repo, path)) == 1

    def test_breaking_change_against_history(self, repo):
        """A working-tree change that breaks a committed version is reported per subject."""

        def add_required(definition):
            definition["fields"].append(
                {"name": "level", "type": "int", "doc": "Level.", "x-data-class": "operational"}
            )

        report = check_catalogue(_change(repo, add_required), repo)
        assert not report.compatible
        assert "uk.joinedup.common.ConcernRaised" in str(report.problems[0])

    def test_compatible_change_against_history(self, repo):
        """Adding an optional field with a default passes the check."""

        def add_optional(definition):
            definition["fields"].append(
                {"name": "level", "type": ["null", "int"], "default": None, "doc": "Level.",
                 "x-data-class": "operational"}
            )  # fmt: skip

        report = check_catalogue(_change(repo, add_optional), repo)
        assert report.compatible
        assert report.versions_checked == 1

    def test_a_new_record_taken_for_a_rename_is_not_compared_with_another(self, repo):
        """git may follow a look-alike file to another record's history: it is not compared."""
        folder = repo / "avro" / "common"
        original = folder / "ConcernRaised.avsc"
        original.write_text(json.dumps(json.loads(original.read_text()), indent=2))
        _git(repo, "commit", "-q", "-am", "pretty-printed: line by line, git can compare it")
        _git(repo, "mv", "avro/common/ConcernRaised.avsc", "avro/common/ConcernNoted.avsc")
        path = folder / "ConcernNoted.avsc"
        text = path.read_text()
        path.write_text(text.replace('"name": "ConcernRaised"', '"name": "ConcernNoted"', 1))
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", "a new record in a look-alike file")
        assert len(committed_versions(repo, path)) == 3  # git followed it to ConcernRaised
        report = check_catalogue(Catalogue.from_directory(repo / "avro"), repo)
        assert report.compatible
        assert report.versions_checked == 1  # its own commit only

    def test_without_a_repository_nothing_is_compared(self):
        """Outside git there are no earlier versions and every schema passes."""
        report = check_catalogue(Catalogue.load(), None)
        assert report.compatible
        assert report.versions_checked == 0


class TestSchemasCli:
    def test_list(self):
        """`schemas list` shows every event type."""
        result = CliRunner().invoke(schemas_app, ["list"], terminal_width=200)
        assert result.exit_code == 0
        assert "AttendanceMarked" in result.output

    def test_check_compat_fails_on_breaking_change(self, repo, monkeypatch):
        """`schemas check-compat` exits 1 and names the subject when a change breaks."""

        def remove_summary(definition):
            definition["fields"] = [f for f in definition["fields"] if f["name"] != "summary"]
            definition["fields"].append(
                {"name": "level", "type": "int", "doc": "Level.", "x-data-class": "operational"}
            )

        catalogue = _change(repo, remove_summary)
        monkeypatch.setattr(Catalogue, "load", classmethod(lambda _cls, _root=None: catalogue))
        result = CliRunner().invoke(schemas_app, ["check-compat", "--repo", str(repo)])
        assert result.exit_code == 1
        assert "uk.joinedup.common.ConcernRaised" in result.output
