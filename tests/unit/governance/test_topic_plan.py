"""Which topics the platform has, and what brings a cluster's topics to the policy."""

from __future__ import annotations

from consent.domain.agency import Agency, AgencyDirectory
from services.bus.topic_policy import TopicSpec
from services.governance.platform_topics import platform_topics
from services.governance.topic_reconcile import TopicState, plan_topics

VIEW = TopicSpec("view.school-a", "views", 3, 1, {"retention.ms": "2592000000"})


def state(partitions: int = 3, replicas: int = 1, **own: str) -> TopicState:
    """view.school-a on a cluster, with `own` set on the topic itself."""
    config = {"retention.ms": "604800000", "cleanup.policy": "delete", **own}
    return TopicState("view.school-a", partitions, replicas, config, frozenset(own))


class TestPlatformTopics:
    def test_every_agency_has_its_topics_and_the_processors_their_changelogs(self):
        """Ingest, view and dead letters per agency; fixed topics; both changelogs."""
        agencies = AgencyDirectory(
            agencies=(Agency(id="school-a", kind="school", name="A", duty_contact="a@x.example"),)
        )
        names = set(platform_topics(agencies))
        assert {"ingest.school-a", "view.school-a", "deadletter.school-a"} <= names
        assert {"audit.disclosures", "identity.links", "_schemas", "alerts.raised"} <= names
        assert {"joinedup-router-children", "joinedup-thresholds-children"} <= names
        assert {"deadletter.identity.links", "deadletter.alerts-webhook"} <= names


class TestTopicPlan:
    def test_a_missing_topic_is_created(self):
        """No state: the spec is to be created, one `+` line."""
        plan = plan_topics([VIEW], {})
        assert plan.create == (VIEW,)
        assert plan.lines() == [
            "+ topic view.school-a: partitions 3, replication factor 1, retention.ms=2592000000"
        ]

    def test_a_config_that_drifted_is_set_back(self):
        """Retention of 7 days where the policy says 30: one `~` line with both values."""
        plan = plan_topics([VIEW], {VIEW.name: state()})
        assert plan.set_configs == {"view.school-a": {"retention.ms": "2592000000"}}
        assert plan.lines() == ["~ topic view.school-a: retention.ms 604800000 -> 2592000000"]

    def test_a_config_the_policy_does_not_set_is_unset(self):
        """segment.ms set on the topic by hand goes back to the broker's default."""
        plan = plan_topics(
            [VIEW], {VIEW.name: state(**{"retention.ms": "2592000000"}, **{"segment.ms": "1000"})}
        )
        assert plan.unset_configs == {"view.school-a": ("segment.ms",)}
        assert not plan.set_configs

    def test_a_topic_short_of_partitions_is_warned_about_not_grown(self):
        """One partition where the policy says three: a `!` line, no change planned."""
        plan = plan_topics([VIEW], {VIEW.name: state(1, **{"retention.ms": "2592000000"})})
        assert plan.changes_nothing
        assert len(plan.warnings) == 1
        assert plan.warnings[0].startswith(
            "topic view.school-a has 1 partition(s), the policy says 3: not increased"
        )

    def test_a_topic_as_the_policy_says_changes_nothing(self):
        """Same configs, partitions and replicas: no line at all."""
        plan = plan_topics([VIEW], {VIEW.name: state(**{"retention.ms": "2592000000"})})
        assert plan.changes_nothing
        assert plan.lines() == []
