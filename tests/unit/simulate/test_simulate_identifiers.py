"""Synthetic identifiers: valid for the identity stage, in ranges no real child has."""

from services.identity.domain.nhs_number import parse_nhs_number
from services.identity.domain.upn import parse_upn
from services.simulate.identifiers import (
    IdentifierAllocator,
    is_synthetic,
    nhs_number_of,
    upn_of,
)


class TestNhsNumbers:
    def test_numbers_pass_the_mod_11_check_and_sit_in_the_test_range(self):
        """Every number handed out passes the identity stage's NHS number check and starts 999."""
        allocator = IdentifierAllocator(seed=1)
        numbers = [allocator.nhs_number() for _ in range(2000)]
        assert all(parse_nhs_number(n) == n for n in numbers)
        assert all(n.startswith("999") for n in numbers)
        assert len(set(numbers)) == len(numbers)

    def test_a_stem_whose_check_digit_would_be_10_gives_no_number(self):
        """Stems the NHS never issues (check digit 10) are skipped, not given a wrong digit."""
        skipped = [stem for stem in range(200) if nhs_number_of(stem) is None]
        assert skipped
        assert all(parse_nhs_number(n) for s in range(200) if (n := nhs_number_of(s)))


class TestUpns:
    def test_upns_pass_the_mod_23_check_with_la_number_999(self):
        """Every UPN handed out passes the identity stage's check and carries LA number 999."""
        allocator = IdentifierAllocator(seed=1)
        upns = [allocator.upn() for _ in range(2000)]
        assert all(parse_upn(u) == u for u in upns)
        assert all(u[1:4] == "999" for u in upns)
        assert len(set(upns)) == len(upns)

    def test_upn_of_builds_the_check_letter(self):
        """The check letter is computed, so one digit changed breaks the check."""
        upn = upn_of(123456789)
        assert parse_upn(upn) == upn
        assert upn[1:] == "999123456789"


class TestAllocator:
    def test_the_same_seed_gives_the_same_identifiers(self):
        """Identifiers are deterministic by seed."""
        first, second = IdentifierAllocator(seed=5), IdentifierAllocator(seed=5)
        assert [first.upn() for _ in range(50)] == [second.upn() for _ in range(50)]
        assert [first.nhs_number() for _ in range(50)] == [second.nhs_number() for _ in range(50)]

    def test_identifiers_already_on_the_bus_are_never_handed_out(self):
        """A number an earlier run linked is skipped, so every run's children are new."""
        earlier = IdentifierAllocator(seed=5)
        taken = {earlier.nhs_number() for _ in range(20)} | {earlier.upn() for _ in range(20)}
        again = IdentifierAllocator(seed=5, taken=taken)
        fresh = {again.nhs_number() for _ in range(20)} | {again.upn() for _ in range(20)}
        assert not fresh & taken

    def test_a_rerun_walks_past_many_taken_identifiers(self):
        """The same seed after a big run: thousands taken in a row are skipped, not refused."""
        earlier = IdentifierAllocator(seed=6)
        taken = {earlier.upn() for _ in range(12_000)}
        again = IdentifierAllocator(seed=6, taken=taken)
        assert again.upn() not in taken

    def test_only_synthetic_ranges_count_as_synthetic(self):
        """The simulator remembers identifiers of its own ranges only."""
        assert is_synthetic("nhs_number", "9990000018")
        assert not is_synthetic("nhs_number", "4010232137")
        assert is_synthetic("upn", upn_of(1))
        assert not is_synthetic("upn", "A801200001001")
        assert not is_synthetic("local_case_id", "999")
