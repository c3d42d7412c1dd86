import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.identity.domain.upn import (
    CHECK_LETTERS,
    is_temporary_upn,
    is_valid_upn,
    parse_upn,
    upn_check_letter,
)
from services.identity.exceptions import InvalidIdentifierError


def _upn(body):
    return upn_check_letter(body) + body


class TestUpn:
    def test_check_letter_table(self):
        """The check letters are the 23 letters A-Z without I, O and S."""
        assert len(CHECK_LETTERS) == 23
        assert not set("IOS") & set(CHECK_LETTERS)

    def test_worked_example(self):
        """A body of 201300101001 gets check letter J (weighted sum 170, mod 23 = 9)."""
        assert upn_check_letter("201300101001") == "J"
        assert parse_upn("j201300101001") == "J201300101001"

    def test_wrong_check_letter(self):
        """A wrong check letter names the field and the rule."""
        with pytest.raises(InvalidIdentifierError) as caught:
            parse_upn("A201300101001")
        assert str(caught.value) == "upn: check letter does not match (DfE UPN guidance, mod 23)"

    def test_temporary_upn(self):
        """A letter as character 13 makes a temporary UPN, checked the same way."""
        temporary = _upn("20130010100A")
        assert is_temporary_upn(temporary)
        assert not is_temporary_upn(_upn("201300101001"))

    def test_shape_rules(self):
        """Wrong length, letters inside, or I/O/S as character 13 are refused."""
        for value in ("J20130010100", "J2013001010011", "J2013X0101001", "J20130010100I"):
            assert not is_valid_upn(value)

    @given(
        st.text("0123456789", min_size=11, max_size=11),
        st.sampled_from([*"0123456789", *CHECK_LETTERS]),
    )
    def test_generated_upns_are_valid(self, digits, last):
        """Any body with its computed check letter is a valid UPN."""
        assert is_valid_upn(_upn(digits + last))
