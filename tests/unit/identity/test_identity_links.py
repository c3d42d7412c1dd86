import pytest

from schemas.codec import AvroCodec
from schemas.models.common import Source
from schemas.schema_source import InMemorySchemaSource
from schemas.validation import EventValidator
from services.identity.domain.child_ref import ChildRefKey, ChildRefKeyring
from services.identity.domain.identifiers import local_case_id, nhs_number, upn
from services.identity.domain.links import IdentityIndex
from services.identity.exceptions import IdentityConflictError, InvalidIdentifierError
from services.identity.handlers import IdentityResolver

NHS = "9434765919"
UPN = "J201300101001"
SOURCE = Source(agency="school-100001", system="mis", practitioner_role=None)


@pytest.fixture
def keyring():
    return ChildRefKeyring([ChildRefKey(1, b"k" * 32)])


@pytest.fixture
def resolver(keyring):
    return IdentityResolver(keyring, IdentityIndex(keyring))


class TestIdentityIndex:
    def test_link_and_resolve(self, keyring):
        """A linked identifier resolves to its child_ref; an unlinked one to None."""
        index = IdentityIndex(keyring)
        index.link(upn(UPN), "cr1_" + "a" * 32)
        assert index.resolve(upn(UPN)) == "cr1_" + "a" * 32
        assert index.resolve(nhs_number(NHS)) is None

    def test_conflicting_link(self, keyring):
        """Linking an identifier to a second child raises, without showing the identifier."""
        index = IdentityIndex(keyring)
        index.link(upn(UPN), "cr1_" + "a" * 32)
        with pytest.raises(IdentityConflictError) as caught:
            index.link(upn(UPN), "cr1_" + "b" * 32)
        assert UPN not in str(caught.value)

    def test_index_holds_no_raw_identifier(self, keyring):
        """The index is keyed by the keyed hash, not by the raw value."""
        index = IdentityIndex(keyring)
        link = index.link(upn(UPN), "cr1_" + "a" * 32)
        assert UPN not in repr(link)
        assert UPN not in repr(index._links)


class TestIdentityResolver:
    def test_nhs_number_is_the_key(self, resolver, keyring):
        """With an NHS number, the child_ref is the NHS number's; both identifiers get linked."""
        resolution = resolver.resolve([upn(UPN), nhs_number(NHS)], source=SOURCE, method="ingest")
        assert resolution.child_ref == keyring.derive(nhs_number(NHS))
        assert [link["identifier_kind"] for link in resolution.links] == ["upn", "nhs_number"]
        assert {link["child_ref"] for link in resolution.links} == {resolution.child_ref}

    def test_upn_alone_reaches_the_same_child_after_linking(self, resolver):
        """Once linked, a UPN alone resolves to the NHS number's child_ref, with no new link."""
        first = resolver.resolve([nhs_number(NHS), upn(UPN)], source=SOURCE, method="ingest")
        again = resolver.resolve([upn(UPN)], source=SOURCE, method="ingest")
        assert again.child_ref == first.child_ref
        assert again.links == []

    def test_unlinked_identifier_gets_its_own_reference(self, resolver, keyring):
        """A case id never linked gets the child_ref of its own keyed hash, and is linked to it."""
        case_id = local_case_id("la-social-care", "C-9")
        resolution = resolver.resolve([case_id], source=SOURCE, method="ingest")
        assert resolution.child_ref == keyring.derive(case_id)
        assert [link["issuing_agency"] for link in resolution.links] == ["la-social-care"]

    def test_links_survive_key_rotation(self, keyring):
        """After a new key version, an identifier linked under the old key keeps its child_ref."""
        index = IdentityIndex(keyring)
        before = IdentityResolver(keyring, index).resolve(
            [upn(UPN)], source=SOURCE, method="ingest"
        )
        rotated = ChildRefKeyring([ChildRefKey(1, b"k" * 32), ChildRefKey(2, b"n" * 32)])
        index_after = IdentityIndex(rotated)
        for event in before.links:
            index_after.apply(event)
        after = IdentityResolver(rotated, index_after).resolve(
            [upn(UPN)], source=SOURCE, method="x"
        )
        assert after.child_ref == before.child_ref

    def test_no_identifiers(self, resolver):
        """Resolving nothing is refused."""
        with pytest.raises(InvalidIdentifierError):
            resolver.resolve([], source=SOURCE, method="ingest")

    def test_links_are_valid_events_and_replay(self, resolver, keyring):
        """IdentifierLinked events validate, encode, and rebuild the index when replayed."""
        resolution = resolver.resolve(
            [nhs_number(NHS), upn(UPN), local_case_id("la-social-care", "C-9")],
            source=SOURCE,
            method="ingest",
        )
        codec = AvroCodec(InMemorySchemaSource())
        replayed = IdentityIndex(keyring)
        for event in resolution.links:
            EventValidator().validate(event)
            replayed.apply(codec.decode(codec.encode("IdentifierLinked", event)))
        assert replayed.resolve(upn(UPN)) == resolution.child_ref
        assert replayed.resolve(local_case_id("la-social-care", "c-9")) == resolution.child_ref
