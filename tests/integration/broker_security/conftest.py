"""Brokers of these tests' own: free ports below the ephemeral range, a data dir in tmp.

They never touch the shared broker (JOINEDUP_BROKER_PORT, JOINEDUP_BROKER_DATA_DIR)
and are stopped when the module that started them ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from rigs.ports import free_ports

from services.broker.local import LocalBroker
from services.broker.security_files import ADMIN, client_file
from services.broker.storage import SECURITY_RECORD
from services.bus.security import read_client_file
from services.bus.settings import BusSettings

SILENT = 0  # librdkafka log level: refused connections are the point of several tests


@dataclass
class OwnBroker:
    """A running broker of this module's, and how to reach it."""

    settings: BusSettings
    broker: LocalBroker

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.settings.broker_port}"

    @property
    def admin_options(self) -> dict[str, str]:
        return read_client_file(client_file(self.settings, ADMIN))

    def options(self, **more: str | int) -> dict[str, str | int]:
        """Bootstrap, silence and `more` (a client file's properties, usually)."""
        return {"bootstrap.servers": self.bootstrap, "log_level": SILENT, **more}

    def metadata_errors(self, options: dict[str, str | int], timeout_s: float = 2.0) -> list:
        """The errors a client with `options` reports while failing to get metadata."""
        errors: list[KafkaError] = []
        admin = AdminClient(options, error_cb=errors.append)
        try:
            admin.list_topics(timeout=timeout_s)
        except KafkaException:
            admin.poll(0.5)
            return errors
        raise AssertionError("the client got metadata")


def _own_settings(tmp_path_factory, security: str) -> BusSettings:
    port, controller = free_ports(2)
    return BusSettings(
        bootstrap_servers=None,
        broker_port=port,
        broker_controller_port=controller,
        broker_data_dir=tmp_path_factory.mktemp(f"broker-{security}") / "data",
        broker_security=security,
    )


def _started(settings: BusSettings) -> Iterator[OwnBroker]:
    broker = LocalBroker(settings)
    broker.start()
    try:
        yield OwnBroker(settings, broker)
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def secured(tmp_path_factory) -> Iterator[OwnBroker]:
    """A SASL_SSL broker, formatted fresh for this module."""
    yield from _started(_own_settings(tmp_path_factory, "sasl_ssl"))


@pytest.fixture(scope="module")
def plaintext(tmp_path_factory) -> Iterator[OwnBroker]:
    """A PLAINTEXT broker (JOINEDUP_BROKER_SECURITY=plaintext), formatted fresh for this module."""
    yield from _started(_own_settings(tmp_path_factory, "plaintext"))


@pytest.fixture(scope="module")
def unrecorded(tmp_path_factory) -> Iterator[OwnBroker]:
    """A data dir formatted as before the broker was secured, started with the default setting."""
    old = _own_settings(tmp_path_factory, "plaintext")
    formatter = LocalBroker(old)
    formatter.install()
    old.data_dir.mkdir(parents=True)
    formatter._write_properties()
    formatter._format_once()
    (old.data_dir / SECURITY_RECORD).unlink()
    yield from _started(old.model_copy(update={"broker_security": "sasl_ssl"}))
