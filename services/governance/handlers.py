"""The governance use cases: provision users, apply and show topics and ACLs.

Each returns the lines it reports (the CLI prints them); each builds its one
admin client from the settings, as the settings' principal (the cluster's
admin for `apply`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from services.broker.security_files import ADMIN, client_file
from services.broker.storage import SECURED, recorded_security
from services.bus import topics
from services.bus.rdkafka import admin_client
from services.bus.settings import BusSettings
from services.governance.acls import desired_acls
from services.governance.platform_topics import platform_topics
from services.governance.principals import agency_principal, all_principals, load_directory
from services.governance.provision import local_admin, provision_users
from services.governance.reconcile import apply_acl_diff, current_acls, diff_acls
from services.governance.topic_reconcile import apply_topic_plan, plan_topics, read_topics

NO_CHANGES = "no changes"


def apply_acls(
    settings: BusSettings,
    agencies_file: Path | None = None,
    *,
    retire: Iterable[str] = (),
    dry_run: bool = False,
) -> list[str]:
    """Reconcile the cluster's ACLs with the desired ones; return the diff's lines.

    `retire` names agencies gone from the directory whose ACLs are to be removed.
    """
    principals = all_principals(load_directory(settings, agencies_file))
    retired = [agency_principal(agency, agency) for agency in retire]
    managed = frozenset(p.kafka for p in (*principals, *retired))
    admin = admin_client(settings)
    diff = diff_acls(desired_acls(principals), current_acls(admin, settings), managed)
    if not dry_run and not diff.empty:
        apply_acl_diff(admin, settings, diff)
    return diff.lines() or [NO_CHANGES]


def show_acls(settings: BusSettings) -> list[str]:
    """Every ACL binding on the cluster, one line each, by principal."""
    return [rule.describe() for rule in sorted(current_acls(admin_client(settings), settings))]


def apply_topics(
    settings: BusSettings, agencies_file: Path | None = None, *, dry_run: bool = False
) -> list[str]:
    """Create the missing platform topics and reconcile configs; return what changed."""
    names = platform_topics(load_directory(settings, agencies_file))
    specs = tuple(topics.topic_spec(name, settings) for name in names)
    admin = admin_client(settings)
    plan = plan_topics(specs, read_topics(admin, settings, names))
    if not dry_run and not plan.changes_nothing:
        apply_topic_plan(admin, settings, specs, plan)
    return plan.lines() or [NO_CHANGES]


def show_topics(settings: BusSettings, agencies_file: Path | None = None) -> list[str]:
    """Each platform topic: its family, partitions, replicas and the configs the policy sets."""
    names = platform_topics(load_directory(settings, agencies_file))
    states = read_topics(admin_client(settings), settings, names)
    lines: list[str] = []
    for name in names:
        spec = topics.topic_spec(name, settings)
        state = states.get(name)
        if state is None:
            lines.append(f"{name}: missing (run `joinedup topics apply`)")
            continue
        configs = ", ".join(
            f"{key}={state.config.get(key, '(unset)')}" for key in sorted(spec.config)
        )
        lines.append(
            f"{name} [{spec.family or 'no family'}]: partitions {state.partitions}, "
            f"replication factor {state.replication_factor}, {configs}"
        )
    return lines


def provision(settings: BusSettings, agencies_file: Path | None = None) -> list[str]:
    """Create the local broker's missing SCRAM users and client files, one per principal."""
    principals = all_principals(load_directory(settings, agencies_file))
    return provision_users(settings, principals) or [NO_CHANGES]


def prepare_local_broker(settings: BusSettings) -> list[str]:
    """Users, topics and ACLs of the local secured broker, so that every service can run.

    Idempotent (run by every `joinedup broker start`), as the local broker's
    admin whatever JOINEDUP_KAFKA_CLIENT_FILE names; nothing to do for a
    plaintext data dir (no authorizer) or an external cluster.
    """
    if not settings.uses_local_broker or recorded_security(settings) != SECURED:
        return []
    settings = local_admin(settings)
    users = provision(settings)
    made = apply_topics(settings)
    acls = apply_acls(settings)
    clients = client_file(settings, ADMIN).parent
    return [
        f"users: {_count(users, '+')} created (client files: {clients})",
        f"topics: {_count(made, '+')} created, {_count(made, '~-')} configs reconciled",
        *(line for line in made if line.startswith("!")),
        f"ACLs: {_count(acls, '+')} added, {_count(acls, '-')} removed (`joinedup acl show`)",
    ]


def _count(lines: list[str], marks: str) -> int:
    return sum(1 for line in lines if line[:1] in marks)
