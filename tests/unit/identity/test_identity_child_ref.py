import pytest

from services.identity.domain.child_ref import (
    ChildRefKey,
    ChildRefKeyring,
    child_ref_key_version,
    derive_child_ref,
    is_child_ref,
)
from services.identity.domain.identifiers import local_case_id, nhs_number, parse_identifier, upn
from services.identity.exceptions import (
    ChildRefKeyError,
    InvalidChildRefError,
    InvalidIdentifierError,
)

KEY_1 = ChildRefKey(1, b"k" * 32)
KEY_2 = ChildRefKey(2, b"q" * 32)
NHS = "9434765919"


class TestChildRef:
    def test_deterministic_and_versioned(self):
        """The same identifier and key give the same cr1_ reference of 32 base32 characters."""
        ref = derive_child_ref(nhs_number(NHS), KEY_1)
        assert ref == derive_child_ref(nhs_number("943 476 5919"), KEY_1)
        assert ref.startswith("cr1_")
        assert is_child_ref(ref)
        assert child_ref_key_version(ref) == 1

    def test_keys_give_different_references(self):
        """Another key (or key version) gives an unrelated reference."""
        assert derive_child_ref(nhs_number(NHS), KEY_1) != derive_child_ref(nhs_number(NHS), KEY_2)

    def test_reference_does_not_contain_the_identifier(self):
        """The reference carries no part of the NHS number."""
        assert NHS not in derive_child_ref(nhs_number(NHS), KEY_1)

    def test_local_case_ids_are_agency_scoped(self):
        """The same case id at two agencies gives two references."""
        a = derive_child_ref(local_case_id("la-social-care", "c-123"), KEY_1)
        b = derive_child_ref(local_case_id("health-trust", "C-123"), KEY_1)
        assert a != b

    def test_short_key_refused(self):
        """A key shorter than 32 bytes is refused."""
        with pytest.raises(ChildRefKeyError, match="32 bytes"):
            ChildRefKey(1, b"short")

    def test_repr_hides_secrets_and_identifiers(self):
        """Neither a key's secret nor an identifier's value shows in repr."""
        assert "kkkk" not in repr(KEY_1)
        assert NHS not in repr(nhs_number(NHS))
        assert NHS not in str(nhs_number(NHS))

    def test_not_a_child_ref(self):
        """A string of the wrong form is not a child_ref."""
        assert not is_child_ref("cr0_abc")
        with pytest.raises(InvalidChildRefError):
            child_ref_key_version(NHS)

    def test_keyring_uses_current_key_and_finds_older(self):
        """New references use the current key; derive_all also gives older versions'."""
        keyring = ChildRefKeyring([KEY_1, KEY_2])
        assert keyring.derive(nhs_number(NHS)).startswith("cr2_")
        assert [ref[:4] for ref in keyring.derive_all(nhs_number(NHS))] == ["cr2_", "cr1_"]

    def test_keyring_refuses_duplicates_and_unknown_current(self):
        """Two keys of one version, or a current version without a key, are refused."""
        with pytest.raises(ChildRefKeyError):
            ChildRefKeyring([KEY_1, ChildRefKey(1, b"z" * 32)])
        with pytest.raises(ChildRefKeyError):
            ChildRefKeyring([KEY_1], current=3)


class TestIdentifiers:
    def test_parse_each_kind(self):
        """parse_identifier validates NHS numbers, UPNs and agency-scoped case ids."""
        assert parse_identifier("nhs_number", NHS).value == NHS
        assert parse_identifier("upn", "J201300101001").kind == "upn"
        assert parse_identifier("local_case_id", " c-1 ", "la-social-care").value == "C-1"

    def test_local_case_id_needs_agency(self):
        """A local case id without an agency is refused."""
        with pytest.raises(InvalidIdentifierError, match="agency"):
            parse_identifier("local_case_id", "C-1")

    def test_bad_agency_and_case_id(self):
        """A bad agency id or case id names its field."""
        with pytest.raises(InvalidIdentifierError, match=r"^local_case_id\.agency"):
            local_case_id("Social Care", "C-1")
        with pytest.raises(InvalidIdentifierError, match=r"^local_case_id:"):
            local_case_id("la-social-care", "C 1")

    def test_unknown_kind(self):
        """An unknown identifier kind is refused."""
        with pytest.raises(InvalidIdentifierError, match="identifier_kind"):
            parse_identifier("passport", "123")

    def test_upn_identifier(self):
        """upn() builds a validated UPN identifier."""
        assert upn("j201300101001").canonical == "upn:J201300101001"
