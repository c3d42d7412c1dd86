from pathlib import Path

import pytest

from services.governance.access_table import END_MARKER, START_MARKER, access_table, replace_table

SECURITY_PAGE = Path(__file__).resolve().parents[3] / "docs" / "security.md"


def test_the_security_page_carries_the_generated_table():
    """docs/security.md shows exactly the access the ACLs grant (regenerate: acl table --write)."""
    text = SECURITY_PAGE.read_text(encoding="utf-8")
    shown = text[text.index(START_MARKER) + len(START_MARKER) + 1 : text.index(END_MARKER)]

    assert shown == access_table(), (
        "docs/security.md's access table is out of date: run "
        "`.venv/bin/joinedup acl table --write docs/security.md`"
    )


def test_an_agency_row_names_its_own_view_only():
    """The agency row reads one view, its own, and writes nothing."""
    agency_row = access_table().splitlines()[-1]

    assert "`view.<agency id>`" in agency_row
    assert "ingest" not in agency_row
    assert "| - |" in agency_row


def test_replacing_keeps_the_text_around_the_markers():
    """Only the text between the markers changes; a page without them is refused."""
    page = f"before\n{START_MARKER}\nold\n{END_MARKER}\nafter\n"

    assert replace_table(page, "new\n") == f"before\n{START_MARKER}\nnew\n{END_MARKER}\nafter\n"
    with pytest.raises(ValueError, match="no <!-- acls:start -->"):
        replace_table("no markers", "new\n")
