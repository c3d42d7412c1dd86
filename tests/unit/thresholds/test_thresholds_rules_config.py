import datetime as dt

import pytest
import yaml

from services.config.files import packaged_default
from services.thresholds.domain.evaluate import apply_event
from services.thresholds.domain.exceptions import RuleConfigError
from services.thresholds.domain.rules import (
    DEFAULT_RULES,
    RecipientSpec,
    load_rules,
    merge_config,
    rule_set_from_mappings,
)

D = dt.date
PERSISTENT = "attendance.persistent-absence"

LA_OVERRIDE = """
# Exampleshire: persistent absence judged at 20%, and only after 40 sessions.
rules:
  attendance.persistent-absence:
    threshold_percent: 20
    minimum_sessions: 40
"""


@pytest.fixture(scope="module")
def defaults():
    text = packaged_default(DEFAULT_RULES).read_text(encoding="utf-8")
    return yaml.safe_load(text)


class TestLoadRules:
    def test_defaults_carry_domain_numbers(self, rules):
        """The packaged defaults hold DOMAIN.md's numbers."""
        assert rules.persistent_absence.threshold_percent == 10
        assert rules.severe_absence.threshold_percent == 50
        assert rules.ten_day_absence.school_days == 10
        assert rules.missing_education.school_days == 20
        assert (rules.suspension_term.max_days, rules.suspension_year.max_days) == (15, 45)
        assert rules.multi_agency_match.window_days == 90

    def test_every_rule_has_an_id_and_a_source(self, rules):
        """Each rule knows its id (its YAML key) and cites where its number comes from."""
        ids = [rule.id for rule in rules.all()]
        assert len(ids) == len(set(ids)) == 19
        assert all(rule.source for rule in rules.all())

    def test_la_override_file_changes_a_threshold(self, tmp_path):
        """An LA's YAML laid over the defaults changes only what it names."""
        path = tmp_path / "exampleshire.yaml"
        path.write_text(LA_OVERRIDE)
        rules = load_rules(path)
        assert rules.persistent_absence.threshold_percent == 20
        assert rules.persistent_absence.minimum_sessions == 40
        assert rules.persistent_absence.severity == "medium"
        assert rules.severe_absence.threshold_percent == 50

    def test_la_override_changes_what_alerts(self, defaults, calendar, child, codes):
        """Under a 20% override, 10% absence is quiet and 20% of 40 sessions alerts."""
        rules = rule_set_from_mappings(defaults, yaml.safe_load(LA_OVERRIDE))
        state, raised = child.state, []
        day = D(2026, 9, 7)
        for code in ["/"] * 9 + ["M"] + ["/"] * 7 + ["M"] * 3:
            for session in ("AM", "PM"):
                event = child.events.mark(day, code, session)
                state, alerts = apply_event(state, event, rules, calendar, codes)
                raised += [(day, a.rule_id) for a in alerts]
            day = calendar.add_school_days(day, 1)
        assert raised == [(D(2026, 10, 2), PERSISTENT)]

    def test_unknown_rule_id_is_refused(self, defaults):
        """A misspelt rule id in an override is an error, not silently ignored."""
        with pytest.raises(RuleConfigError, match="persistant"):
            rule_set_from_mappings(defaults, {"rules": {"attendance.persistant": {}}})

    def test_unknown_parameter_is_refused(self, defaults):
        """A misspelt parameter name is an error."""
        override = {"rules": {PERSISTENT: {"threshold_pct": 20}}}
        with pytest.raises(RuleConfigError, match="threshold_pct"):
            rule_set_from_mappings(defaults, override)

    def test_out_of_range_threshold_is_refused(self, defaults):
        """A percentage above 100 does not validate."""
        with pytest.raises(RuleConfigError):
            rule_set_from_mappings(defaults, {"rules": {PERSISTENT: {"threshold_percent": 150}}})

    def test_recipient_needs_exactly_one_target(self):
        """A recipient names a fixed agency or a relation, not both or neither."""
        with pytest.raises(ValueError, match="exactly one"):
            RecipientSpec(role="r", agency_id="a", relation="school")
        with pytest.raises(ValueError, match="exactly one"):
            RecipientSpec(role="r")


class TestMergeConfig:
    def test_mappings_merge_recursively(self):
        """Nested mappings keep the keys the override does not name."""
        merged = merge_config({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}})
        assert merged == {"a": {"b": 1, "c": 3}}

    def test_lists_are_replaced(self):
        """A list in the override replaces the default list."""
        assert merge_config({"a": [1, 2]}, {"a": [3]}) == {"a": [3]}

    def test_defaults_are_not_changed(self):
        """Merging leaves the default mapping as it was."""
        defaults = {"a": {"b": 1}}
        merge_config(defaults, {"a": {"b": 2}})
        assert defaults == {"a": {"b": 1}}
