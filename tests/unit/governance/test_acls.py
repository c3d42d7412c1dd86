"""The desired ACLs as plain values: who may read, write and join what."""

from __future__ import annotations

import inspect

import pytest

from consent.domain.agency import Agency, AgencyDirectory
from services.alerts.settings import AlertsSettings
from services.bus import topics
from services.gateway.bootstrap import GatewayOptions
from services.governance import acls, principals
from services.governance.acls import AclRule, agency_access, desired_acls, rules_for
from services.governance.exceptions import PrincipalError
from services.governance.principals import (
    ALERTS,
    GATEWAY,
    IDENTITY_STEWARD,
    ROUTER,
    THRESHOLDS,
    agency_principals,
    all_principals,
)
from services.router.bootstrap import build_router
from services.thresholds.bootstrap import build_thresholds

IMPLIES_DESCRIBE = {"read", "write"}


def directory(*ids: str, kind: str = "school") -> AgencyDirectory:
    """An agency directory of `ids`, all of one kind."""
    return AgencyDirectory(
        agencies=tuple(
            Agency(id=i, kind=kind, name=f"Agency {i}", duty_contact=f"duty@{i}.example")
            for i in ids
        )
    )


def allows(rules: frozenset[AclRule], principal: str, kind: str, name: str, operation: str) -> bool:
    """Whether `rules` let `principal` do `operation` on resource `name`, as Kafka decides."""
    wanted = {operation} | (IMPLIES_DESCRIBE if operation == "describe" else set())
    return any(
        rule.principal == principal
        and rule.allow
        and rule.resource_type == kind
        and rule.operation in wanted
        and (
            name == rule.resource_name
            if rule.pattern_type == "literal"
            else name.startswith(rule.resource_name)
        )
        for rule in rules
    )


@pytest.fixture
def rules() -> frozenset[AclRule]:
    """The desired ACLs of two schools, a police force and the bus's own agency."""
    agencies = directory("school-a", "school-b", "police-west")
    bus = directory("joinedup-thresholds", kind="bus")
    return desired_acls(all_principals(AgencyDirectory(agencies=agencies.agencies + bus.agencies)))


class TestAgencies:
    def test_the_router_may_write_a_view_but_an_agency_may_not(self, rules):
        """view.school-a is written by the router only; the school itself only reads it."""
        assert allows(rules, ROUTER.principal.kafka, "topic", "view.school-a", "write")
        assert not allows(rules, "User:school-a", "topic", "view.school-a", "write")
        assert allows(rules, "User:school-a", "topic", "view.school-a", "read")

    def test_an_agencys_bindings_name_its_own_view_and_groups_only(self, rules):
        """School A: READ view.school-a, READ groups `school-a-*`, WRITE its view's dead letters."""
        own = {rule for rule in rules if rule.principal == "User:school-a"}
        assert own == {
            AclRule("User:school-a", "topic", "literal", "view.school-a", "read"),
            AclRule("User:school-a", "group", "prefixed", "school-a-", "read"),
            AclRule("User:school-a", "topic", "literal", "deadletter.view.school-a", "write"),
        }

    @pytest.mark.parametrize(
        "topic", ["view.school-b", "ingest.school-a", "audit.disclosures", "identity.links"]
    )
    def test_an_agency_reads_nothing_but_its_view(self, rules, topic):
        """Another agency's view, ingest, the audit, the identity links: all refused."""
        assert not allows(rules, "User:school-a", "topic", topic, "read")
        assert not allows(rules, "User:school-a", "topic", topic, "describe")

    def test_a_new_agency_adds_exactly_its_own_bindings(self):
        """One more agency in the directory: its three bindings appear, nothing else changes."""
        before = desired_acls(all_principals(directory("school-a", "school-b")))
        after = desired_acls(all_principals(directory("school-a", "school-b", "health-trust")))
        newcomer = principals.agency_principal("health-trust", "Health")

        assert after - before == rules_for(newcomer, agency_access("health-trust"))
        assert before <= after
        assert len(after - before) == 3

    def test_the_bus_own_agencies_get_no_principal(self):
        """Kind `bus` (the thresholds service's alerts) is a service, not an agency principal."""
        found = agency_principals(directory("joinedup-thresholds", kind="bus"))
        assert found == ()

    def test_an_agency_named_like_a_super_user_is_refused(self):
        """Agency id `admin` would be the cluster's super user: one sentence says so."""
        with pytest.raises(PrincipalError, match="agency id 'admin' is refused: it names"):
            agency_principals(directory("admin"))

    def test_agencies_whose_groups_overlap_are_refused(self):
        """`la` could join `la-education-...` groups: refused, naming both."""
        with pytest.raises(PrincipalError, match="agency id 'la' is refused: its consumer groups"):
            desired_acls(all_principals(directory("la", "la-education")))

    def test_an_agency_whose_groups_cover_a_service_group_is_refused(self):
        """An agency `joinedup` would own groups `joinedup-*`, the processors' among them."""
        with pytest.raises(PrincipalError, match=r"joinedup-router of joinedup\.router"):
            desired_acls(all_principals(directory("joinedup")))


