from datetime import date

import pytest

from services.sdk.attendance_csv import RegisterFormatError, RegisterRow, RowProblem, read_register

UPN = "A123456789012"
NHS = "943 476 5919"


def rows(*lines: str, header: str = "upn,nhs_number,date,session,code,minutes_late,school"):
    _, read = read_register([header, *lines])
    return list(read)


class TestReadRegister:
    def test_reads_a_mark(self):
        """A full row becomes a register mark with validated, normalised identifiers."""
        [mark] = rows(f"{UPN.lower()},{NHS},2025-03-04,am,L,12,school-100002")
        assert isinstance(mark, RegisterRow)
        assert mark.identifiers == (("nhs_number", "9434765919"), ("upn", UPN))
        assert (mark.session_date, mark.session, mark.code) == (date(2025, 3, 4), "AM", "L")
        assert (mark.minutes_late, mark.school, mark.row) == (12, "school-100002", 2)

    def test_reads_uk_dates(self):
        """Dates exported as DD/MM/YYYY are read too."""
        [mark] = rows(f"{UPN},,04/03/2025,PM,N,,")
        assert mark.session_date == date(2025, 3, 4)

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ("B123456789012,,2025-03-04,AM,N,,", "upn"),
            (",943 476 5918,2025-03-04,AM,N,,", "nhs_number"),
            (",,2025-03-04,AM,N,,", "upn"),
            (f"{UPN},,2025-13-40,AM,N,,", "date"),
            (f"{UPN},,2025-03-04,EVE,N,,", "session"),
            (f"{UPN},,2025-03-04,AM,,,", "code"),
            (f"{UPN},,2025-03-04,AM,L,ten,", "minutes_late"),
        ],
    )
    def test_a_bad_row_names_its_row_and_column(self, line, field):
        """Each bad row is a problem with its spreadsheet row number and the column."""
        [problem] = rows(line)
        assert problem == RowProblem(2, field, problem.rule)
        assert problem.rule

    def test_row_numbers_count_the_header_and_skip_blank_lines(self):
        """Row numbers match what a spreadsheet shows."""
        read = rows(f"{UPN},,2025-03-04,AM,N,,", "", f"{UPN},,2025-03-04,PM,N,,")
        assert [item.row for item in read] == [2, 4]

    def test_a_header_without_required_columns_is_refused(self):
        """A header lacking date/session/code is a format error for the whole file."""
        with pytest.raises(RegisterFormatError, match="session"):
            read_register(["upn,date,code"])

    def test_a_header_without_any_identifier_column_is_refused(self):
        """A header needs upn, nhs_number or child_ref."""
        with pytest.raises(RegisterFormatError, match="upn"):
            read_register(["date,session,code"])
