"""`joinedup deploy render`: KafkaTopics and KafkaUsers from the topic policy and the ACL data."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from k8s_manifests import GENERATED, crd_schemas
from typer.testing import CliRunner

from services.bus.settings import BusSettings
from services.bus.topic_policy import topic_policy
from services.cli.main import app
from services.deploy.exceptions import RenderOptionError, UntranslatableError
from services.deploy.kafka_topics import topic_resource_name
from services.deploy.kafka_users import OPERATIONS, PATTERN_TYPES, RESOURCE_TYPES, kafka_users
from services.deploy.render import TOPICS_FILE, USERS_FILE, RenderOptions, render
from services.deploy.strimzi import Placement
from services.governance.acls import AclRule, Operation, PatternType, ResourceType, desired_acls
from services.governance.platform_topics import platform_topics
from services.governance.principals import Principal, all_principals, load_directory

# The committed files are rendered with these (docs/deployment.md says so).
COMMITTED = RenderOptions(partitions=3)
PLACEMENT = Placement("joinedup", "joinedup")
AGENCIES = """\
agencies:
  - id: school-900001
    kind: school
    name: A New School
    duty_contact: dsl@new.example.sch.uk
"""


def settings(**values: Any) -> BusSettings:
    """Settings that read nothing from the environment that the render depends on."""
    return BusSettings(
        **({"mode": "development", "config_dir": None, "topic_policy_file": None} | values)
    )


def documents(text: str) -> list[dict[str, Any]]:
    """The YAML documents of a rendered file."""
    return [document for document in yaml.safe_load_all(text) if document is not None]


def rules_in(users: list[dict[str, Any]]) -> Counter[AclRule]:
    """Every ACL rule the KafkaUsers grant, read back into the data's own form, counted."""
    types = {"transactionalId": "transactional_id"}
    patterns = {"prefix": "prefixed", None: "literal"}
    found: Counter[AclRule] = Counter()
    for user in users:
        for entry in user["spec"]["authorization"]["acls"]:
            resource = entry["resource"]
            for operation in entry["operations"]:
                found[
                    AclRule(
                        principal=f"User:{user['metadata']['name']}",
                        resource_type=types.get(resource["type"], resource["type"]),
                        pattern_type=patterns.get(resource.get("patternType"), "literal"),
                        resource_name=resource.get("name", "kafka-cluster"),
                        operation=re.sub(r"(?<!^)([A-Z])", r"_\1", operation).lower(),
                        allow=entry["type"] == "allow",
                        host=entry["host"],
                    )
                ] += 1
    return found


def crd_enum(kind: str, *path: str) -> set[str]:
    """The values a pinned CRD allows at `path` of the spec's schema."""
    schema = crd_schemas()[("kafka.strimzi.io/v1", kind)]["properties"]["spec"]
    for step in path:
        schema = schema["items"] if step == "[]" else schema["properties"][step]
    return set(schema["enum"])


class TestCommittedFiles:
    def test_the_committed_files_are_a_fresh_render(self):
        """deploy/k8s/generated holds exactly what the data renders (run `deploy render`)."""
        for name, text in render(settings(), COMMITTED).items():
            assert (GENERATED / name).read_text(encoding="utf-8") == text, (
                f"{GENERATED / name} is out of date: run `.venv/bin/joinedup deploy render`"
            )

    def test_every_acl_rule_is_in_exactly_one_user_and_nothing_else_is(self):
        """The users grant the ACL data's rules, each once, and no rule of their own."""
        users = documents((GENERATED / USERS_FILE).read_text(encoding="utf-8"))
        principals = all_principals(load_directory(settings()))
        granted = rules_in(users)

        assert [rule for rule, count in granted.items() if count > 1] == []
        assert set(granted) == desired_acls(principals)
        assert sorted(u["metadata"]["name"] for u in users) == sorted(p.name for p in principals)

    def test_every_platform_topic_is_one_kafka_topic_as_the_policy_says(self):
        """Partitions, replicas and configs are the policy's, for min(3, brokers) replicas."""
        topics = documents((GENERATED / TOPICS_FILE).read_text(encoding="utf-8"))
        by_topic = {t["spec"].get("topicName", t["metadata"]["name"]): t["spec"] for t in topics}
        wanted = settings(replication_factor=3, min_insync_replicas=2, default_partitions=3)
        names = platform_topics(load_directory(settings()))

        assert sorted(by_topic) == sorted(names)
        for name in names:
            spec = topic_policy(wanted).spec(name, wanted)
            assert by_topic[name]["partitions"] == spec.partitions, name
            assert by_topic[name]["replicas"] == spec.replication_factor, name
            assert by_topic[name]["config"] == dict(spec.config), name


