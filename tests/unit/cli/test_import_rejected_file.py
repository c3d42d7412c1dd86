"""An import's rejected-rows file goes back to a school office: no cell may run as a formula."""

import csv

from services.cli.importer import write_rejected
from services.sdk.attendance_csv import RowProblem
from services.sdk.importing import ImportSummary


def test_formula_cells_of_rejected_rows_are_neutralised(tmp_path):
    """A rejected row's cells that open with =, +, -, @ come back quoted; others unchanged."""
    source = tmp_path / "register.csv"
    source.write_text(
        'upn,date,session,code\n=HYPERLINK("http://x"),2026-11-27,AM,N\n'
        "A123,2026-11-27,AM,@SUM(A1)\nB456,2026-11-27,PM,N\n",
        encoding="utf-8",
    )
    summary = ImportSummary(
        accepted=1, rejected=[RowProblem(2, "upn", "bad"), RowProblem(3, "code", "-1 is no code")]
    )
    header = ["upn", "date", "session", "code"]
    with write_rejected(source, header, summary).open(newline="", encoding="utf-8") as out:
        rows = list(csv.reader(out))
    assert rows[0] == [*header, "row", "rejected_field", "rejected_rule"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "2026-11-27", "AM", "N", "2", "upn", "bad"]
    assert rows[2] == ["A123", "2026-11-27", "AM", "'@SUM(A1)", "3", "code", "'-1 is no code"]
    assert len(rows) == 3
