"""`joinedup acl` and `joinedup topics` on a cluster: idempotent, dry runs change nothing.

This module's own broker, governed once by the fixture; each test runs the
commands as an operator would, as the cluster's admin.
"""

from __future__ import annotations

import stat

import pytest
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewTopic,
    ResourcePatternType,
    ResourceType,
)
from rigs.agencies import write_agencies
from typer.testing import CliRunner

from services.broker.security_files import client_file
from services.cli.main import app

pytestmark = pytest.mark.integration


def joinedup(governed, *args: str) -> list[str]:
    """Run `joinedup <args>` as the cluster's admin; its output lines (exit code 0 asserted)."""
    cluster = governed.cluster
    environment = {
        "JOINEDUP_BOOTSTRAP_SERVERS": None,
        "JOINEDUP_BROKER_PORT": str(cluster.port),
        "JOINEDUP_BROKER_CONTROLLER_PORT": str(cluster.controller),
        "JOINEDUP_BROKER_DATA_DIR": str(cluster.data_dir),
        "JOINEDUP_KAFKA_CLIENT_FILE": str(client_file(governed.settings(), "admin")),
        "JOINEDUP_CONFIG_DIR": None,
        "JOINEDUP_TOPIC_POLICY_FILE": None,
    }
    result = CliRunner().invoke(app, list(args), env=environment)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def admin(governed) -> AdminClient:
    """An admin client of the cluster's admin."""
    return AdminClient(governed.options("admin"))


def with_agency(tmp_path, agency: str, kind: str = "health"):
    """The module's agency directory (conftest.AGENCIES) plus `agency`."""
    agencies = {
        "school-a": "school",
        "police-b": "police",
        "joinedup-thresholds": "bus",
        agency: kind,
    }
    return write_agencies(tmp_path / "agencies.yaml", agencies)


class TestAclApply:
    def test_the_first_apply_granted_and_the_second_changes_nothing(self, governed):
        """The fixture's apply printed + lines; applying again prints `no changes`."""
        assert governed.first_run["acls"][0].startswith("+ User:")
        assert joinedup(governed, "acl", "apply", "--agencies", str(governed.agencies)) == [
            "no changes"
        ]

    def test_a_dry_run_prints_the_new_agencys_bindings_and_changes_nothing(
        self, governed, tmp_path
    ):
        """A new agency: three + lines, and `acl show` lists the same bindings as before."""
        before = joinedup(governed, "acl", "show")
        bigger = with_agency(tmp_path, "health-c")
        lines = joinedup(governed, "acl", "apply", "--dry-run", "--agencies", str(bigger))
        assert lines == [
            "+ User:health-c ALLOW READ group health-c- (prefixed)",
            "+ User:health-c ALLOW WRITE topic deadletter.view.health-c (literal)",
            "+ User:health-c ALLOW READ topic view.health-c (literal)",
        ]
        assert joinedup(governed, "acl", "show") == before

    def test_an_unmanaged_principals_acl_survives_and_a_retired_agency_is_removed(
        self, governed, tmp_path
    ):
        """An operator's own binding is kept through apply; --retire clears a gone agency."""
        tool = AclBinding(
            ResourceType.TOPIC,
            "audit.",
            ResourcePatternType.PREFIXED,
            "User:audit-exporter",
            "*",
            AclOperation.READ,
            AclPermissionType.ALLOW,
        )
        client = admin(governed)  # kept alive until its futures are done
        for future in client.create_acls([tool]).values():
            future.result(timeout=15)
        bigger = with_agency(tmp_path, "health-d")
        added = joinedup(governed, "acl", "apply", "--agencies", str(bigger))
        retired = joinedup(
            governed, "acl", "apply", "--agencies", str(governed.agencies), "--retire", "health-d"
        )
        shown = joinedup(governed, "acl", "show")

        assert [line[:2] for line in added] == ["+ ", "+ ", "+ "]
        assert all("User:health-d" in line for line in added + retired)
        assert [line[:2] for line in retired] == ["- ", "- ", "- "]
        assert "User:audit-exporter ALLOW READ topic audit. (prefixed)" in shown
        assert not any("health-d" in line for line in shown)


class TestTopicsApply:
    def test_applying_twice_changes_nothing_the_second_time(self, governed):
        """Every platform topic exists as the policy says after one apply."""
        joinedup(governed, "topics", "apply", "--agencies", str(governed.agencies))
        again = joinedup(governed, "topics", "apply", "--agencies", str(governed.agencies))
        assert again == ["no changes"]

    def test_a_drifted_config_is_shown_by_a_dry_run_and_set_back_by_apply(self, governed):
        """A view kept one day and a segment.ms set by hand: ~ and - lines, then the policy."""
        view = ConfigResource(
            "TOPIC",
            "view.school-a",
            incremental_configs=[
                ConfigEntry(
                    "retention.ms", "86400000", incremental_operation=AlterConfigOpType.SET
                ),
                ConfigEntry("segment.ms", "3600000", incremental_operation=AlterConfigOpType.SET),
            ],
        )
        client = admin(governed)  # kept alive until its futures are done
        for future in client.incremental_alter_configs([view]).values():
            future.result(timeout=15)
        agencies = str(governed.agencies)
        planned = joinedup(governed, "topics", "apply", "--dry-run", "--agencies", agencies)
        still = joinedup(governed, "topics", "apply", "--dry-run", "--agencies", agencies)
        applied = joinedup(governed, "topics", "apply", "--agencies", agencies)
        shown = joinedup(governed, "topics", "show", "--agencies", agencies)

        assert planned == still == applied
        assert applied == [
            "~ topic view.school-a: retention.ms 86400000 -> 2592000000",
            (
                "- topic view.school-a: segment.ms=3600000 (not in the policy: back to the "
                "broker's default)"
            ),
        ]
        assert (
            "view.school-a [views]: partitions 3, replication factor 1, min.insync.replicas=1, "
            "retention.ms=2592000000"
        ) in shown

    def test_a_topic_short_of_partitions_is_reported_and_left_alone(self, governed, tmp_path):
        """ingest.late-e made with one partition: a ! line; the agency's other topics made."""
        client = admin(governed)  # kept alive until its futures are done
        client.create_topics([NewTopic("ingest.late-e", 1, 1)])["ingest.late-e"].result(timeout=15)
        bigger = with_agency(tmp_path, "late-e", kind="school")
        lines = joinedup(governed, "topics", "apply", "--agencies", str(bigger))
        partitions = client.list_topics("ingest.late-e", timeout=15)

        assert "+ topic view.late-e: partitions 3, replication factor 1, " in "\n".join(lines)
        assert any(
            line.startswith("! topic ingest.late-e has 1 partition(s), the policy says 3")
            for line in lines
        )
        assert len(partitions.topics["ingest.late-e"].partitions) == 1


class TestProvision:
    def test_provisioning_again_keeps_every_client_file(self, governed):
        """Second run: `no changes`, files byte for byte the same, readable by their owner only."""
        clients = governed.cluster.data_dir / "security" / "clients"
        before = {path.name: path.read_bytes() for path in clients.glob("*.properties")}
        lines = joinedup(governed, "acl", "provision", "--agencies", str(governed.agencies))
        after = {path.name: path.read_bytes() for path in clients.glob("*.properties")}

        assert lines == ["no changes"]
        assert after == before
        assert {"school-a.properties", "joinedup.router.properties"} <= set(after)
        assert "joinedup-thresholds.properties" not in after  # kind bus: no principal
        assert {stat.S_IMODE(p.stat().st_mode) for p in clients.glob("*.properties")} == {0o600}
