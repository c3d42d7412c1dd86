import pytest

from schemas import codes
from schemas.catalogue import Catalogue
from schemas.exceptions import UnknownCodeError
from schemas.layout import nested_fields


class TestCodes:
    def test_unauthorised_absence_counts(self):
        """N is unauthorised, a possible session and an absence."""
        code = codes.attendance_code("N")
        assert code.category == "unauthorised"
        assert code.counts_as_possible_session
        assert code.counts_as_absence

    def test_present_and_unavoidable_codes(self):
        """/ is present; Y2 (travel disruption) is not a possible session nor an absence."""
        assert codes.attendance_code("/").category == "present"
        assert not codes.attendance_code("/").counts_as_absence
        y2 = codes.attendance_code("Y2")
        assert (y2.category, y2.counts_as_possible_session, y2.counts_as_absence) == (
            "unavoidable", False, False,
        )  # fmt: skip

    def test_penalty_notice_codes_are_unauthorised(self):
        """G, N, O and U are the unauthorised codes."""
        unauthorised = {
            c.code for c in codes.attendance_codes().values() if c.category == "unauthorised"
        }
        assert unauthorised == {"G", "N", "O", "U"}

    def test_unknown_code_is_refused(self):
        """An unknown register code raises UnknownCodeError naming the list."""
        with pytest.raises(UnknownCodeError, match="attendance-register"):
            codes.attendance_code("H")

    def test_cbds_exclusion_reasons(self):
        """The CBDS exclusion reason list has its sixteen codes."""
        assert len(codes.code_list(codes.EXCLUSION_REASON).codes) == 16
        assert codes.exclusion_reason("DB").meaning.startswith("Persistent")

    def test_typed_accessors(self):
        """Each accessor returns the code from its list."""
        assert codes.cp_category("NEG").meaning == "Neglect"
        assert codes.primary_need("N1").meaning == "Abuse or neglect"
        assert codes.legal_status("C2").meaning == "Full care order"
        assert codes.leaving_destination("unknown").code == "unknown"
        assert codes.assessment_factor("24A").code == "24A"
        assert codes.concern_category("neglect").code == "neglect"

    def test_every_list_names_its_source(self):
        """Every code list has a title and a source."""
        for name in codes.code_list_names():
            code_list = codes.code_list(name)
            assert code_list.source
            assert code_list.title

    def test_every_code_list_a_schema_names_exists(self):
        """Each x-code-list property in the schemas names an existing code list."""
        catalogue = Catalogue.load()
        for event_type in catalogue.event_types:
            for field in nested_fields(catalogue.definition(event_type)):
                if "x-code-list" in field:
                    assert field["x-code-list"] in codes.code_list_names(), event_type