class TestServices:
    def test_only_the_gateway_and_the_identity_steward_read_identity_links(self, rules):
        """Identity links are restricted: two readers among every principal."""
        readers = {
            p.kafka
            for p in all_principals(directory("school-a", "school-b", "police-west"))
            if allows(rules, p.kafka, "topic", topics.IDENTITY_LINKS, "read")
        }
        assert readers == {GATEWAY.principal.kafka, IDENTITY_STEWARD.principal.kafka}

    def test_only_the_gateway_writes_ingest_and_only_the_router_writes_the_audit(self, rules):
        """Writers of ingest.school-a and audit.disclosures, among every principal."""
        everyone = all_principals(directory("school-a", "school-b", "police-west"))
        ingest = {
            p.kafka for p in everyone if allows(rules, p.kafka, "topic", "ingest.x1", "write")
        }
        audit = {
            p.kafka
            for p in everyone
            if allows(rules, p.kafka, "topic", topics.AUDIT_DISCLOSURES, "write")
        }
        assert ingest == {GATEWAY.principal.kafka}
        assert audit == {ROUTER.principal.kafka}

    def test_the_router_may_not_write_identity_links_nor_the_gateway_read_views(self, rules):
        """Each service is held to its own part of the data flow."""
        assert not allows(rules, ROUTER.principal.kafka, "topic", topics.IDENTITY_LINKS, "write")
        assert not allows(rules, GATEWAY.principal.kafka, "topic", "view.school-a", "read")

    def test_a_processor_commits_in_its_group_and_writes_its_changelog_in_transactions(self, rules):
        """Group READ, transactional ids `<app id>-*`, changelog read and write, reader lookup."""
        router = ROUTER.principal.kafka
        assert allows(rules, router, "group", "joinedup-router", "read")
        assert allows(rules, router, "transactional_id", "joinedup-router-host-1", "write")
        assert allows(rules, router, "topic", "joinedup-router-children", "write")
        assert allows(rules, router, "group", acls.READER_GROUP, "describe")
        assert not allows(rules, router, "group", acls.READER_GROUP, "read")
        assert not allows(rules, router, "transactional_id", "joinedup-thresholds-0", "write")

    def test_the_thresholds_worker_raises_alerts_and_nothing_reaches_views(self, rules):
        """alerts.raised is its output; views are the router's."""
        thresholds = THRESHOLDS.principal.kafka
        assert allows(rules, thresholds, "topic", topics.ALERTS_RAISED, "write")
        assert allows(rules, thresholds, "topic", "ingest.school-b", "read")
        assert not allows(rules, thresholds, "topic", "view.school-b", "write")

    def test_no_principal_may_create_topics_or_act_on_the_cluster(self, rules):
        """Topics are made by `topics apply` as the admin, never by a service at run time."""
        assert {rule.operation for rule in rules} <= {"read", "write", "describe"}
        assert "cluster" not in {rule.resource_type for rule in rules}


class TestServicesDefaults:
    def test_the_processors_app_ids_are_the_services_defaults(self):
        """The router's and thresholds worker's default app ids are the ones governed."""
        router = inspect.signature(build_router).parameters["app_id"].default
        thresholds = inspect.signature(build_thresholds).parameters["app_id"].default
        assert (router, thresholds) == (ROUTER.app_id, THRESHOLDS.app_id)

    def test_the_alerts_service_group_and_dead_letters_are_governed(self):
        """The webhook relay's group has the governed prefix; its dead letters are the ACL's."""
        options = AlertsSettings()
        assert options.webhook_group.startswith(acls.ALERTS_GROUP_PREFIX)
        assert options.deadletter_topic == acls.ALERTS_WEBHOOK_DEADLETTER
        alerts = acls.SERVICE_ACCESS[ALERTS.principal]
        assert acls.exact(options.deadletter_topic) in alerts.writes

    def test_the_gateway_writes_the_links_topic_it_uses(self):
        """GatewayOptions' links topic is the one the gateway may read and write."""
        gateway = acls.SERVICE_ACCESS[GATEWAY.principal]
        links = acls.exact(GatewayOptions().links_topic)
        assert links in gateway.reads
        assert links in gateway.writes
