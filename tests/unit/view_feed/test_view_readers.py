"""Who may read which view: tokens bound to agencies, from view-readers.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.config.files import packaged_default
from services.view_feed.adapters.readers_file import load_view_readers
from services.view_feed.domain.readers import ViewReaders, token_digest
from services.view_feed.exceptions import (
    ForbiddenViewError,
    UnauthenticatedError,
    ViewFeedConfigError,
)

READERS = ViewReaders({token_digest("tok-a"): "school-a", token_digest("tok-b"): "police-b"})


class TestTokens:
    def test_a_token_names_its_agency(self):
        """A known bearer token authenticates as its agency."""
        assert READERS.authenticate("Bearer tok-a") == "school-a"

    @pytest.mark.parametrize("header", [None, "", "Bearer", "Basic tok-a", "Bearer nope"])
    def test_no_token_or_an_unknown_one_is_unauthenticated(self, header):
        """Missing, malformed or unknown tokens are refused naming Authorization."""
        with pytest.raises(UnauthenticatedError, match=r"^Authorization: "):
            READERS.authenticate(header)

    def test_a_token_reads_only_its_own_view(self):
        """Another agency's view is forbidden, naming the rule."""
        READERS.authorize("school-a", "school-a")
        with pytest.raises(ForbiddenViewError, match=r"^agency: "):
            READERS.authorize("school-a", "police-b")


class TestReadersFile:
    def test_the_packaged_file_gives_each_demo_agency_its_development_token(self):
        """The development tokens are `dev-token-<agency>`."""
        readers = load_view_readers(packaged_default("view-readers.yaml"))
        assert readers.authenticate("Bearer dev-token-school-100001") == "school-100001"
        assert "police-west" in readers.agencies

    @pytest.mark.parametrize(
        ("entry", "rule"),
        [
            ("{agency: School A, token_sha256: " + "a" * 64 + "}", r"readers\[0\] is malformed"),
            ("{agency: school-a}", r"readers\[0\] is malformed"),
            ("{agency: school-a, token_sha256: abc}", "64 hexadecimal digits"),
        ],
    )
    def test_a_malformed_entry_is_named(self, tmp_path: Path, entry, rule):
        """Bad ids, missing digests and short digests name the entry and the rule."""
        path = tmp_path / "view-readers.yaml"
        path.write_text(f"readers:\n  - {entry}\n", encoding="utf-8")
        with pytest.raises(ViewFeedConfigError, match=rule):
            load_view_readers(path)

    def test_one_token_for_two_agencies_is_refused(self, tmp_path: Path):
        """A digest may name one agency only."""
        digest = token_digest("shared")
        path = tmp_path / "view-readers.yaml"
        path.write_text(
            f"readers:\n  - {{agency: school-a, token_sha256: {digest}}}\n"
            f"  - {{agency: police-b, token_sha256: {digest}}}\n",
            encoding="utf-8",
        )
        with pytest.raises(ViewFeedConfigError, match=r"readers\[1\] reuses"):
            load_view_readers(path)
