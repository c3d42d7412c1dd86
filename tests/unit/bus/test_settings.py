"""Bus settings and topic names."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from services.bus import topics
from services.bus.exceptions import SettingsError
from services.bus.settings import BusSettings


class TestBusSettings:
    def test_local_broker_by_default(self, monkeypatch):
        """Without JOINEDUP_BOOTSTRAP_SERVERS the local broker on loopback is used."""
        monkeypatch.delenv("JOINEDUP_BOOTSTRAP_SERVERS", raising=False)
        settings = BusSettings(broker_port=19999)
        assert settings.uses_local_broker
        assert settings.bootstrap == "127.0.0.1:19999"

    def test_environment_points_at_an_existing_cluster(self, monkeypatch):
        """JOINEDUP_BOOTSTRAP_SERVERS makes every client use that cluster."""
        monkeypatch.setenv("JOINEDUP_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
        settings = BusSettings()
        assert not settings.uses_local_broker
        assert settings.bootstrap == "kafka-1:9092,kafka-2:9092"

    def test_production_refuses_the_placeholder_key(self):
        """Production mode with the development child_ref key is refused."""
        with pytest.raises(SettingsError, match="JOINEDUP_CHILD_REF_KEY"):
            BusSettings(mode="production")

    def test_production_accepts_a_real_key(self):
        """Production mode with a real key is accepted and the key stays secret in repr."""
        settings = BusSettings(
            mode="production", child_ref_key=SecretStr("k" * 32), allow_plaintext=True
        )
        assert "kkkk" not in repr(settings)

    def test_settings_are_frozen(self):
        """Settings cannot be changed once read."""
        settings = BusSettings()
        with pytest.raises(ValueError, match="frozen"):
            settings.broker_port = 1  # type: ignore[misc]


class TestTopics:
    def test_per_agency_topics(self):
        """Ingest and view topics carry the agency id."""
        assert topics.ingest("school-100001") == "ingest.school-100001"
        assert topics.view("police-west") == "view.police-west"

    @pytest.mark.parametrize("agency", ["", "School", "a b", "x" * 80, "../etc"])
    def test_bad_agency_ids_are_refused(self, agency):
        """An agency id outside the allowed pattern is refused with the rule."""
        with pytest.raises(ValueError, match="lower-case letters, digits or hyphens"):
            topics.ingest(agency)
