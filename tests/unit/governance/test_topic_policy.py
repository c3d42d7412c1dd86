"""The topic policy as data: each family's settings, and an operator's own file."""

from __future__ import annotations

import pytest

from services.bus import topics
from services.bus.settings import BusSettings
from services.bus.topic_policy import TopicPolicyError, load_topic_policy, topic_policy

THIRTY_DAYS_MS = str(30 * 24 * 3600 * 1000)
SEVEN_DAYS_MS = str(7 * 24 * 3600 * 1000)


def settings(**values) -> BusSettings:
    """Settings that read no environment for the fields these tests depend on."""
    fixed = {
        "topic_policy_file": None,
        "default_partitions": 6,
        "replication_factor": 3,
        "min_insync_replicas": 2,
    }
    return BusSettings(**(fixed | values))


class TestPackagedPolicy:
    @pytest.mark.parametrize(
        ("topic", "family", "config"),
        [
            (topics.AUDIT_DISCLOSURES, "audit", {"retention.ms": "-1", "retention.bytes": "-1"}),
            (topics.CONSENT_AGREEMENTS, "consent-and-identity", {"cleanup.policy": "compact"}),
            (topics.CONSENT_DIRECTIVES, "consent-and-identity", {"cleanup.policy": "compact"}),
            (topics.IDENTITY_LINKS, "consent-and-identity", {"cleanup.policy": "compact"}),
            (topics.SCHEMAS, "schemas", {"cleanup.policy": "compact"}),
            ("_schemas-staging", "schemas", {"cleanup.policy": "compact"}),
            ("joinedup-router-children", "changelogs", {"cleanup.policy": "compact"}),
            ("ingest.school-a", "ingest", {"retention.ms": SEVEN_DAYS_MS}),
            ("view.school-a", "views", {"retention.ms": THIRTY_DAYS_MS}),
            ("deadletter.school-a", "dead-letters", {"retention.ms": THIRTY_DAYS_MS}),
            (topics.ALERTS_ACKNOWLEDGED, "alerts", {"retention.ms": THIRTY_DAYS_MS}),
        ],
    )
    def test_each_family_has_its_settings(self, topic, family, config):
        """Compacted state, an audit kept for ever, retention for the rest."""
        policy = topic_policy()
        assert policy.family_of(topic).family == family
        assert topics.topic_config(topic) == config

    def test_a_prefix_family_wins_over_a_later_suffix_family(self):
        """`view.x-children` (an agency id may end so) is a view, not a changelog."""
        assert topic_policy().family_of("view.x-children").family == "views"

    def test_a_topic_no_family_names_takes_the_defaults(self):
        """A test's own topic: no family, no configs beyond min.insync.replicas."""
        spec = topics.topic_spec("scratch-topic", settings())
        assert (spec.family, spec.partitions, spec.replication_factor) == (None, 6, 3)
        assert spec.config == {"min.insync.replicas": "2"}

    def test_numbers_come_from_the_settings_unless_a_family_sets_them(self):
        """_schemas has one partition; the audit takes the settings' partitions and replicas."""
        schemas = topics.topic_spec(topics.SCHEMAS, settings())
        audit = topics.topic_spec(topics.AUDIT_DISCLOSURES, settings())
        assert (schemas.partitions, audit.partitions, audit.replication_factor) == (1, 6, 3)
        assert audit.config["min.insync.replicas"] == "2"


class TestOperatorPolicy:
    def test_an_operators_file_replaces_the_packaged_one(self, tmp_path):
        """JOINEDUP_TOPIC_POLICY_FILE: views kept 60 days, min.insync.replicas 2 for the audit."""
        own = tmp_path / "topics.yaml"
        own.write_text(
            "families:\n"
            "  - family: views\n"
            "    prefixes: [view.]\n"
            "    config: {retention.ms: 5184000000}\n"
            "  - family: audit\n"
            "    names: [audit.disclosures]\n"
            "    min_insync_replicas: 2\n"
            "    config: {retention.ms: -1, retention.bytes: -1}\n"
        )
        chosen = settings(topic_policy_file=own).model_copy(update={"min_insync_replicas": 1})
        assert topics.topic_config("view.school-a", chosen) == {"retention.ms": "5184000000"}
        assert topics.topic_spec("audit.disclosures", chosen).config["min.insync.replicas"] == "2"
        assert topics.topic_config("ingest.school-a", chosen) == {}

    def test_a_family_naming_nothing_is_refused_with_its_place(self, tmp_path):
        """One sentence: the file, the family's position and the rule."""
        own = tmp_path / "topics.yaml"
        own.write_text("families:\n  - family: empty\n    config: {}\n")
        with pytest.raises(TopicPolicyError, match=r"families\.0: family 'empty' lists no names"):
            load_topic_policy(own)

    def test_min_insync_replicas_in_config_is_refused(self, tmp_path):
        """It has its own field, so that it is set in one place."""
        own = tmp_path / "topics.yaml"
        own.write_text("defaults:\n  config: {min.insync.replicas: 2}\n")
        with pytest.raises(TopicPolicyError, match="set with min_insync_replicas, not in config"):
            load_topic_policy(own)

    def test_a_name_in_two_families_is_refused(self, tmp_path):
        """Each exact name belongs to one family."""
        own = tmp_path / "topics.yaml"
        own.write_text(
            "families:\n"
            "  - {family: one, names: [audit.disclosures]}\n"
            "  - {family: two, names: [audit.disclosures]}\n"
        )
        with pytest.raises(TopicPolicyError, match="listed in more than one family"):
            load_topic_policy(own)

    def test_a_missing_file_is_named(self, tmp_path):
        """The path and the reason, in one sentence."""
        with pytest.raises(TopicPolicyError, match="cannot be read"):
            load_topic_policy(tmp_path / "absent.yaml")
