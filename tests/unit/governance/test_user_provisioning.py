"""SCRAM users are provisioned on the local broker only."""

from __future__ import annotations

import pytest

from services.bus.settings import BusSettings
from services.governance.exceptions import LocalBrokerOnlyError
from services.governance.principals import ROUTER
from services.governance.provision import provision_users


class TestProvisioning:
    def test_another_cluster_is_refused_before_anything_connects(self):
        """JOINEDUP_BOOTSTRAP_SERVERS set: one sentence saying users are the operator's there."""
        settings = BusSettings(bootstrap_servers="kafka.example:9093", kafka_client_file=None)
        with pytest.raises(LocalBrokerOnlyError, match="local broker only, but"):
            provision_users(settings, [ROUTER.principal])