class TestStrimziVocabulary:
    def test_every_operation_of_the_data_has_its_strimzi_name(self):
        """Each ACL operation the data can hold maps to one the KafkaUser CRD accepts."""
        allowed = crd_enum("KafkaUser", "authorization", "acls", "[]", "operations", "[]")

        assert set(OPERATIONS) == set(get_args(Operation))
        assert set(OPERATIONS.values()) <= allowed
        assert len(set(OPERATIONS.values())) == len(OPERATIONS)

    def test_every_resource_and_pattern_type_has_its_strimzi_name(self):
        """Resource types and pattern types map onto the CRD's enums, one to one."""
        types = crd_enum("KafkaUser", "authorization", "acls", "[]", "resource", "type")
        patterns = crd_enum("KafkaUser", "authorization", "acls", "[]", "resource", "patternType")

        assert set(RESOURCE_TYPES) == set(get_args(ResourceType))
        assert set(RESOURCE_TYPES.values()) == types
        assert set(PATTERN_TYPES) == set(get_args(PatternType))
        assert set(PATTERN_TYPES.values()) == patterns


class TestKafkaUsers:
    def test_a_deny_rule_keeps_its_permission_and_host(self):
        """A deny from one host stays a deny from that host, apart from the allow."""
        rules = [
            AclRule("User:school-1", "topic", "literal", "view.school-1", "read"),
            AclRule(
                "User:school-1", "topic", "literal", "view.school-1", "read", False, "10.1.1.1"
            ),
        ]
        (user,) = kafka_users([Principal("school-1", "agency", "S")], rules, PLACEMENT)

        assert rules_in([user]) == Counter(rules)

    def test_a_cluster_rule_names_no_resource(self):
        """Kafka's cluster resource becomes Strimzi's nameless cluster resource."""
        rule = AclRule("User:joinedup.x", "cluster", "literal", "kafka-cluster", "describe")
        (user,) = kafka_users([Principal("joinedup.x", "service", "X")], [rule], PLACEMENT)

        assert user["spec"]["authorization"]["acls"][0]["resource"] == {"type": "cluster"}

    def test_a_cluster_rule_strimzi_cannot_express_is_refused(self):
        """A cluster rule on another name would change meaning: refused, naming the rule."""
        rule = AclRule("User:joinedup.x", "cluster", "prefixed", "kafka", "describe")

        with pytest.raises(UntranslatableError, match="kafka-cluster"):
            kafka_users([Principal("joinedup.x", "service", "X")], [rule], PLACEMENT)

    def test_a_rule_for_a_principal_without_a_user_is_refused(self):
        """No rule is dropped silently."""
        rule = AclRule("User:ghost", "topic", "literal", "view.ghost", "read")

        with pytest.raises(UntranslatableError, match="User:ghost"):
            kafka_users([Principal("school-1", "agency", "S")], [rule], PLACEMENT)

    def test_a_principal_kubernetes_cannot_name_is_refused_not_renamed(self):
        """The user's name is the principal's, so it is never changed."""
        with pytest.raises(UntranslatableError, match="Upper_Case"):
            kafka_users([Principal("Upper_Case", "agency", "U")], [], PLACEMENT)


