"""Create topics as the topic policy says: the one path `ensure_topics` and `topics apply` share.

Blocking (librdkafka's AdminClient); asyncio callers run it in a thread.
A topic the principal may not create is an error naming the command that
creates it, never a silent gap: services run with principals that may not
create topics, and `joinedup topics apply` (as the cluster's admin) does.
"""

from __future__ import annotations

from collections.abc import Iterable

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._metadata import TopicMetadata  # not re-exported for mypy
from confluent_kafka.cimpl import NewTopic

from services.bus.exceptions import BrokerUnreachableError, BusError
from services.bus.settings import BusSettings
from services.bus.topic_policy import TopicCreationRefusedError, TopicSpec

REFUSED = frozenset(
    {KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaError.CLUSTER_AUTHORIZATION_FAILED}
)


def principal_of(settings: BusSettings) -> str:
    """The principal the settings' clients authenticate as, in Kafka's `User:<name>` form."""
    security = settings.client_security
    return f"User:{security.username}" if security.uses_sasl else "User:ANONYMOUS"


def cluster_topics(admin: AdminClient, settings: BusSettings) -> dict[str, TopicMetadata]:
    """The topics the principal may see on the cluster, with their partitions."""
    try:
        metadata = admin.list_topics(timeout=settings.connect_timeout_s)
    except KafkaException as exc:
        msg = (
            f"no Kafka broker answered at {settings.bootstrap} within "
            f"{settings.connect_timeout_s:g}s ({exc.args[0].name()}); check "
            "JOINEDUP_BOOTSTRAP_SERVERS or run `joinedup broker start`"
        )
        raise BrokerUnreachableError(msg) from None
    return dict(metadata.topics)


def existing_topics(admin: AdminClient, settings: BusSettings) -> set[str]:
    """The names of the topics the principal may see on the cluster."""
    return set(cluster_topics(admin, settings))


def create_topics(
    admin: AdminClient, settings: BusSettings, specs: Iterable[TopicSpec]
) -> list[str]:
    """Create the topics of `specs`; return those made now (one a concurrent creator won is not).

    Raises TopicCreationRefusedError when the principal may not create one.
    """
    wanted = [
        NewTopic(
            spec.name,
            num_partitions=spec.partitions,
            replication_factor=spec.replication_factor,
            config=dict(spec.config),
        )
        for spec in specs
    ]
    if not wanted:
        return []
    created: list[str] = []
    futures = admin.create_topics(wanted, operation_timeout=settings.connect_timeout_s)
    for name, future in futures.items():
        try:
            future.result()
        except KafkaException as exc:
            error: KafkaError = exc.args[0]
            if error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue
            if error.code() in REFUSED:
                msg = (
                    f"topic {name} does not exist and principal {principal_of(settings)} may "
                    "not create it: run `joinedup topics apply`"
                )
                raise TopicCreationRefusedError(msg) from None
            msg = f"topic {name} cannot be created as the topic policy says: {error.str()}"
            raise BusError(msg) from None
        created.append(name)
    return created
