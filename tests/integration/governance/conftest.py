"""A governed cluster of each test module's own: users, topics and ACLs applied.

Never the shared broker: ACLs there would lock the other tests out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rigs.agencies import write_agencies
from rigs.own_broker import OwnCluster, secured_broker

from services.bus.settings import BusSettings
from services.governance import handlers

AGENCIES = {"school-a": "school", "police-b": "police", "joinedup-thresholds": "bus"}


@dataclass
class Governed:
    """The module's cluster, its agency directory and what the first apply reported."""

    cluster: OwnCluster
    agencies: Path
    first_run: dict[str, list[str]] = field(default_factory=dict)

    def settings(self, principal: str = "admin") -> BusSettings:
        """Settings of `principal` on this cluster."""
        return self.cluster.settings(principal)

    def options(self, principal: str, **more: Any) -> dict[str, Any]:
        """librdkafka options of `principal` on this cluster."""
        return self.cluster.options(principal, **more)


@pytest.fixture(scope="module")
def governed(tmp_path_factory) -> Iterator[Governed]:
    """A fresh secured broker after `acl provision`, `topics apply` and `acl apply`."""
    root = tmp_path_factory.mktemp("governed")
    agencies = write_agencies(root / "agencies.yaml", AGENCIES)
    with secured_broker(root / "data") as cluster:
        admin = cluster.settings()
        found = Governed(cluster, agencies)
        found.first_run = {
            "users": handlers.provision(admin, agencies),
            "topics": handlers.apply_topics(admin, agencies),
            "acls": handlers.apply_acls(admin, agencies),
        }
        yield found