class TestKafkaTopics:
    def test_a_valid_topic_name_is_its_own_object_name(self):
        """`ingest.school-1` needs no topicName."""
        assert topic_resource_name("ingest.school-1") == "ingest.school-1"

    def test_other_names_are_cleaned_and_told_apart(self):
        """`_schemas` and `-schemas_` clean alike, yet get different digests."""
        first, second = topic_resource_name("_schemas"), topic_resource_name("-schemas_")

        assert first.startswith("schemas-")
        assert first != second

    @pytest.mark.parametrize(("brokers", "replicas", "min_insync"), [(1, 1, "1"), (5, 3, "2")])
    def test_replicas_follow_the_cluster_size(self, brokers, replicas, min_insync):
        """min(3, brokers) replicas, one fewer in sync (at least one)."""
        files = render(settings(), RenderOptions(brokers=brokers, partitions=6))
        ingest = next(
            t for t in documents(files[TOPICS_FILE]) if t["metadata"]["name"].startswith("ingest.")
        )

        assert ingest["spec"]["partitions"] == 6
        assert ingest["spec"]["replicas"] == replicas
        assert ingest["spec"]["config"]["min.insync.replicas"] == min_insync

    def test_a_family_wanting_more_replicas_than_brokers_is_refused(self, tmp_path: Path):
        """The error names the topic, its family and --brokers."""
        policy = tmp_path / "policy.yaml"
        policy.write_text(
            "families:\n  - family: audit\n    names: [audit.disclosures]\n"
            "    replication_factor: 3\n"
        )

        with pytest.raises(
            UntranslatableError, match=r"audit\.disclosures \(family audit\).*--brokers"
        ):
            render(settings(topic_policy_file=policy), RenderOptions(brokers=2))

    def test_more_in_sync_replicas_than_replicas_is_refused(self, tmp_path: Path):
        """A topic no write could ever be acknowledged on is not rendered."""
        policy = tmp_path / "policy.yaml"
        policy.write_text(
            "families:\n  - family: views\n    prefixes: [view.]\n"
            "    replication_factor: 2\n    min_insync_replicas: 3\n"
        )

        with pytest.raises(UntranslatableError, match=r"min\.insync\.replicas 3"):
            render(settings(topic_policy_file=policy), RenderOptions())


class TestRenderFollowsTheData:
    def test_a_new_agency_gets_its_user_and_topics(self, tmp_path: Path):
        """An agencies file with one school: its user reads its view; its topics exist."""
        agencies = tmp_path / "agencies.yaml"
        agencies.write_text(AGENCIES)
        files = render(settings(), RenderOptions(agencies_file=agencies))
        users = {u["metadata"]["name"]: u for u in documents(files[USERS_FILE])}
        topic_names = {t["metadata"]["name"] for t in documents(files[TOPICS_FILE])}

        assert "school-900001" in users
        assert {"ingest.school-900001", "view.school-900001", "deadletter.school-900001"} <= (
            topic_names
        )
        assert "school-100001" not in users

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"namespace": "Joined_Up"}, "--namespace 'Joined_Up'"),
            ({"cluster": "-kafka"}, "--cluster '-kafka'"),
            ({"brokers": 0}, "--brokers 0 must be at least 1"),
            ({"partitions": 0}, "--partitions 0 must be at least 1"),
        ],
    )
    def test_bad_options_are_refused_naming_the_option(self, options, message):
        """One sentence naming the option and its rule."""
        with pytest.raises(RenderOptionError, match=re.escape(message)):
            render(settings(), RenderOptions(**options))


class TestCommand:
    def test_render_writes_and_check_tells_a_stale_folder(self, tmp_path: Path):
        """`--check` passes after a render and fails, naming the file, once a file changes."""
        runner = CliRunner()
        arguments = ["deploy", "render", "--out", str(tmp_path), "--partitions", "3"]

        written = runner.invoke(app, arguments)
        fresh = runner.invoke(app, [*arguments, "--check"])
        (tmp_path / USERS_FILE).write_text("# edited by hand\n")
        stale = runner.invoke(app, [*arguments, "--check"])

        assert written.exit_code == 0, written.output
        assert f"{tmp_path / TOPICS_FILE}:" in written.output
        assert fresh.exit_code == 0, fresh.output
        assert stale.exit_code == 1
        assert f"{tmp_path / USERS_FILE}: differs" in stale.output
