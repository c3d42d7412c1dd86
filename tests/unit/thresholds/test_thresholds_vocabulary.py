"""Rule configuration speaks the contract's words: severities and event types."""

import pytest

from schemas.catalogue import Catalogue
from schemas.severity import SEVERITIES
from services.thresholds.domain.exceptions import RuleConfigError
from services.thresholds.domain.rules import load_rules

ENCOMPASS = "safeguarding.operation-encompass"


class TestSeverityWords:
    def test_defaults_use_only_contract_severities(self, rules):
        """Every default rule's severity is a word of the AlertRaised contract."""
        assert {rule.severity for rule in rules.all()} <= set(SEVERITIES)
        assert rules.encompass.severity == "critical"

    def test_override_saying_urgent_names_the_field_and_the_words(self, tmp_path):
        """An LA override still saying "urgent" is refused with the field and allowed words."""
        path = tmp_path / "override.yaml"
        path.write_text(f"rules:\n  {ENCOMPASS}:\n    severity: urgent\n")
        with pytest.raises(RuleConfigError) as refused:
            load_rules(path)
        message = str(refused.value)
        assert f"rules.{ENCOMPASS}.severity" in message
        assert "'urgent'" in message
        assert "low, medium, high, critical" in message

    def test_override_with_a_contract_word_is_taken(self, tmp_path):
        """An override choosing another contract severity changes only that rule."""
        path = tmp_path / "override.yaml"
        path.write_text(f"rules:\n  {ENCOMPASS}:\n    severity: high\n")
        rules = load_rules(path)
        assert rules.encompass.severity == "high"
        assert rules.severe_absence.severity == "high"


class TestCountedEventTypes:
    def test_event_types_rules_count_are_in_the_catalogue(self, rules):
        """Event types a rule counts by type exist in the contract's catalogue."""
        counted = {*rules.multi_agency_match.event_types, *rules.missing_episodes.event_types}
        assert counted
        assert counted <= set(Catalogue.load().event_types)
