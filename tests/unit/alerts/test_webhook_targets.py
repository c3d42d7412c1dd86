"""Which webhooks a view record goes to, and the subscriptions file they come from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.alerts.adapters.config_files import load_view_webhooks
from services.alerts.domain.delivery import disclosure_body
from services.alerts.domain.webhook_targets import (
    Delivery,
    ViewSubscription,
    WebhookTargets,
    url_tail,
)
from services.alerts.exceptions import AlertsConfigError
from services.config.files import packaged_default

HOOK = "https://case.example/hooks/disclosures?key=secret"
TARGETS = WebhookTargets(
    alerts={"school-a": ("https://school.example/alerts",)},
    subscriptions=(ViewSubscription("police-b", HOOK, frozenset({"SuspensionIssued"})),),
)


class TestDeliveries:
    def test_an_alert_goes_to_the_agencys_alert_webhooks(self):
        """AlertRaised in school-a's view: its alert URL, as an alert."""
        assert TARGETS.deliveries("school-a", "AlertRaised", is_alert=True) == [
            Delivery("https://school.example/alerts", "alert")
        ]

    def test_a_subscribed_event_type_goes_to_its_subscription(self):
        """SuspensionIssued in police-b's view: the subscription's URL, as a disclosure."""
        assert TARGETS.deliveries("police-b", "SuspensionIssued", is_alert=False) == [
            Delivery(HOOK, "disclosure")
        ]

    def test_other_event_types_and_agencies_go_nowhere(self):
        """Not subscribed, or another agency's subscription: no webhook."""
        assert TARGETS.deliveries("police-b", "AttendanceMarked", is_alert=False) == []
        assert TARGETS.deliveries("school-a", "SuspensionIssued", is_alert=False) == []

    def test_the_relay_reads_every_agency_with_a_webhook(self):
        """Alert receivers' and subscribers' agencies, sorted."""
        assert TARGETS.agencies == ("police-b", "school-a")

    def test_a_dead_letter_finds_its_url_by_host_and_path_and_kind(self):
        """The query is never in a dead letter; the URL is found again from the configuration."""
        assert url_tail(HOOK) == "case.example/hooks/disclosures"
        found = TARGETS.configured("police-b", "case.example/hooks/disclosures", "disclosure")
        assert found == Delivery(HOOK, "disclosure")
        assert TARGETS.configured("police-b", "case.example/hooks/disclosures", "alert") is None
        assert TARGETS.configured("police-b", "elsewhere.example/x", "disclosure") is None


class TestDisclosureBody:
    def test_the_body_names_its_type_agency_and_disclosure(self):
        """`{"type": "view.disclosed", "agency", "disclosure"}`, compact and sorted."""
        body = disclosure_body("police-b", {"event_id": "e1", "fields": {}})
        assert json.loads(body) == {
            "type": "view.disclosed",
            "agency": "police-b",
            "disclosure": {"event_id": "e1", "fields": {}},
        }
        assert b" " not in body


class TestViewWebhooksFile:
    def test_the_packaged_file_subscribes_nothing(self):
        """The example deployment sends no disclosures by webhook."""
        assert load_view_webhooks(packaged_default("view-webhooks.yaml")) == ()

    def test_a_subscription_is_read(self, tmp_path: Path):
        """Agency, URL and event types of each subscription."""
        path = tmp_path / "view-webhooks.yaml"
        path.write_text(
            "subscriptions:\n  - {agency: police-b, url: 'https://x.example/h', "
            "event_types: [SuspensionIssued, AttendanceMarked]}\n",
            encoding="utf-8",
        )
        [subscription] = load_view_webhooks(path)
        assert subscription.event_types == {"SuspensionIssued", "AttendanceMarked"}

    @pytest.mark.parametrize(
        ("entry", "rule"),
        [
            ("{agency: police-b, url: 'https://x.example/h', event_types: [Nope]}", "'Nope'"),
            ("{agency: police-b, url: 'https://x.example/h', event_types: []}", "at least one"),
            ("{agency: police-b, url: 'ftp://x.example/h', event_types: [ConcernRaised]}", "url"),
            ("{agency: police-b, event_types: [ConcernRaised]}", "url"),
        ],
    )
    def test_a_malformed_subscription_is_named(self, tmp_path: Path, entry, rule):
        """Unknown event types, none, a non-http URL, no URL: refused naming the entry."""
        path = tmp_path / "view-webhooks.yaml"
        path.write_text(f"subscriptions:\n  - {entry}\n", encoding="utf-8")
        with pytest.raises(AlertsConfigError, match=r"subscriptions\[0\] is malformed") as refused:
            load_view_webhooks(path)
        assert rule in str(refused.value)
