"""Publish Joined-up events with confluent-kafka, the way any Kafka stack would.

A standalone script, not part of a package: it needs only confluent-kafka
with its schema-registry extras, not this repository. docs/producers.md
explains every setting. Against the local bus:

    joinedup registry register-all    # the platform registers the schemas
    python docs/examples/confluent_producer.py --agency school-100001 --count 4

It publishes `--count` attendance marks for one child and then one
suspension, two event types on one topic, each under its own subject.
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaError, Message, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient, record_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

NAMESPACE = "uk.joinedup.education"
EVENT_TYPES = ("AttendanceMarked", "SuspensionIssued")
SYSTEM = "example-school-mis"
SUBJECT_NOT_FOUND = 40401  # the registry's error code for an unknown subject
# A real child_ref comes from the gateway (POST /v1/identity/resolve): only the
# platform holds the key that makes one. This one has the right shape only.
EXAMPLE_CHILD_REF = "cr1_" + "example" * 4 + "abcd"


def serializer_for(registry: SchemaRegistryClient, event_type: str) -> AvroSerializer:
    """An Avro serializer writing `event_type` under its RecordNameStrategy subject."""
    subject = f"{NAMESPACE}.{event_type}"
    try:
        registered = registry.get_latest_version(subject)
    except SchemaRegistryError as exc:
        if exc.error_code != SUBJECT_NOT_FOUND:
            raise
        msg = (
            f"{subject}: not in the registry ({exc.error_message}); schemas are registered "
            "by the platform (joinedup registry register-all), never by a producer"
        )
        raise SystemExit(msg) from exc
    # The serializer names the subject after the schema's record name, so it is
    # given the registered schema; it writes with the latest version and never
    # registers one of its own.
    conf = {
        "subject.name.strategy": record_subject_name_strategy,
        "auto.register.schemas": False,
        "use.latest.version": True,
    }
    serializer: AvroSerializer = AvroSerializer(registry, registered.schema, conf=conf)
    return serializer


def envelope(event_type: str, agency: str, child_ref: str, occurred_at: datetime) -> dict[str, Any]:
    """The fields every event starts with (docs/architecture.md, "The event contract")."""
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "occurred_at": occurred_at,
        "recorded_at": datetime.now(UTC),
        "source": {"agency": agency, "system": SYSTEM, "practitioner_role": None},
        "child_ref": child_ref,
        "correlation_id": None,
    }


def attendance_marked(agency: str, child_ref: str, day: date, session: str) -> dict[str, Any]:
    """A register mark: N, absent with no reason given yet."""
    opened = datetime.combine(day, time(9 if session == "AM" else 13), UTC)
    return {
        **envelope("AttendanceMarked", agency, child_ref, opened),
        "school": agency,
        "session_date": day,
        "session": session,
        "register_code": "N",
        "minutes_late": None,
    }


def suspension_issued(agency: str, child_ref: str) -> dict[str, Any]:
    """A one-day suspension from tomorrow for persistent disruptive behaviour (DB)."""
    now = datetime.now(UTC)
    return {
        **envelope("SuspensionIssued", agency, child_ref, now),
        "school": agency,
        "exclusion_type": "suspension",
        "reason_codes": ["DB"],
        "start_date": now.date() + timedelta(days=1),
        "length_sessions": 2,
    }


def events(agency: str, child_ref: str, count: int) -> Iterator[dict[str, Any]]:
    """`count` marks for the sessions before today, newest first, then a suspension."""
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    for number in range(count):
        day = yesterday - timedelta(days=number // 2)
        yield attendance_marked(agency, child_ref, day, "PM" if number % 2 == 0 else "AM")
    yield suspension_issued(agency, child_ref)


def reporter(event_type: str, failures: list[str]) -> Callable[[KafkaError | None, Message], None]:
    """A delivery callback: print where the record landed, or keep the error."""

    def report(error: KafkaError | None, message: Message) -> None:
        if error is not None:
            failures.append(f"{event_type}: {error}")
            return
        print(f"{event_type} -> {message.topic()} [{message.partition()}] @ {message.offset()}")

    return report


def client_properties(path: str | None) -> dict[str, str]:
    """The agency principal's Kafka client properties (security.protocol, sasl.*, ssl.*)."""
    if not path:
        return {}
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def publish(args: argparse.Namespace) -> int:
    """Publish the example events; return the exit status (0: every record acknowledged)."""
    agency, child_ref = args.agency, args.child_ref
    registry = SchemaRegistryClient({"url": args.registry})
    serializers = {event_type: serializer_for(registry, event_type) for event_type in EVENT_TYPES}
    producer = Producer(
        {
            "bootstrap.servers": args.bootstrap,
            **client_properties(args.client_file),
            "enable.idempotence": True,
            "acks": "all",
            # Java's partitioner: a child's records share a partition with the ones
            # the platform writes for that child (librdkafka's default hashes with CRC32).
            "partitioner": "murmur2_random",
        }
    )
    topic = f"ingest.{agency}"
    context = SerializationContext(topic, MessageField.VALUE)
    failures: list[str] = []
    for event in events(agency, child_ref, args.count):
        event_type = event["event_type"]
        producer.produce(
            topic,
            key=child_ref.encode("utf-8"),
            value=serializers[event_type](event, context),
            on_delivery=reporter(event_type, failures),
        )
        producer.poll(0)
    unsent = producer.flush(30)
    for failure in failures:
        print(f"not delivered: {failure}")
    if unsent:
        print(f"{unsent} record(s) still unacknowledged after 30 s")
    return 1 if failures or unsent else 0


def main() -> int:
    """Read the command line and publish."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("JOINEDUP_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
        help="Kafka bootstrap servers (default: JOINEDUP_BOOTSTRAP_SERVERS or the local broker)",
    )
    parser.add_argument(
        "--registry",
        default=os.environ.get("JOINEDUP_REGISTRY_URL", "http://127.0.0.1:18081"),
        help="schema registry URL (default: JOINEDUP_REGISTRY_URL or http://127.0.0.1:18081)",
    )
    parser.add_argument("--agency", required=True, help="publishing agency id: ingest.<agency>")
    parser.add_argument("--count", type=int, default=2, help="attendance marks to publish")
    parser.add_argument(
        "--child-ref",
        default=EXAMPLE_CHILD_REF,
        help="the child's child_ref, as the gateway's POST /v1/identity/resolve answered",
    )
    parser.add_argument(
        "--client-file",
        default=os.environ.get("JOINEDUP_KAFKA_CLIENT_FILE", ""),
        help="the agency's Kafka client properties: SASL_SSL user, password and CA "
        "(default: JOINEDUP_KAFKA_CLIENT_FILE)",
    )
    return publish(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
