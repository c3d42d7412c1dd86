"""The packaged agreement templates validate and fit any authority's agency directory."""

from __future__ import annotations

import pytest
import yaml

from consent.domain.agreement import SharingAgreement
from schemas.catalogue import Catalogue
from services.cli.consent_load import copy_templates
from services.config.exceptions import ConfigFileError
from services.config.files import agreement_templates
from services.consent.adapters.agreement_files import read_agreement_files
from services.consent.bootstrap import routed_event_types

TEMPLATES = agreement_templates()
# What a new authority needs first (DOMAIN.md): purpose and legal basis per agreement id.
EXPECTED = {
    "isa-attendance-to-la": ("attendance-support", "public-task-ca2004-s16la"),
    "isa-cp-plan-to-school": ("safeguarding", "public-task-ca1989-s47"),
    "isa-operation-encompass": ("safeguarding", "safeguarding-special-category"),
    "isa-early-help-consent": ("early-help", "consent"),
    "isa-alerts-to-schools": ("safeguarding", "public-task-ca2004-s11"),
    "isa-alerts-to-la": ("safeguarding", "public-task-ca2004-s11"),
    "isa-alerts-to-social-care": ("safeguarding", "public-task-ca1989-s47"),
    "isa-alerts-to-police": ("safeguarding", "public-task-ca2004-s11"),
    "isa-referrals-from-schools": ("safeguarding", "safeguarding-special-category"),
    "isa-referrals-from-police": ("safeguarding", "safeguarding-special-category"),
    "isa-referrals-from-health": ("safeguarding", "safeguarding-special-category"),
    "isa-referral-feedback-schools": ("safeguarding", "public-task-ca2004-s16la"),
    "isa-referral-feedback-police": ("safeguarding", "public-task-ca2004-s16la"),
    "isa-referral-feedback-health": ("safeguarding", "public-task-ca2004-s16la"),
}


class TestAgreementTemplates:
    def test_every_template_validates(self):
        """Every agreement of every template is a valid create request; no id repeats."""
        found = read_agreement_files(TEMPLATES)
        assert found.problems == ()
        assert {draft.id for draft in found.drafts} == set(EXPECTED)

    def test_each_statutory_purpose_has_its_basis(self):
        """Attendance, CP plan, Operation Encompass, early help and alerts carry their bases."""
        drafts = read_agreement_files(TEMPLATES).drafts
        assert {d.id: (d.purpose, d.legal_basis) for d in drafts} == EXPECTED

    def test_agencies_are_selected_by_kind(self):
        """No template names an agency id, so each fits any authority's directory."""
        for draft in read_agreement_files(TEMPLATES).drafts:
            assert draft.provider.agency is None, draft.id
            assert draft.recipient.agency is None, draft.id
            assert draft.provider.kind is not None, draft.id
            assert draft.recipient.kind is not None, draft.id

    def test_event_types_are_routed_ones(self):
        """Every event type named is one the consent service lets agreements name."""
        routed = routed_event_types(Catalogue.load())
        for draft in read_agreement_files(TEMPLATES).drafts:
            assert draft.event_types <= routed, draft.id

    def test_early_help_needs_consent(self):
        """The consent-based template's agreement needs a recorded consent to permit."""
        draft = next(
            d for d in read_agreement_files(TEMPLATES).drafts if d.legal_basis == "consent"
        )
        agreement = SharingAgreement.model_validate({**draft.model_dump(), "version": 1})
        assert agreement.requires_consent
        assert not agreement.safeguarding

    @pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
    def test_each_template_cites_its_statutory_source(self, template):
        """Each file opens with comments, one of them citing the statutory source."""
        text = template.read_text(encoding="utf-8")
        comments = [line for line in text.splitlines() if line.startswith("#")]
        assert text.startswith("# Template:")
        assert any(line.startswith("# Statutory source:") for line in comments)
        assert isinstance(yaml.safe_load(text)["agreements"], list)


class TestCopyTemplates:
    def test_copies_every_template_into_a_new_folder(self, tmp_path):
        """`consent templates DIR` writes each packaged template, byte for byte."""
        folder = tmp_path / "agreements"
        copy_templates(folder)
        assert sorted(p.name for p in folder.iterdir()) == [t.name for t in TEMPLATES]
        assert all((folder / t.name).read_bytes() == t.read_bytes() for t in TEMPLATES)

    def test_never_overwrites_a_file(self, tmp_path):
        """A folder already holding a template's name is refused; the file is kept."""
        kept = tmp_path / TEMPLATES[0].name
        kept.write_text("mine\n")
        with pytest.raises(ConfigFileError, match=r"^FOLDER \(.+\) must not hold"):
            copy_templates(tmp_path)
        assert kept.read_text() == "mine\n"
        assert len(list(tmp_path.iterdir())) == 1
