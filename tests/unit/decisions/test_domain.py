from datetime import timedelta

import consent_examples as ex
import pytest
from pydantic import ValidationError

from consent.domain import (
    AgencyDirectory,
    AgencySelector,
    Period,
    SharingAgreement,
    load_agency_directory,
    load_policy_codes,
)
from consent.exceptions import PolicyDataError, UnknownAgencyError, UnknownCodeError
from services.config.files import packaged_default

PACKAGED_AGENCIES = packaged_default("agencies.yaml")


class TestAgencyDirectory:
    def test_loads_the_deployment_file(self):
        """The packaged agencies.yaml loads, indexed by id and kind."""
        directory = load_agency_directory(PACKAGED_AGENCIES)
        assert directory.require("police-west").kind == "police"
        assert {a.id for a in directory.of_kind("school")} >= {"school-100001", "school-100002"}

    def test_unknown_agency_is_an_error(self):
        """require() names the missing agency."""
        with pytest.raises(UnknownAgencyError, match="nowhere"):
            ex.directory().require("nowhere")

    def test_duplicate_ids_are_refused(self):
        """An agency listed twice is a validation error."""
        agency = ex.agency("police-west")
        with pytest.raises(ValidationError, match="more than once"):
            AgencyDirectory(agencies=(agency, agency))

    def test_malformed_file_is_a_policy_data_error(self, tmp_path):
        """A file without an agencies list raises PolicyDataError naming the file."""
        path = tmp_path / "agencies.yaml"
        path.write_text("agencies: {}\n")
        with pytest.raises(PolicyDataError, match=r"agencies\.yaml"):
            load_agency_directory(path)

    def test_bad_agency_id_is_a_policy_data_error(self, tmp_path):
        """An agency id with capitals is refused."""
        path = tmp_path / "agencies.yaml"
        path.write_text("agencies:\n  - {id: School-1, kind: school, name: n, duty_contact: c}\n")
        with pytest.raises(PolicyDataError, match="id"):
            load_agency_directory(path)


class TestPolicyCodes:
    def test_safeguarding_bases(self):
        """Sch 1 para 18, s47 and vital interests are safeguarding bases; consent is not."""
        codes = load_policy_codes()
        safeguarding = {c for c, b in codes.legal_bases.items() if b.safeguarding}
        assert safeguarding == {
            "safeguarding-special-category",
            "public-task-ca1989-s47",
            "vital-interests",
        }
        assert codes.legal_basis("consent").requires_consent

    def test_every_code_cites_a_source(self):
        """Each legal basis and purpose names where it comes from."""
        codes = load_policy_codes()
        for entry in [*codes.legal_bases.values(), *codes.purposes.values()]:
            assert entry.sources
            assert all(s.startswith("https://") for s in entry.sources)

    def test_unknown_code_is_an_error(self):
        """Looking up an unknown purpose raises UnknownCodeError listing the known ones."""
        with pytest.raises(UnknownCodeError, match="safeguarding"):
            load_policy_codes().purpose("marketing")


class TestSharingAgreement:
    def test_unknown_legal_basis_is_refused(self):
        """A legal basis outside the code list fails validation."""
        with pytest.raises(ValidationError, match="legal_basis"):
            ex.agreement(legal_basis="legitimate-interests")

    def test_safeguarding_is_derived_from_the_legal_basis(self):
        """The safeguarding flag comes from the code list, not the agreement."""
        assert ex.agreement(legal_basis="public-task-ca1989-s47").safeguarding
        assert not ex.agreement().safeguarding

    def test_provider_needs_exactly_one_of_agency_or_kind(self):
        """A selector with both an agency and a kind is refused."""
        with pytest.raises(ValidationError, match="exactly one"):
            AgencySelector(agency="police-west", kind="police")

    def test_validity_must_be_ordered(self):
        """valid_to before valid_from is refused."""
        with pytest.raises(ValidationError, match="valid_to"):
            ex.agreement(valid_to=ex.AT - timedelta(days=400))

    def test_naive_datetimes_are_refused(self):
        """Validity times must carry a time zone."""
        with pytest.raises(ValidationError, match="valid_from"):
            ex.agreement(valid_from=ex.AT.replace(tzinfo=None))

    def test_in_force_reads_status_and_period(self):
        """A retired or expired version is not in force."""
        assert ex.agreement().in_force(ex.AT)
        assert not ex.agreement(status="retired").in_force(ex.AT)
        assert not ex.agreement(valid_to=ex.AT).in_force(ex.AT)

    def test_dump_round_trips_with_sorted_sets(self):
        """Sets serialise sorted (stable hashes) and load back equal."""
        agreement = ex.agreement(event_types=frozenset({"PupilLeftRoll", "AttendanceMarked"}))
        dumped = agreement.model_dump(mode="json")
        assert dumped["event_types"] == ["AttendanceMarked", "PupilLeftRoll"]
        assert SharingAgreement.model_validate(dumped) == agreement


class TestConsentDirective:
    def test_applies_to_matching_purpose_recipient_and_period(self):
        """A directive applies only within its purpose, recipient and period."""
        directive = ex.withdrawal(purpose="early-help", recipient={"kind": "school"})
        assert directive.applies("early-help", "school-100001", "school", ex.AT)
        assert not directive.applies("safeguarding", "school-100001", "school", ex.AT)
        assert not directive.applies("early-help", "la-education", "local-authority", ex.AT)
        assert not directive.applies("early-help", "school-100001", "school", ex.AT.replace(2020))

    def test_period_end_must_follow_start(self):
        """A period ending before it starts is refused."""
        with pytest.raises(ValidationError, match="end must be after start"):
            Period(start=ex.AT, end=ex.AT)
