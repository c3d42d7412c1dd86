"""A secured broker of one test module's own: free ports below the ephemeral range, data in tmp.

For tests that change users or ACLs, which must never touch the shared broker.
Settings are built with every field these tests depend on given explicitly, so
the session's JOINEDUP_* environment (the shared broker's client file, an
external cluster) cannot leak into them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rigs.ports import free_ports
from services.broker.local import LocalBroker
from services.broker.security_files import ADMIN, client_file
from services.bus.settings import BusSettings

SILENT = 0  # librdkafka log level: refused requests are the point of these tests


@dataclass(frozen=True)
class OwnCluster:
    """Where a test module's broker listens and keeps its data."""

    port: int
    controller: int
    data_dir: Path

    def settings(self, principal: str | None = ADMIN) -> BusSettings:
        """Settings of `principal` (its client file; None: no client file, as before start)."""
        base = self._settings(None)
        return base if principal is None else self._settings(client_file(base, principal))

    def _settings(self, client: Path | None) -> BusSettings:
        return BusSettings(
            bootstrap_servers=None,
            broker_port=self.port,
            broker_controller_port=self.controller,
            broker_data_dir=self.data_dir,
            broker_security="sasl_ssl",
            kafka_client_file=client,
            security_protocol=None,
            sasl_username=None,
            sasl_password=None,
            ssl_ca_file=None,
            config_dir=None,
            topic_policy_file=None,
            default_partitions=3,
            replication_factor=1,
            min_insync_replicas=1,
            mode="development",
        )

    def options(self, principal: str, **more: Any) -> dict[str, Any]:
        """librdkafka options of `principal`, quiet, plus `more`."""
        return {
            "bootstrap.servers": f"127.0.0.1:{self.port}",
            "log_level": SILENT,
            **self.settings(principal).client_security.librdkafka(),
            **more,
        }


@contextmanager
def secured_broker(data_dir: Path) -> Iterator[OwnCluster]:
    """Start a SASL_SSL broker in `data_dir` and stop it afterwards."""
    port, controller = free_ports(2)
    cluster = OwnCluster(port, controller, data_dir)
    broker = LocalBroker(cluster.settings(None))
    broker.start()
    try:
        yield cluster
    finally:
        broker.stop()
