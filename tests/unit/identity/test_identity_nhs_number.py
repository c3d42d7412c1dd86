import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.identity.domain.nhs_number import (
    is_valid_nhs_number,
    nhs_check_digit,
    parse_nhs_number,
)
from services.identity.exceptions import InvalidIdentifierError


@st.composite
def nhs_numbers(draw):
    """Valid NHS numbers: nine digits whose mod-11 check digit is not 10, not all the same."""
    first_nine = draw(st.text("0123456789", min_size=9, max_size=9))
    check = nhs_check_digit(first_nine)
    number = f"{first_nine}{check}"
    if check is None or len(set(number)) == 1:
        number = "9434765919"
    return number


class TestNhsNumber:
    def test_known_valid_number(self):
        """943 476 5919 is valid and normalises to ten digits."""
        assert parse_nhs_number("943 476 5919") == "9434765919"
        assert parse_nhs_number("943-476-5919") == "9434765919"

    def test_wrong_check_digit(self):
        """A wrong check digit names the field and the mod-11 rule."""
        with pytest.raises(InvalidIdentifierError) as caught:
            parse_nhs_number("9434765918")
        assert (
            str(caught.value)
            == "nhs_number: check digit does not match (NHS Data Dictionary mod-11)"
        )

    def test_check_digit_ten_is_never_issued(self):
        """A number whose computed check digit is 10 is refused."""
        first_nine = next(
            f"{n:09d}" for n in range(10**8, 10**9) if nhs_check_digit(f"{n:09d}") is None
        )
        with pytest.raises(InvalidIdentifierError, match="never issued"):
            parse_nhs_number(first_nine + "0")

    def test_all_same_digits(self):
        """1111111111 passes mod 11 but is refused."""
        assert nhs_check_digit("111111111") == 1
        with pytest.raises(InvalidIdentifierError, match="all ten digits"):
            parse_nhs_number("1111111111")

    def test_wrong_length_or_characters(self):
        """Nine digits, letters or non-ASCII digits are refused."""
        for value in ("943476591", "94347659190", "94347659A9", "\uff19" * 10):
            assert not is_valid_nhs_number(value)

    def test_error_never_shows_the_number(self):
        """The error message does not carry the raw identifier."""
        with pytest.raises(InvalidIdentifierError) as caught:
            parse_nhs_number("9434765918")
        assert "9434765918" not in str(caught.value)

    @given(nhs_numbers())
    def test_generated_numbers_are_valid(self, number):
        """Every number with a correct mod-11 check digit is accepted."""
        assert parse_nhs_number(number) == number

    @given(nhs_numbers(), st.integers(0, 9), st.integers(1, 9))
    def test_single_digit_errors_are_caught(self, number, position, delta):
        """Changing any one digit makes the number invalid."""
        digits = list(number)
        digits[position] = str((int(digits[position]) + delta) % 10)
        assert not is_valid_nhs_number("".join(digits))
