import json

import pytest

from services.alerts.domain.delivery import RetryPolicy, retryable_status, webhook_body
from services.alerts.domain.model import Alert


class TestRetryPolicy:
    def test_backoff_doubles(self):
        """Waits double after each failed attempt."""
        policy = RetryPolicy(max_attempts=5, base_delay_s=0.5, max_delay_s=30)
        assert [policy.delay_after(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]

    def test_backoff_is_capped(self):
        """No wait exceeds the cap."""
        assert RetryPolicy(base_delay_s=10, max_delay_s=15).delay_after(4) == 15

    def test_needs_one_attempt(self):
        """A policy with no attempts is refused."""
        with pytest.raises(ValueError, match="max_attempts"):
            RetryPolicy(max_attempts=0)


class TestRetryableStatus:
    @pytest.mark.parametrize(
        ("status", "retry"),
        [(500, True), (503, True), (429, True), (408, True), (400, False), (404, False)],
    )
    def test_statuses(self, status, retry):
        """Server errors, timeouts and rate limits retry; other client errors do not."""
        assert retryable_status(status) is retry


class TestWebhookBody:
    def test_body_names_agency_and_alert(self, make_alert, now):
        """The JSON body carries the type, the agency and the alert as the API shows it."""
        alert = Alert.from_disclosed(make_alert())
        body = json.loads(webhook_body(alert, now))
        assert body["type"] == "alert.raised"
        assert body["agency"] == "school-100001"
        assert body["alert"]["alert_id"] == alert.alert_id
